-- When each record's place in the identity graph last changed: the clock the incremental identity and profile
-- models read. One row per record ever placed: its component, cluster, cut reason, unified ID, a fingerprint of
-- its own values (every column of int_identity_records__unioned, listed in record_fingerprints) and one of every
-- edge touching it (rule, weights, explanation); `graph_changed_at` is the run in which any of them last
-- changed, or in which the record left (`is_current` false). A model rebuilds the components holding a record
-- changed since it last ran (macro records_to_rebuild): components are closed, so that covers every row whose value
-- can differ.
{{
    config(
        materialized='incremental',
        unique_key='identity_record_id',
        on_schema_change='fail',
    )
}}

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

-- Every column of the common identifier schema (int_identity_records__unioned), so a changed value restamps the
-- record; tests/python/test_identity_incremental.py checks this list against the built table.
record_fingerprints as (
    select
        identity_record_id,
        {{ cdp_identity.cdp_row_hash([
            'identity_record_id', 'source_system', 'record_type', 'source_record_id', 'first_name', 'last_name',
            'date_of_birth', 'email', 'phone', 'street', 'postal_code', 'city', 'country_code', 'member_id',
            'app_login', 'certification_id', 'payment_card_hash', 'device_id', 'anonymous_id', 'record_created_at',
            'record_updated_at', 'is_email_rejected', 'is_phone_rejected', 'is_first_name_rejected',
            'is_last_name_rejected', 'is_date_of_birth_rejected', 'is_postal_code_rejected',
        ]) }} as record_fingerprint
    from identity_records
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
        record_fingerprints.record_fingerprint,
        fingerprints.edge_fingerprint
    from clusters
    inner join unified_ids
        on clusters.identity_record_id = unified_ids.identity_record_id
    inner join record_fingerprints
        on clusters.identity_record_id = record_fingerprints.identity_record_id
    left outer join fingerprints
        on clusters.identity_record_id = fingerprints.identity_record_id
),

{%- if is_incremental() %}

    -- Each record's state as this table last recorded it (on the first run, or --full-refresh, there is none: every
    -- record is placed, none is gone).
    previous as (
        select
            identity_record_id,
            component_key,
            cluster_key,
            cut_reason,
            unified_individual_id,
            unified_id_minted_at,
            linked_at,
            record_fingerprint,
            edge_fingerprint,
            is_current
        from {{ this }}
    ),
{%- endif %}

placed_or_changed as (
    select
        states.*,
        true as is_current,
        cast({{ dbt.current_timestamp() }} as timestamp) as graph_changed_at
    from states
    {%- if is_incremental() %}
    left outer join previous
        on states.identity_record_id = previous.identity_record_id
    where previous.identity_record_id is null
        or not previous.is_current
        or states.component_key is distinct from previous.component_key
        or states.cluster_key is distinct from previous.cluster_key
        or states.cut_reason is distinct from previous.cut_reason
        or states.unified_individual_id is distinct from previous.unified_individual_id
        or states.unified_id_minted_at is distinct from previous.unified_id_minted_at
        or states.linked_at is distinct from previous.linked_at
        or states.record_fingerprint is distinct from previous.record_fingerprint
        or states.edge_fingerprint is distinct from previous.edge_fingerprint
    {%- endif %}
),

final as (
    select * from placed_or_changed
    {%- if is_incremental() %}
        union all
        -- records that left the graph since the last run
        select
            previous.identity_record_id,
            previous.component_key,
            previous.cluster_key,
            previous.cut_reason,
            previous.unified_individual_id,
            previous.unified_id_minted_at,
            previous.linked_at,
            previous.record_fingerprint,
            previous.edge_fingerprint,
            false as is_current,
            cast({{ dbt.current_timestamp() }} as timestamp) as graph_changed_at
        from previous
        left outer join states
            on previous.identity_record_id = states.identity_record_id
        where states.identity_record_id is null
            and previous.is_current
    {%- endif %}
)

select * from final
