{{ config(
    materialized='incremental',
    unique_key=['previous_unified_individual_id', 'unified_individual_id', 'changed_at'],
    on_schema_change='fail',
    full_refresh=false,
    transient=false,
) }}

-- The log of unified-ID changes, appended by every run that changed an ID: downstream systems that store
-- unified IDs (Marketing Cloud, the CRM) replay it. merge: the old ID was retired into the new one (a
-- merge keeps the oldest ID); split: records left a surviving ID for a new one (the largest part keeps it);
-- retired: every record of the ID is gone (deleted at the source, a removed feed, erased), so the ID ended
-- with no successor (unified_individual_id null; records_moved counts the records that went).
-- Never rebuilt by --full-refresh (like the unified IDs it logs): the log is what those systems have replayed.
-- Snowflake: not transient (unlike the rest of the intermediate layer), as the mart it replaces: a log that cannot
-- be rebuilt keeps Time Travel and Fail-safe. The mart unified_id_changes publishes it.

with unified_ids as (
    select * from {{ ref('int_identity_unified_ids') }}
),

changed as (
    select
        previous_unified_individual_id,
        case when id_change_type != 'retired' then unified_individual_id end as unified_individual_id,
        id_change_type as change_type,
        assigned_at as changed_at,
        count(*) as records_moved
    from unified_ids
    where id_change_type is not null
        and (is_current or id_change_type = 'retired')
        {%- if is_incremental() %}
            and assigned_at > (
                select coalesce(max(change_log.changed_at), cast('1900-01-01' as timestamp))
                from {{ this }} as change_log
            )
        {%- endif %}
    group by
        previous_unified_individual_id,
        case when id_change_type != 'retired' then unified_individual_id end,
        id_change_type,
        assigned_at
),

final as (
    select
        previous_unified_individual_id,
        unified_individual_id,
        change_type,
        records_moved,
        changed_at
    from changed
)

select * from final
