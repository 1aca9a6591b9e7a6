"""Clustering guards and the stable-ID rules, on small hand-built cases."""

from __future__ import annotations

import random
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cdp.identity.graph import cluster
from cdp.identity.stable_ids import assign_ids, id_updates, mint_id

NOW = "2026-11-02T00:00:00"
BEFORE = "2026-11-01T00:00:00"
LONG_AGO = "2026-01-01T00:00:00"


def test_connected_records_form_one_cluster_keyed_by_smallest_record() -> None:
    result = cluster(["a", "b", "c", "d"], [("b", "a", 10.0), ("c", "b", 5.0)])
    assert result.cluster_of == {"a": "a", "b": "a", "c": "a", "d": "d"}
    assert result.cuts == []


def test_force_separate_cuts_the_weakest_link_between_the_two() -> None:
    # a-b strong, b-c weak, c-d strong: separating a and d must cut b-c only.
    result = cluster(["a", "b", "c", "d"], [("a", "b", 30.0), ("b", "c", 2.0), ("c", "d", 30.0)],
                     force_separate=[("a", "d")])
    assert result.cluster_of == {"a": "a", "b": "a", "c": "c", "d": "c"}
    assert [(c.left, c.right, c.reason) for c in result.cuts] == [("b", "c", "force_separate")]


def test_cluster_cap_cuts_the_weak_bridge_between_two_groups() -> None:
    left = [("l1", "l2", 20.0), ("l2", "l3", 20.0), ("l1", "l3", 20.0)]
    right = [("r1", "r2", 20.0), ("r2", "r3", 20.0), ("r1", "r3", 20.0)]
    result = cluster(["l1", "l2", "l3", "r1", "r2", "r3"], [*left, *right, ("l3", "r1", 8.0)],
                     max_cluster_size=4)
    assert {result.cluster_of[n] for n in ("l1", "l2", "l3")} == {"l1"}
    assert {result.cluster_of[n] for n in ("r1", "r2", "r3")} == {"r1"}
    assert [(c.left, c.right, c.reason) for c in result.cuts] == [("l3", "r1", "bridge")]


def test_cluster_cap_without_bridges_drops_weakest_edges_until_under_cap() -> None:
    ring = [("a", "b", 9.0), ("b", "c", 9.0), ("c", "d", 1.0), ("d", "a", 1.0)]
    result = cluster(["a", "b", "c", "d"], ring, max_cluster_size=3, min_bridge_side=3)
    sizes = sorted(list(result.cluster_of.values()).count(k) for k in set(result.cluster_of.values()))
    assert max(sizes) <= 3
    assert {c.reason for c in result.cuts} == {"cluster_cap"}
    assert all(c.weight == 1.0 for c in result.cuts)


def test_small_clusters_are_untouched_by_the_cap() -> None:
    result = cluster(["a", "b"], [("a", "b", 1.0)], max_cluster_size=2)
    assert result.cuts == []


def test_cap_must_be_positive() -> None:
    with pytest.raises(ValueError):
        cluster(["a"], [], max_cluster_size=0)


def test_unchanged_clusters_keep_their_ids() -> None:
    previous = {"a": "UI-1", "b": "UI-1", "c": "UI-2"}
    result = assign_ids({"a": "a", "b": "a", "c": "c"}, previous, {"UI-1": BEFORE, "UI-2": BEFORE}, NOW)
    assert result.unified_id_of == previous
    assert result.changes == []


def test_merge_keeps_the_oldest_id_and_logs_the_retired_one() -> None:
    previous = {"a": "UI-new", "b": "UI-old"}
    result = assign_ids({"a": "a", "b": "a"}, previous, {"UI-new": BEFORE, "UI-old": LONG_AGO}, NOW)
    assert set(result.unified_id_of.values()) == {"UI-old"}
    assert [(c.old_id, c.new_id, c.change_type) for c in result.changes] == [("UI-new", "UI-old", "merge")]


