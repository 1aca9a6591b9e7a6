-- Segment memberships as of run_date (int_segment_memberships__assigned), published.

with memberships as (
    select * from {{ ref('int_segment_memberships__assigned') }}
),

final as (
    select * from memberships
)

select * from final
