"""Incremental scoring, unit by unit: what a run must score again, and that scoring only the changed records
gives exactly the pairs (and scores) a full run gives them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from cdp.identity.incremental import (
    OUTPUT_SCHEMA,
    STORED_PAIR_SCHEMA,
    TRACKED_SCHEMA,
    assemble,
    plan_rescoring,
)
from cdp.identity.matching import INPUT_SCHEMA, predict

T0, T1 = dt.datetime(2026, 11, 1, 2), dt.datetime(2026, 11, 2, 2)


def _tracked(rows: list[tuple[str, bool, dt.datetime]]) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(TRACKED_SCHEMA.names, r, strict=True)) for r in rows],
                                schema=TRACKED_SCHEMA)


def _stored(pairs: list[tuple[str, str]], version: str = "v1", watermark: dt.datetime = T0) -> pa.Table:
    return pa.Table.from_pylist([
        {"identity_record_id_l": left, "identity_record_id_r": right, "match_weight": 5.0, "match_probability": 0.9,
         "explanation": "{}", "is_partial_name": False, "has_exact_identifier": True, "model_version": version,
         "input_watermark": watermark} for left, right in pairs], schema=STORED_PAIR_SCHEMA)


def test_first_run_scores_everything() -> None:
    plan = plan_rescoring(_tracked([("a", True, T0), ("b", True, T0)]), None, "v1")
    assert plan.changed is None and plan.watermark == T0


def test_a_run_scores_only_records_changed_after_the_stored_watermark() -> None:
    tracked = _tracked([("a", True, T0), ("b", True, T1), ("c", False, T1), ("d", True, T0)])
    plan = plan_rescoring(tracked, _stored([("a", "b"), ("a", "d"), ("c", "d")]), "v1")
    assert plan.changed == {"b", "c"}
    assert plan.watermark == T1
    assert plan.retired_pairs == {("a", "b"), ("c", "d")}


def test_nothing_changed_scores_nothing() -> None:
    plan = plan_rescoring(_tracked([("a", True, T0), ("b", True, T0)]), _stored([("a", "b")]), "v1")
    assert plan.changed == set() and not plan.retired_pairs


def test_a_new_trained_model_rescores_everything() -> None:
    plan = plan_rescoring(_tracked([("a", True, T0), ("b", True, T0)]), _stored([("a", "b")], "v0"), "v1")
    assert plan.changed is None and plan.retired_pairs == {("a", "b")}


def test_drift_since_the_oldest_score_bounded_by_a_full_rescore() -> None:
    """Records changed since the oldest stored score are what its term frequencies never saw: at the share, every
    record is scored again (and every stored pair is rescored or retired)."""
    T2 = T1 + dt.timedelta(days=1)
    stored = pa.concat_tables([_stored([("a", "b")]), _stored([("c", "d")], watermark=T1)])
    # c and d changed at T1 (already rescored then); e arrives at T2: 3 of 5 records changed since T0.
    tracked = _tracked([("a", True, T0), ("b", True, T0), ("c", True, T1), ("d", True, T1), ("e", True, T2)])
    below = plan_rescoring(tracked, stored, "v1", rescore_all_share=0.7)
    assert below.changed == {"e"}, "under the share, only the records changed since the last run"
    at = plan_rescoring(tracked, stored, "v1", rescore_all_share=0.6)
    assert at.changed is None and at.retired_pairs == {("a", "b"), ("c", "d")}
    realign = plan_rescoring(_tracked([("a", True, T0), ("b", True, T0)]), _stored([("a", "b")]), "v1",
                             rescore_all_share=0)
    assert realign.changed is None, "a share of 0 (make realign) rescores everything, even with nothing new"


def test_pairs_not_scored_again_are_retired_not_dropped() -> None:
    stored = _stored([("a", "b"), ("a", "d"), ("c", "d")])
    plan = plan_rescoring(_tracked([("a", True, T0), ("b", True, T1), ("c", False, T1), ("d", True, T0)]),
                          stored, "v1")
    rescored = _stored([("a", "b")], watermark=T1).drop_columns(["model_version", "input_watermark"])
    rows = assemble(rescored, plan, "v1")
    assert rows.schema == OUTPUT_SCHEMA
    by_pair = {(r["identity_record_id_l"], r["identity_record_id_r"]): r for r in rows.to_pylist()}
    assert set(by_pair) == {("a", "b"), ("c", "d")}, "the untouched pair (a, d) is not rewritten"
    assert by_pair["a", "b"]["is_current"] and by_pair["a", "b"]["input_watermark"] == T1
    assert not by_pair["c", "d"]["is_current"]


@pytest.fixture(scope="module")
def match_inputs(built_data: Path) -> pa.Table:
    with duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True) as con:
        return con.sql(f"select {', '.join(INPUT_SCHEMA.names)} from intermediate.int_identity_match_inputs"
                       ).to_arrow_table().cast(INPUT_SCHEMA)


def test_scoring_changed_records_gives_the_full_run_pairs_that_touch_them(match_inputs: pa.Table) -> None:
    ids = match_inputs.column("identity_record_id").to_pylist()
    changed = set(ids[::25])
    full = predict(match_inputs, 0.2)
    incremental = predict(match_inputs, 0.2, changed=changed)

    def rows(table: pa.Table) -> dict[tuple[str, str], tuple]:
        return {(r["identity_record_id_l"], r["identity_record_id_r"]): (
            round(r["match_weight"], 9), r["explanation"], r["is_partial_name"], r["has_exact_identifier"])
            for r in table.to_pylist()}

    expected = {pair: row for pair, row in rows(full).items() if pair[0] in changed or pair[1] in changed}
    assert len(expected) > 100
    assert rows(incremental) == expected
