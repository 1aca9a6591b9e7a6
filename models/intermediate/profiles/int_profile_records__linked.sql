-- One row per person-bearing record: its identifiers in the common schema and the unified individual it belongs
-- to. The one join from records to people that every profile model reads.
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

-- The records whose rows may differ (all of them on a full build), with their unified individual: the same
-- as unified_links holds, read where it is tracked.
placed as (
    {{- records_to_rebuild() }}
),

final as (
    select
        identity_records.identity_record_id,
        placed.unified_individual_id,
        identity_records.source_system,
        identity_records.record_type,
        identity_records.source_record_id,
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
        placed.graph_changed_at
    from identity_records
    inner join placed
        on identity_records.identity_record_id = placed.identity_record_id
)

select * from final
