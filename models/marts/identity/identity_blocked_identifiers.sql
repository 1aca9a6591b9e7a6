-- Guard activity: identifier values and logins held back (int_identity_identifiers__blocked), published.

with blocked_identifiers as (
    select * from {{ ref('int_identity_identifiers__blocked') }}
),

final as (
    select * from blocked_identifiers
)

select * from final
