-- One row per unified individual: the surviving ("golden") value of each profile attribute among the individual's
-- non-null values, by the attribute's rule in var profile_survivorship, and the system and record it came from.
-- Each attribute has two CTEs, the same for every attribute: its candidates (the individual's records holding a
-- value, with how many records hold that value and when it was last updated, which most_frequent reads) and its
-- survivor (the first candidate in the order survivorship_rank builds from the attribute's rule, macros/profiles).
-- Incremental: a run rewrites the individuals of the graph components in which any record changed since this
-- table was last written, and drops retired IDs (macros/identity/graph_incremental.sql); it rewrites them all
-- when var profile_survivorship changed (its hash is stored as policy_hash).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='unified_individual_id',
        on_schema_change='fail',
        post_hook="{{ cdp_identity.delete_individuals_gone_from_graph() }}",
    )
}}
{%- set policy_hash = local_md5(tojson(var('profile_survivorship'))) %}

with linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
    {%- if is_incremental() %}
        where unified_individual_id in (
                select rebuilt.unified_individual_id from ({{ records_to_rebuild(policy=policy_hash) }}) as rebuilt
            )
    {%- endif %}
),

individuals as (
    select
        unified_individual_id,
        max(graph_changed_at) as graph_changed_at
    from linked_records
    group by unified_individual_id
),

first_name_candidates as (
    select
        unified_individual_id,
        identity_record_id,
        source_system,
        record_updated_at,
        first_name,
        count(*) over (partition by unified_individual_id, first_name) as value_record_count,
        max(record_updated_at) over (partition by unified_individual_id, first_name) as value_last_updated_at
    from linked_records
    where first_name is not null
),

first_name_survivors as (
    select
        unified_individual_id,
        first_name,
        source_system as first_name_source_system,
        identity_record_id as first_name_record_id
    from first_name_candidates
    qualify {{ survivorship_rank('first_name') }} = 1
),

last_name_candidates as (
    select
        unified_individual_id,
        identity_record_id,
        source_system,
        record_updated_at,
        last_name,
        count(*) over (partition by unified_individual_id, last_name) as value_record_count,
        max(record_updated_at) over (partition by unified_individual_id, last_name) as value_last_updated_at
    from linked_records
    where last_name is not null
),

last_name_survivors as (
    select
        unified_individual_id,
        last_name,
        source_system as last_name_source_system,
        identity_record_id as last_name_record_id
    from last_name_candidates
    qualify {{ survivorship_rank('last_name') }} = 1
),

email_candidates as (
    select
        unified_individual_id,
        identity_record_id,
        source_system,
        record_updated_at,
        email,
        count(*) over (partition by unified_individual_id, email) as value_record_count,
        max(record_updated_at) over (partition by unified_individual_id, email) as value_last_updated_at
    from linked_records
    where email is not null
),

email_survivors as (
    select
        unified_individual_id,
        email,
        source_system as email_source_system,
        identity_record_id as email_record_id
    from email_candidates
    qualify {{ survivorship_rank('email') }} = 1
),

phone_candidates as (
    select
        unified_individual_id,
        identity_record_id,
        source_system,
        record_updated_at,
        phone,
        count(*) over (partition by unified_individual_id, phone) as value_record_count,
        max(record_updated_at) over (partition by unified_individual_id, phone) as value_last_updated_at
    from linked_records
    where phone is not null
),

phone_survivors as (
    select
        unified_individual_id,
        phone,
        source_system as phone_source_system,
        identity_record_id as phone_record_id
    from phone_candidates
    qualify {{ survivorship_rank('phone') }} = 1
),

date_of_birth_candidates as (
    select
        unified_individual_id,
        identity_record_id,
        source_system,
        record_updated_at,
        date_of_birth,
        count(*) over (partition by unified_individual_id, date_of_birth) as value_record_count,
        max(record_updated_at) over (partition by unified_individual_id, date_of_birth) as value_last_updated_at
    from linked_records
    where date_of_birth is not null
),

date_of_birth_survivors as (
    select
        unified_individual_id,
        date_of_birth,
        source_system as date_of_birth_source_system,
        identity_record_id as date_of_birth_record_id
    from date_of_birth_candidates
    qualify {{ survivorship_rank('date_of_birth') }} = 1
),

street_candidates as (
    select
        unified_individual_id,
        identity_record_id,
        source_system,
        record_updated_at,
        street,
        count(*) over (partition by unified_individual_id, street) as value_record_count,
        max(record_updated_at) over (partition by unified_individual_id, street) as value_last_updated_at
    from linked_records
    where street is not null
),

