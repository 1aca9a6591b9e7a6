-- The record-to-person bridge: one row per person-bearing record, its identifiers in the common identifier schema,
-- the unified individual it belongs to and how it got there. Every model downstream of the identity step reads
-- people through this model (the mart unified_links publishes its link columns).
-- Incremental: a run rewrites the records of the graph components in which any record changed since this table
-- was last written, and drops the records that left (macros/identity/graph_incremental.sql).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='identity_record_id',
        on_schema_change='fail',
        post_hook="{{ cdp_identity.delete_records_gone_from_graph() }}",
    )
}}

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

edges as (
    select * from {{ ref('int_identity_edges__unioned') }}
),

-- The records whose rows may differ (all of them on a full build); see macro records_to_rebuild.
placed as (
    {{- records_to_rebuild() }}
),

-- The edges that hold each record in its cluster (edges cut by the guards do not count).
kept_edges as (
    select
        edges.identity_record_id_l,
        edges.identity_record_id_r,
        edges.match_method,
        edges.match_rule,
        edges.edge_weight
    from edges
    inner join placed as left_records
        on edges.identity_record_id_l = left_records.identity_record_id
    inner join placed as right_records
        on edges.identity_record_id_r = right_records.identity_record_id
    where left_records.cluster_key = right_records.cluster_key
),

record_edges as (
    select
        identity_record_id_l as identity_record_id,
        match_method,
        match_rule,
        edge_weight
    from kept_edges
    union all
    select
        identity_record_id_r as identity_record_id,
        match_method,
        match_rule,
        edge_weight
    from kept_edges
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
        identity_records.first_name,
        identity_records.last_name,
        identity_records.email,
        identity_records.phone,
        identity_records.street,
        identity_records.postal_code,
        identity_records.city,
        identity_records.country_code,
        identity_records.member_id,
        identity_records.date_of_birth,
        identity_records.record_created_at,
        identity_records.record_updated_at,
        placed.unified_individual_id,
        coalesce(strongest_link.match_method, 'singleton') as link_method,
        strongest_link.match_rule as link_rule,
        coalesce(strongest_link.edge_count, 0) as link_edge_count,
        count(*) over (partition by placed.unified_individual_id) as cluster_record_count,
        placed.unified_id_minted_at,
        placed.linked_at,
        placed.graph_changed_at
    from identity_records
    inner join placed
        on identity_records.identity_record_id = placed.identity_record_id
    left outer join strongest_link
        on identity_records.identity_record_id = strongest_link.identity_record_id
)

select * from final
