{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    transient=false,
    on_schema_change='fail',
) }}

-- Deletion as a permanent fact about a person. At the run a request is first seen, its named keys (the record
-- and the email it names) are tombstoned; at the run it first matches someone, every key of the unified
-- individuals it matches is tombstoned too: each of their records (source system and record ID) and every
-- identifier of those records (email, phone, member ID, app login, certification, card hash). Only the hash of
-- each key is kept (macro tombstone_hash). Append-only and never rebuilt by --full-refresh: later runs suppress
-- any record carrying a tombstoned key (int_unified_individuals__suppressed), whatever merges or splits follow.
-- An identifier the over-merge guard blocks (shared by more records or people than it allows, such as a front
-- desk's phone) is not tombstoned from the person's records: it does not identify them, and tombstoning it would
-- suppress everyone else sharing it. It is tombstoned when the request names it.

{%- set run_started = "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp)" %}

with deletion_requests as (
    select * from {{ ref('int_deletion_requests__resolved') }}
),

links as (
    select * from {{ ref('int_identity_records__linked') }}
),

identifiers as (
    select * from {{ ref('int_identity_identifiers__unpivoted') }}
),

identifier_groups as (
    select * from {{ ref('int_identity_identifier_groups__guarded') }}
),

earlier as (
    {%- if is_incremental() %}
        select
            deletion_request_id,
            tombstone_source
        from {{ this }}
    {%- else %}
        select
            cast(null as varchar) as deletion_request_id,
            cast(null as varchar) as tombstone_source
        where false
    {%- endif %}
),

named_keys as (
    select distinct
        deletion_request_id,
        cast(null as varchar) as unified_individual_id,
        'named' as tombstone_source,
        'record' as key_type,
        {{ identity_record_id('source_system', 'source_record_id', system_is_column=true) }} as key_value
    from deletion_requests
    where source_system is not null
        and source_record_id is not null
    union all
    select distinct
        deletion_request_id,
        cast(null as varchar) as unified_individual_id,
        'named' as tombstone_source,
        'email' as key_type,
        email as key_value
    from deletion_requests
    where email is not null
),

new_named_keys as (
    select * from named_keys
    where not exists (
            select 1
            from earlier
            where earlier.deletion_request_id = named_keys.deletion_request_id
        )
),

-- The individuals a request matches at the first run it matches anyone.
newly_matched as (
    select distinct
        deletion_request_id,
        unified_individual_id
    from deletion_requests
    where unified_individual_id is not null
        and not exists (
            select 1
            from earlier
            where earlier.deletion_request_id = deletion_requests.deletion_request_id
                and earlier.tombstone_source = 'resolved'
        )
),

matched_records as (
    select
        newly_matched.deletion_request_id,
        newly_matched.unified_individual_id,
        links.identity_record_id
    from newly_matched
    inner join links
        on newly_matched.unified_individual_id = links.unified_individual_id
),

resolved_keys as (
    select
        deletion_request_id,
        unified_individual_id,
        'resolved' as tombstone_source,
        'record' as key_type,
        identity_record_id as key_value
    from matched_records
    union all
    select
        matched_records.deletion_request_id,
        matched_records.unified_individual_id,
        'resolved' as tombstone_source,
        identifiers.identifier_type as key_type,
        identifiers.identifier_value as key_value
    from matched_records
    inner join identifiers
        on matched_records.identity_record_id = identifiers.identity_record_id
    left outer join identifier_groups
        on identifiers.identifier_type = identifier_groups.identifier_type
            and identifiers.identifier_value = identifier_groups.identifier_value
    where coalesce(identifier_groups.guard_status, 'linked') not like 'blocked%'
),

new_keys as (
    select * from new_named_keys
    union all
    select * from resolved_keys
),

final as (
    select distinct
        deletion_request_id,
        unified_individual_id,
        tombstone_source,
        key_type,
        {{ cdp_identity.tombstone_hash('key_type', 'key_value') }} as key_hash,
        '{{ invocation_id }}' as tombstoned_in_invocation_id,
        {{ run_started }} as tombstoned_at
    from new_keys
)

select * from final
