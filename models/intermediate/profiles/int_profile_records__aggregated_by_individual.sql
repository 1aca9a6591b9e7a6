-- One row per unified individual: every record, system, email and phone it holds, as sorted comma-separated lists.
-- Incremental: a run rewrites the individuals of the graph components in which any record changed since this
-- table was last written, and drops retired IDs (macros/identity/graph_incremental.sql).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='unified_individual_id',
        on_schema_change='fail',
        post_hook="{{ cdp_identity.delete_individuals_gone_from_graph() }}",
    )
}}

with linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
    {%- if is_incremental() %}
        where unified_individual_id in (
                select rebuilt.unified_individual_id from ({{ records_to_rebuild() }}) as rebuilt
            )
    {%- endif %}
),

record_summary as (
    select
        unified_individual_id,
        {{ dbt.listagg('identity_record_id', "','", 'order by identity_record_id') }} as source_record_ids,
        count(*) as record_count,
        count(distinct source_system) as system_count,
        min(record_created_at) as first_record_created_at,
        max(record_updated_at) as last_record_updated_at,
        max(graph_changed_at) as graph_changed_at
    from linked_records
    group by unified_individual_id
),

individual_systems as (
    select distinct
        unified_individual_id,
        source_system
    from linked_records
),

system_lists as (
    select
        unified_individual_id,
        {{ dbt.listagg('source_system', "','", 'order by source_system') }} as source_systems
    from individual_systems
    group by unified_individual_id
),

individual_emails as (
    select distinct
        unified_individual_id,
        email
    from linked_records
    where email is not null
),

email_lists as (
    select
        unified_individual_id,
        {{ dbt.listagg('email', "','", 'order by email') }} as emails,
        count(*) as email_count
    from individual_emails
    group by unified_individual_id
),

individual_phones as (
    select distinct
        unified_individual_id,
        phone
    from linked_records
    where phone is not null
),

phone_lists as (
    select
        unified_individual_id,
        {{ dbt.listagg('phone', "','", 'order by phone') }} as phones,
        count(*) as phone_count
    from individual_phones
    group by unified_individual_id
),

final as (
    select
        record_summary.unified_individual_id,
        email_lists.emails,
        phone_lists.phones,
        record_summary.source_record_ids,
        system_lists.source_systems,
        coalesce(email_lists.email_count, 0) as email_count,
        coalesce(phone_lists.phone_count, 0) as phone_count,
        record_summary.record_count,
        record_summary.system_count,
        record_summary.first_record_created_at,
        record_summary.last_record_updated_at,
        record_summary.graph_changed_at
    from record_summary
    inner join system_lists
        on record_summary.unified_individual_id = system_lists.unified_individual_id
    left outer join email_lists
        on record_summary.unified_individual_id = email_lists.unified_individual_id
    left outer join phone_lists
        on record_summary.unified_individual_id = phone_lists.unified_individual_id
)

select * from final
