-- Every deletion request and what became of it (int_deletion_requests__summarized), published.

with deletion_requests as (
    select * from {{ ref('int_deletion_requests__summarized') }}
),

final as (
    select * from deletion_requests
)

select * from final
