-- Warns when raw rows were quarantined on this run (the build goes on without them): each failing row names the
-- file, the row, the column, the value and the reason. Read them in source_rejected_rows.
{{ config(severity='warn') }}

select
    location,
    row_number,
    row_key,
    column_name,
    rejected_value,
    reject_reason
from {{ ref('source_rejected_rows') }}
