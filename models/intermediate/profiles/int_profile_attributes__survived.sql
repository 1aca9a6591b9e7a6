-- One row per unified individual: the surviving ("golden") value of each profile attribute among the individual's
-- non-null values, by the attribute's rule in var profile_survivorship, and the system and record it came from.
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
{%- set attributes = [
    'first_name', 'last_name', 'email', 'phone', 'date_of_birth', 'street', 'postal_code', 'city', 'country_code',
] %}

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

{% for attribute in attributes %}
    {{ attribute }}_candidates as (
        select
            unified_individual_id,
            identity_record_id,
            source_system,
            record_updated_at,
            {{ attribute }} as attribute_value,
            count(*) over (partition by unified_individual_id, {{ attribute }}) as value_record_count,
            max(record_updated_at) over (partition by unified_individual_id, {{ attribute }}) as value_last_updated_at
        from linked_records
        where {{ attribute }} is not null
    ),

    {{ attribute }}_survivors as (
        select
            unified_individual_id,
            attribute_value as {{ attribute }},
            source_system as {{ attribute }}_source_system,
            identity_record_id as {{ attribute }}_record_id
        from {{ attribute }}_candidates
        qualify {{ survivorship_rank(attribute) }} = 1
    ),

{% endfor %}
final as (
    select
        individuals.unified_individual_id,
        {%- for attribute in attributes %}
            {{ attribute }}_survivors.{{ attribute }},
            {{ attribute }}_survivors.{{ attribute }}_source_system,
            {{ attribute }}_survivors.{{ attribute }}_record_id,
        {%- endfor %}
        coalesce(
            first_name_survivors.first_name_source_system, last_name_survivors.last_name_source_system
        ) as name_source_system,
        email_survivors.email is not null as has_email,
        individuals.graph_changed_at,
        '{{ policy_hash }}' as policy_hash
    from individuals
    {%- for attribute in attributes %}
    left outer join {{ attribute }}_survivors
        on individuals.unified_individual_id = {{ attribute }}_survivors.unified_individual_id
    {%- endfor %}
)

select * from final
