-- Every edge offered to the identity graph, with its reason, and whether the graph kept or cut it.
-- Deterministic edges name their rule and identifier type; probabilistic edges carry Splink's match weight
-- and, in `explanation`, each comparison's level and match-weight contribution.
-- Incremental: a run rewrites the edges of the graph components in which any record changed since this table was
-- last written, and drops the edges no longer offered (macros/identity/graph_incremental.sql).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['identity_record_id_l', 'identity_record_id_r', 'match_method'],
        on_schema_change='fail',
        post_hook="{{ cdp_identity.delete_edges_no_longer_offered() }}",
    )
}}

with edges as (
    select * from {{ ref('int_identity_edges__unioned') }}
),

-- The records whose rows may differ (all of them on a full build); see macro records_to_rebuild.
placed as (
    {{- records_to_rebuild() }}
),

final as (
    select
        edges.identity_record_id_l,
        edges.identity_record_id_r,
        edges.match_method,
        edges.match_rule,
        left_records.unified_individual_id as unified_individual_id_l,
        right_records.unified_individual_id as unified_individual_id_r,
        edges.explanation,
        edges.match_weight,
        edges.match_probability,
        edges.edge_weight,
        left_records.cluster_key = right_records.cluster_key as is_used,
        case
            when left_records.cluster_key != right_records.cluster_key
                then coalesce(left_records.cut_reason, right_records.cut_reason)
        end as cut_reason,
        greatest(left_records.graph_changed_at, right_records.graph_changed_at) as graph_changed_at
    from edges
    inner join placed as left_records
        on edges.identity_record_id_l = left_records.identity_record_id
    inner join placed as right_records
        on edges.identity_record_id_r = right_records.identity_record_id
)

select * from final
