"""Blocking recall against ground truth (synthetic or labelled public data): how many of the true pairs the
identity step can reach at all.

- `blocking_recall`: the share of true pairs among the matching inputs that some blocking rule makes a candidate
  pair: a pair no rule finds is never scored.
- `reachable_recall`: the share of all true pairs (every person-bearing record, anonymous ones included) whose two
  records are connected through that person's own candidate pairs and exact-identifier edges: the most that
  pairwise recall can be whatever the scores. A person's record with only a first name and another with only a
  last name are never compared, and need not be: they join through the person's other records.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdp.identity.graph import _component_labels
from cdp.identity.matching import INPUT_COLUMNS, _rule_equalities

BLOCKING_SCHEMA = pa.schema([
    ("true_pair_count", pa.int64()), ("true_pairs_in_matching_inputs", pa.int64()),
    ("candidate_true_pair_count", pa.int64()), ("reachable_true_pair_count", pa.int64()),
    ("blocking_recall", pa.float64()), ("reachable_recall", pa.float64()),
])


def _pairs(counts: pa.Array) -> int:
    values = counts.to_numpy(zero_copy_only=False).astype(np.int64)
    return int((values * (values - 1) // 2).sum())


def no_truth() -> pa.Table:
    """The row of a data set without ground truth: every value null."""
    return pa.Table.from_pylist([dict.fromkeys(BLOCKING_SCHEMA.names)], schema=BLOCKING_SCHEMA)


def blocking_recall(records: pa.Table, truth: pa.Table, exact_edges: pa.Table) -> pa.Table:
    """One row (`BLOCKING_SCHEMA`): `records` are the matching inputs, `truth` maps every person-bearing record
    (`identity_record_id`) to its `person_id`, `exact_edges` are the exact-identifier edges (`identity_record_id_l`,
    `identity_record_id_r`). No truth: one row of nulls."""
    if truth.num_rows == 0:
        return no_truth()
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.register("records", records.select(INPUT_COLUMNS))
    con.register("truth", truth.select(["identity_record_id", "person_id"]))
    con.register("exact_edges", exact_edges.select(["identity_record_id_l", "identity_record_id_r"]))
    true_pairs = _pairs(con.sql("select count(*) from truth group by person_id").to_arrow_table().column(0))
    # The true pairs among the matching inputs, each with the columns of both records.
    con.execute("""
        create table labelled as
        select records.*, truth.person_id from records inner join truth using (identity_record_id)""")
    inputs_pairs = _pairs(con.sql("select count(*) from labelled group by person_id").to_arrow_table().column(0))
    found = [" and ".join(f'l."{left}" = r."{right}"' for left, right in rule) for rule in _rule_equalities()]
    mirrored = [" and ".join(f'r."{left}" = l."{right}"' for left, right in rule) for rule in _rule_equalities()]
    candidates = con.sql(f"""
        select l.identity_record_id as identity_record_id_l, r.identity_record_id as identity_record_id_r
        from labelled as l inner join labelled as r
            on l.person_id = r.person_id and l.identity_record_id < r.identity_record_id
        where {' or '.join(f'({condition})' for condition in found + mirrored)}""").to_arrow_table()
    exact = con.sql("""
        select e.identity_record_id_l, e.identity_record_id_r from exact_edges as e
        inner join truth as tl on tl.identity_record_id = e.identity_record_id_l
        inner join truth as tr on tr.identity_record_id = e.identity_record_id_r and tl.person_id = tr.person_id
        """).to_arrow_table()
    con.close()
    # Components of each person's records under their candidate pairs and exact edges (both only ever join two
    # records of one person here), then the pairs within components.
    nodes = truth.column("identity_record_id").combine_chunks()
    index = {"l": [], "r": []}
    for table in (candidates, exact):
        index["l"].append(pc.index_in(table.column(0), value_set=nodes).to_numpy(zero_copy_only=False))
        index["r"].append(pc.index_in(table.column(1), value_set=nodes).to_numpy(zero_copy_only=False))
    left = np.concatenate(index["l"]).astype(np.int64)
    right = np.concatenate(index["r"]).astype(np.int64)
    labels = _component_labels(len(nodes), left, right)
    reachable = int(sum(count * (count - 1) // 2 for count in np.unique(labels, return_counts=True)[1]))
    candidate_count = candidates.num_rows
    return pa.Table.from_pylist([{
        "true_pair_count": true_pairs, "true_pairs_in_matching_inputs": inputs_pairs,
        "candidate_true_pair_count": candidate_count, "reachable_true_pair_count": reachable,
        "blocking_recall": candidate_count / inputs_pairs if inputs_pairs else None,
        "reachable_recall": reachable / true_pairs if true_pairs else None,
    }], schema=BLOCKING_SCHEMA)
