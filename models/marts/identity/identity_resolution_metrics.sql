-- One row describing the current identity graph (int_identity_resolution__measured), published.

with metrics as (
    select * from {{ ref('int_identity_resolution__measured') }}
),

final as (
    select * from metrics
)

select * from final
