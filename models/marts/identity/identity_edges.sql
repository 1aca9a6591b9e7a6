-- Every edge offered to the identity graph, with its reason, and whether the graph kept or cut it.
-- Deterministic edges name their rule and identifier type; probabilistic edges carry Splink's match weight
-- and, in `explanation`, each comparison's level and match-weight contribution.

with edges as (
    select * from {{ ref('int_identity_edges__unioned') }}
),

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

unified_ids as (
    select * from {{ ref('int_identity_unified_ids') }}
    where is_current
),

final as (
    select
        edges.identity_record_id_l,
        edges.identity_record_id_r,
        edges.match_method,
        edges.match_rule,
        left_ids.unified_individual_id as unified_individual_id_l,
        right_ids.unified_individual_id as unified_individual_id_r,
        edges.explanation,
        edges.match_weight,
        edges.match_probability,
        edges.edge_weight,
        left_clusters.cluster_key = right_clusters.cluster_key as is_used,
        case
            when left_clusters.cluster_key != right_clusters.cluster_key
                then coalesce(left_clusters.cut_reason, right_clusters.cut_reason)
        end as cut_reason
    from edges
    inner join clusters as left_clusters
        on edges.identity_record_id_l = left_clusters.identity_record_id
    inner join clusters as right_clusters
        on edges.identity_record_id_r = right_clusters.identity_record_id
    inner join unified_ids as left_ids
        on edges.identity_record_id_l = left_ids.identity_record_id
    inner join unified_ids as right_ids
        on edges.identity_record_id_r = right_ids.identity_record_id
)

select * from final
