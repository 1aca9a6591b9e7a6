-- What the raw-feed registration found for every declared raw table on the current invocation.

with feed_status as (
    select * from {{ source('raw_meta', 'feed_status') }}
),

final as (
    select
        source_system,
        source_table,
        location,
        feed_status,
        missing_columns,
        ignored_columns,
        columns_declared,
        feed_status = 'present' as is_present
    from feed_status
)

select * from final
