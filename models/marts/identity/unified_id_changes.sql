-- The log of unified-ID changes (int_unified_id_changes__logged), published.

with changes as (
    select * from {{ ref('int_unified_id_changes__logged') }}
),

final as (
    select * from changes
)

select * from final