street_survivors as (
    select
        unified_individual_id,
        street,
        source_system as street_source_system,
        identity_record_id as street_record_id
    from street_candidates
    qualify {{ survivorship_rank('street') }} = 1
),

postal_code_candidates as (
    select
        unified_individual_id,
        identity_record_id,
        source_system,
        record_updated_at,
        postal_code,
        count(*) over (partition by unified_individual_id, postal_code) as value_record_count,
        max(record_updated_at) over (partition by unified_individual_id, postal_code) as value_last_updated_at
    from linked_records
    where postal_code is not null
),

postal_code_survivors as (
    select
        unified_individual_id,
        postal_code,
        source_system as postal_code_source_system,
        identity_record_id as postal_code_record_id
    from postal_code_candidates
    qualify {{ survivorship_rank('postal_code') }} = 1
),

city_candidates as (
    select
        unified_individual_id,
        identity_record_id,
        source_system,
        record_updated_at,
        city,
        count(*) over (partition by unified_individual_id, city) as value_record_count,
        max(record_updated_at) over (partition by unified_individual_id, city) as value_last_updated_at
    from linked_records
    where city is not null
),

city_survivors as (
    select
        unified_individual_id,
        city,
        source_system as city_source_system,
        identity_record_id as city_record_id
    from city_candidates
    qualify {{ survivorship_rank('city') }} = 1
),

country_code_candidates as (
    select
        unified_individual_id,
        identity_record_id,
        source_system,
        record_updated_at,
        country_code,
        count(*) over (partition by unified_individual_id, country_code) as value_record_count,
        max(record_updated_at) over (partition by unified_individual_id, country_code) as value_last_updated_at
    from linked_records
    where country_code is not null
),

country_code_survivors as (
    select
        unified_individual_id,
        country_code,
        source_system as country_code_source_system,
        identity_record_id as country_code_record_id
    from country_code_candidates
    qualify {{ survivorship_rank('country_code') }} = 1
),

final as (
    select
        individuals.unified_individual_id,
        first_name_survivors.first_name,
        first_name_survivors.first_name_source_system,
        first_name_survivors.first_name_record_id,
        last_name_survivors.last_name,
        last_name_survivors.last_name_source_system,
        last_name_survivors.last_name_record_id,
        email_survivors.email,
        email_survivors.email_source_system,
        email_survivors.email_record_id,
        phone_survivors.phone,
        phone_survivors.phone_source_system,
        phone_survivors.phone_record_id,
        date_of_birth_survivors.date_of_birth,
        date_of_birth_survivors.date_of_birth_source_system,
        date_of_birth_survivors.date_of_birth_record_id,
        street_survivors.street,
        street_survivors.street_source_system,
        street_survivors.street_record_id,
        postal_code_survivors.postal_code,
        postal_code_survivors.postal_code_source_system,
        postal_code_survivors.postal_code_record_id,
        city_survivors.city,
        city_survivors.city_source_system,
        city_survivors.city_record_id,
        country_code_survivors.country_code,
        country_code_survivors.country_code_source_system,
        country_code_survivors.country_code_record_id,
        coalesce(
            first_name_survivors.first_name_source_system, last_name_survivors.last_name_source_system
        ) as name_source_system,
        email_survivors.email is not null as has_email,
        individuals.graph_changed_at,
        '{{ policy_hash }}' as policy_hash
    from individuals
    left outer join first_name_survivors
        on individuals.unified_individual_id = first_name_survivors.unified_individual_id
    left outer join last_name_survivors
        on individuals.unified_individual_id = last_name_survivors.unified_individual_id
    left outer join email_survivors
        on individuals.unified_individual_id = email_survivors.unified_individual_id
    left outer join phone_survivors
        on individuals.unified_individual_id = phone_survivors.unified_individual_id
    left outer join date_of_birth_survivors
        on individuals.unified_individual_id = date_of_birth_survivors.unified_individual_id
    left outer join street_survivors
        on individuals.unified_individual_id = street_survivors.unified_individual_id
    left outer join postal_code_survivors
        on individuals.unified_individual_id = postal_code_survivors.unified_individual_id
    left outer join city_survivors
        on individuals.unified_individual_id = city_survivors.unified_individual_id
    left outer join country_code_survivors
        on individuals.unified_individual_id = country_code_survivors.unified_individual_id
)

select * from final
