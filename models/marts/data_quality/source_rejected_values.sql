-- Every identifier or text value that normalization nulled while keeping its record, with the reason
-- ('too long', 'card number', 'junk placeholder', 'invalid'); the per-system counts are in
-- source_identifier_quality. Never the value itself.

with rejected_values as (
    select * from {{ ref('int_source_values__rejected') }}
),

final as (
    select
        source_system,
        source_table,
        source_record_id,
        column_name,
        rejection_reason,
        loaded_at
    from rejected_values
)

select * from final
