"""Blocking recall against ground truth (evaluation only; one row of nulls on real data): the share of true pairs
among the matching inputs that a blocking rule makes candidates, and the share of all true pairs connected through
the person's own candidate pairs and exact-identifier edges, the most pairwise recall can reach. Logic in
cdp/identity/evaluation.py; read by identity_resolution_metrics.

The truth is read first: without any (every real account) the model returns its row of nulls and reads nothing else.
With truth (generated or labelled public data only), it reads the matching inputs and the exact-identifier edges into
the model's process: an evaluation-only exception to the rule that no identity step on Snowflake holds a whole input
in memory, bounded by the size of the evaluation data.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa

    from cdp.identity.evaluation import BLOCKING_SCHEMA, blocking_recall, no_truth
    from cdp.identity.matching import INPUT_SCHEMA
    from cdp.identity.relations import read, result

    truth = read(dbt.ref("stg_evaluation__truth_records"),
                 pa.schema([("identity_record_id", pa.string()), ("person_id", pa.string())]))
    if truth.num_rows == 0:
        return result(no_truth(), session, BLOCKING_SCHEMA)
    records = read(dbt.ref("int_identity_match_inputs"), INPUT_SCHEMA)
    edges = read(dbt.ref("int_identity_edges__deterministic"),
                 pa.schema([("identity_record_id_l", pa.string()), ("identity_record_id_r", pa.string())]))
    return result(blocking_recall(records, truth, edges), session, BLOCKING_SCHEMA)
