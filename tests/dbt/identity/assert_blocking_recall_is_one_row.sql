-- int_identity_blocking_recall is a one-row summary (all null without ground truth): exactly one row, every run.

with blocking_recall as (
    select * from {{ ref('int_identity_blocking_recall') }}
)

select count(*) as row_count
from blocking_recall
having count(*) != 1
