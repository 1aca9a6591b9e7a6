-- One row per person-bearing record: the unified individual it belongs to, and how it got there.

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

unified_ids as (
    select * from {{ ref('int_identity_unified_ids') }}
),

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

edges as (
    select * from {{ ref('int_identity_edges__unioned') }}
),

current_ids as (
    select * from unified_ids
    where is_current
),

-- The edges that hold each record in its cluster (edges cut by the guards do not count).
record_edges as (
    select
        edges.identity_record_id_l as identity_record_id,
        edges.match_method,
        edges.match_rule,
        edges.edge_weight
    from edges
    inner join clusters as left_clusters
        on edges.identity_record_id_l = left_clusters.identity_record_id
    inner join clusters as right_clusters
        on edges.identity_record_id_r = right_clusters.identity_record_id
    where left_clusters.cluster_key = right_clusters.cluster_key
    union all
    select
        edges.identity_record_id_r as identity_record_id,
        edges.match_method,
        edges.match_rule,
        edges.edge_weight
    from edges
    inner join clusters as left_clusters
        on edges.identity_record_id_l = left_clusters.identity_record_id
    inner join clusters as right_clusters
        on edges.identity_record_id_r = right_clusters.identity_record_id
    where left_clusters.cluster_key = right_clusters.cluster_key
),

strongest_link as (
    select
        identity_record_id,
        match_method,
        match_rule,
        count(*) over (partition by identity_record_id) as edge_count
    from record_edges
    qualify row_number() over (
            partition by identity_record_id order by edge_weight desc, match_method asc, match_rule asc
        ) = 1
),

final as (
    select
        identity_records.identity_record_id,
        identity_records.source_system,
        identity_records.source_record_id,
        identity_records.record_type,
        current_ids.unified_individual_id,
        coalesce(strongest_link.match_method, 'singleton') as link_method,
        strongest_link.match_rule as link_rule,
        coalesce(strongest_link.edge_count, 0) as link_edge_count,
        count(*) over (partition by current_ids.unified_individual_id) as cluster_record_count,
        current_ids.unified_id_minted_at,
        current_ids.assigned_at as linked_at
    from identity_records
    inner join current_ids
        on identity_records.identity_record_id = current_ids.identity_record_id
    left outer join strongest_link
        on identity_records.identity_record_id = strongest_link.identity_record_id
)

select * from final
