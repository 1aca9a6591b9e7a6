-- Accuracy against ground truth gates CI: pairwise precision and recall must reach the targets
-- (vars accuracy_min_pairwise_precision / accuracy_min_pairwise_recall) whenever ground truth is present.
-- Returns the metrics row when it falls short.

with metrics as (
    select * from {{ ref('identity_resolution_metrics') }}
)

select
    pairwise_precision,
    pairwise_recall,
    pairwise_f1,
    ground_truth_record_count
from metrics
where ground_truth_record_count > 0
    and (
        pairwise_precision < {{ var('accuracy_min_pairwise_precision') }}
        or pairwise_recall < {{ var('accuracy_min_pairwise_recall') }}
    )
