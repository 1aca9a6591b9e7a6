"""Blocking recall against ground truth (evaluation only; one row of nulls on real data): the share of true pairs
among the matching inputs that a blocking rule makes candidates, and the share of all true pairs connected through
the person's own candidate pairs and exact-identifier edges, the most pairwise recall can reach. Logic in
cdp/identity/evaluation.py; read by identity_resolution_metrics.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa

    from cdp.identity.evaluation import BLOCKING_SCHEMA, blocking_recall
    from cdp.identity.matching import INPUT_SCHEMA
    from cdp.identity.relations import read, result

    records = read(dbt.ref("int_identity_match_inputs"), INPUT_SCHEMA)
    truth = read(dbt.ref("stg_evaluation__truth_records"),
                 pa.schema([("identity_record_id", pa.string()), ("person_id", pa.string())]))
    edges = read(dbt.ref("int_identity_edges__deterministic"),
                 pa.schema([("identity_record_id_l", pa.string()), ("identity_record_id_r", pa.string())]))
    return result(blocking_recall(records, truth, edges), session, BLOCKING_SCHEMA)
