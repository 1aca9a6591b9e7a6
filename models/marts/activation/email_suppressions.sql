-- Who was left out of email audiences, and why (int_email_suppressions__listed), published.

with suppressions as (
    select * from {{ ref('int_email_suppressions__listed') }}
),

final as (
    select * from suppressions
)

select * from final