def test_split_keeps_the_id_on_the_largest_part_and_mints_for_the_rest() -> None:
    previous = {"a": "UI-1", "b": "UI-1", "c": "UI-1", "d": "UI-1"}
    result = assign_ids({"a": "a", "b": "a", "c": "a", "d": "d"}, previous, {"UI-1": BEFORE}, NOW)
    assert result.unified_id_of["a"] == result.unified_id_of["b"] == result.unified_id_of["c"] == "UI-1"
    assert result.unified_id_of["d"] == mint_id(["d"])
    assert [(c.old_id, c.new_id, c.change_type, c.records_moved) for c in result.changes] == [
        ("UI-1", mint_id(["d"]), "split", 1)
    ]
    assert result.minted_at_of[mint_id(["d"])] == NOW


def test_new_records_join_existing_ids_and_new_clusters_get_new_ids() -> None:
    result = assign_ids({"a": "a", "b": "a", "z": "z"}, {"a": "UI-1"}, {"UI-1": BEFORE}, NOW)
    assert result.unified_id_of["b"] == "UI-1"
    assert result.unified_id_of["z"] == mint_id(["z"])
    assert result.changes == []


def test_minting_is_deterministic_and_order_free() -> None:
    assert mint_id(["b", "a"]) == mint_id(["a", "b"]) != mint_id(["a", "c"])


def test_minting_never_reissues_a_taken_id() -> None:
    retired = mint_id(["d"])
    result = assign_ids({"d": "d"}, {}, {}, NOW, taken={retired})
    assert result.unified_id_of["d"] != retired
    assert result.unified_id_of["d"] == mint_id(["d"], {retired})


def _apply(table: pa.Table | None, updates: pa.Table) -> pa.Table:
    """The unified-ID table after a run: the rows written replace the rows with the same record (dbt's merge)."""
    if table is None:
        return updates
    untouched = table.filter(pc.invert(pc.is_in(table["identity_record_id"], value_set=updates["identity_record_id"])))
    return pa.concat_tables([untouched, updates])


def _random_run(rng: random.Random, records: list[str]) -> dict[str, str]:
    """Records (some dropped, some new) grouped at random into clusters keyed by their smallest record."""
    present = [r for r in records if rng.random() > 0.1] + [f"n{rng.randrange(10**6)}" for _ in range(rng.randrange(4))]
    groups: dict[int, list[str]] = {}
    for record in sorted(set(present)):
        groups.setdefault(rng.randrange(max(2, len(present) // 2)), []).append(record)
    return {record: min(members) for members in groups.values() for record in members}


@pytest.mark.parametrize("seed", range(20))
def test_id_updates_write_exactly_what_the_rules_change(seed: int) -> None:
    """Over several runs of random merges, splits, new and gone records, the table that `id_updates` keeps
    (only changed rows written) always holds the IDs `assign_ids` gives over every cluster, and no row is
    written for a record whose ID did not change."""
    rng = random.Random(seed)
    table = None
    records = [f"r{i:02d}" for i in range(30)]
    for run in range(5):
        now = datetime(2026, 11, 1 + run)
        cluster_of = _random_run(rng, records)
        records = sorted(cluster_of)
        before = {} if table is None else {
            r: u for r, u, c in zip(*(table[n].to_pylist() for n in ("identity_record_id", "unified_individual_id",
                                                                   "is_current")), strict=True) if c}
        minted = {} if table is None else {
            u: min(t.isoformat() for u2, t in zip(table["unified_individual_id"].to_pylist(),
                                                  table["unified_id_minted_at"].to_pylist(), strict=True) if u2 == u)
            for u in table["unified_individual_id"].to_pylist()}
        expected = assign_ids(cluster_of, before, minted, now.isoformat(), taken=set(minted))
        clusters = pa.table({"identity_record_id": list(cluster_of), "cluster_key": list(cluster_of.values())})
        updates = id_updates(clusters, table, now)
        written = set(updates.filter(updates["is_current"])["identity_record_id"].to_pylist())
        assert written == {r for r in cluster_of if before.get(r) != expected.unified_id_of[r]}
        table = _apply(table, updates)
        current = table.filter(table["is_current"])
        assert dict(zip(current["identity_record_id"].to_pylist(), current["unified_individual_id"].to_pylist(),
                        strict=True)) == expected.unified_id_of
        retired = set(before.values()) - set(expected.unified_id_of.values())
        assert set(updates.filter(pc.starts_with(updates["identity_record_id"], "~retired:"))
                   ["unified_individual_id"].to_pylist()) == retired
