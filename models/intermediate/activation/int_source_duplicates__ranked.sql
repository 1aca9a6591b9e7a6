-- Duplicates to send back to each source system: its own account records (record types in the var
-- source_duplicate_record_types) that resolved to one active unified individual, two or more per system. Every
-- record of such a group is listed with the survivor to keep (the most recently updated, then the most recently
-- created, then the smallest record ID), so the system can merge the others into it. Salesforce contacts already
-- soft-deleted in Salesforce are left out.

{%- set account_record_types = "'" ~ (var('source_duplicate_record_types') | join("', '")) ~ "'" %}

with links as (
    select * from {{ ref('int_identity_records__linked') }}
),

identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

contacts as (
    select * from {{ ref('stg_salesforce__contacts') }}
),

-- Joined on the record ID: a join condition on a constant (source_system = 'salesforce') made DuckDB compare every
-- record with every contact (150 s at a million records).
deleted_contacts as (
    select {{ identity_record_id('salesforce', 'contact_id') }} as identity_record_id
    from contacts
    where is_deleted
),

account_records as (
    select
        links.source_system,
        links.record_type,
        links.unified_individual_id,
        links.source_record_id,
        identity_records.record_created_at,
        identity_records.record_updated_at
    from links
    inner join active_individuals
        on links.unified_individual_id = active_individuals.unified_individual_id
    inner join identity_records
        on links.identity_record_id = identity_records.identity_record_id
    left outer join deleted_contacts
        on links.identity_record_id = deleted_contacts.identity_record_id
    where links.record_type in ({{ account_record_types }})
        and deleted_contacts.identity_record_id is null
),

ranked as (
    select
        *,
        count(*) over (partition by source_system, record_type, unified_individual_id) as duplicate_record_count,
        row_number() over (
            partition by source_system, record_type, unified_individual_id
            order by record_updated_at desc nulls last, record_created_at desc nulls last, source_record_id asc
        ) as survivor_rank
    from account_records
),

final as (
    select
        source_system,
        record_type,
        unified_individual_id,
        source_record_id,
        max(case when survivor_rank = 1 then source_record_id end)
            over (partition by source_system, record_type, unified_individual_id) as survivor_source_record_id,
        cast(duplicate_record_count as integer) as duplicate_record_count,
        survivor_rank = 1 as is_survivor,
        record_updated_at
    from ranked
    where duplicate_record_count >= 2
)

select * from final
