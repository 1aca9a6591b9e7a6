-- When each record's place in the identity graph last changed: the clock the incremental identity and profile
-- models read. One row per record ever placed: its component, cluster, cut reason, unified ID, a fingerprint of
-- its own values (every column of int_identity_records__unioned) and one of every edge touching it (rule,
-- weights, explanation); `graph_changed_at` is the run in which any of them last changed, or in which the record
-- left (`is_current` false). A model rebuilds the components holding a record changed since it last ran
-- (macro records_to_rebuild): components are closed, so that covers every row whose value can differ.
{{
    config(
        materialized='incremental',
        unique_key='identity_record_id',
        on_schema_change='fail',
    )
}}

{%- set this_run = "cast(" ~ dbt.current_timestamp() ~ " as timestamp)" %}
{%- set tracked = ['component_key', 'cluster_key', 'cut_reason', 'unified_individual_id', 'unified_id_minted_at',
                   'linked_at', 'record_fingerprint', 'edge_fingerprint'] %}
{#- Every column of the records, read from the built table (so a column added later is covered too). #}
{%- set record_columns = ['identity_record_id'] %}
{%- if execute %}
    {%- set record_columns = adapter.get_columns_in_relation(ref('int_identity_records__unioned'))
        | map(attribute='name') | list or record_columns %}
{%- endif %}
{%- set qualified_record_columns = [] %}
{%- for column in record_columns %}{% do qualified_record_columns.append('identity_records.' ~ column) %}{% endfor %}

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

clusters as (
    select * from {{ ref('int_identity_clusters') }}
),

unified_ids as (
    select * from {{ ref('int_identity_unified_ids') }}
    where is_current
),

edges as (
    select * from {{ ref('int_identity_edges__unioned') }}
),

edge_hashes as (
    select
        identity_record_id_l,
        identity_record_id_r,
        {{ cdp_identity.cdp_row_hash([
            'identity_record_id_l', 'identity_record_id_r', 'match_method', 'match_rule', 'match_weight',
            'match_probability', 'edge_weight', 'explanation',
        ]) }} as edge_hash
    from edges
),

record_edge_hashes as (
    select
        identity_record_id_l as identity_record_id,
        edge_hash
    from edge_hashes
    union all
    select
        identity_record_id_r as identity_record_id,
        edge_hash
    from edge_hashes
),

fingerprints as (
    select
        identity_record_id,
        {{ cdp_identity.cdp_bit_xor_agg('edge_hash') }} as edge_fingerprint
    from record_edge_hashes
    group by identity_record_id
),

states as (
    select
        clusters.identity_record_id,
        clusters.component_key,
        clusters.cluster_key,
        clusters.cut_reason,
        unified_ids.unified_individual_id,
        unified_ids.unified_id_minted_at,
        unified_ids.assigned_at as linked_at,
        {{ cdp_identity.cdp_row_hash(qualified_record_columns) }} as record_fingerprint,
        fingerprints.edge_fingerprint
    from clusters
    inner join unified_ids
        on clusters.identity_record_id = unified_ids.identity_record_id
    inner join identity_records
        on clusters.identity_record_id = identity_records.identity_record_id
    left outer join fingerprints
        on clusters.identity_record_id = fingerprints.identity_record_id
),

-- On the first run (or --full-refresh) nothing was placed before (`previous` reads this CTE then).
no_previous as (  -- noqa: ST03
    select
        *,
        true as is_current
    from states
    where false
),

previous as (
    select
        identity_record_id,
        {{ tracked | join(', ') }},
        is_current
    from {{ this if is_incremental() else 'no_previous' }}
),

placed_or_changed as (
    select
        states.*,
        true as is_current,
        {{ this_run }} as graph_changed_at
    from states
    left outer join previous
        on states.identity_record_id = previous.identity_record_id
    where previous.identity_record_id is null
        or not previous.is_current
        {%- for column in tracked %}
            or states.{{ column }} is distinct from previous.{{ column }}
        {%- endfor %}
),

gone as (
    select
        previous.identity_record_id,
        {%- for column in tracked %}
            previous.{{ column }},
        {%- endfor %}
        false as is_current,
        {{ this_run }} as graph_changed_at
    from previous
    left outer join states
        on previous.identity_record_id = states.identity_record_id
    where states.identity_record_id is null
        and previous.is_current
),

final as (
    select * from placed_or_changed
    union all
    select * from gone
)

select * from final
