-- Raw rows set aside on this run because they could not be typed or keyed, one row per rejected value: which
-- system, table and file, which row (its key as delivered and its position in the file), which column, the value
-- and why. Everything else of the table, the system and every other system built without them.

with rejected_rows as (
    select * from {{ ref('stg_raw_meta__rejected_rows') }}
),

final as (
    select * from rejected_rows
)

select * from final
