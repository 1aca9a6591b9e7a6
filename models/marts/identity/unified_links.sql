-- One row per person-bearing record: the unified individual it belongs to, and how it got there (the link columns
-- of the record-to-person bridge, int_identity_records__linked).

with linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
),

final as (
    select
        identity_record_id,
        source_system,
        source_record_id,
        record_type,
        unified_individual_id,
        link_method,
        link_rule,
        link_edge_count,
        cluster_record_count,
        unified_id_minted_at,
        linked_at,
        graph_changed_at
    from linked_records
)

select * from final
