-- Raw values quarantined on the current invocation: the row was set aside, the rest of its table built.

with rejected_rows as (
    select * from {{ source('raw_meta', 'rejected_rows') }}
),

final as (
    select
        source_system,
        source_table,
        location,
        row_key,
        row_number,
        column_name,
        rejected_value,
        reject_reason,
        raw_loaded_at,
        loaded_at,
        run_id,
        seen_at
    from rejected_rows
)

select * from final
