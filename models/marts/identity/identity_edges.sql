-- Every edge offered to the identity graph, and whether the graph kept or cut it (int_identity_edges__resolved),
-- published.

with edges as (
    select * from {{ ref('int_identity_edges__resolved') }}
),

final as (
    select * from edges
)

select * from final
