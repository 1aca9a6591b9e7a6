"""Stable unified IDs computed in the warehouse (cdp/identity/stable_ids_sql.py) equal the in-memory reference
(cdp/identity/stable_ids.py, `id_updates`): over random sequences of runs on an in-memory DuckDB, when a minted ID
was issued before, and on the demo build. (On the emulator's Snowflake, tests/python/test_snowflake_emulator.py
compares the marts built from it.)"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cdp.identity.stable_ids import PREVIOUS_SCHEMA, UPDATE_SCHEMA, id_updates, mint_id
from cdp.identity.stable_ids_sql import MINT_ATTEMPTS, MintError, id_updates_in_warehouse
from cdp.identity.warehouse import Warehouse, sql_result
from cdp.project import relations

ROOT = Path(__file__).resolve().parents[2]


def _as_table(rows: dict[str, str]) -> pa.Table:
    return pa.table({"identity_record_id": list(rows), "cluster_key": list(rows.values())})


def _warehouse_updates(connection, clusters: pa.Table, previous: pa.Table | None, now: datetime) -> pa.Table:
    connection.register("clusters_in", clusters)
    previous_sql = None
    if previous is not None:
        connection.register("previous_in", previous.select(PREVIOUS_SCHEMA.names).cast(PREVIOUS_SCHEMA))
        previous_sql = "select * from previous_in"
    sql = id_updates_in_warehouse(Warehouse(connection), "select * from clusters_in", previous_sql, now)
    return sql_result(sql, connection, UPDATE_SCHEMA)


def _rows(table: pa.Table) -> list[tuple]:
    return sorted(zip(*(table.column(name).to_pylist() for name in UPDATE_SCHEMA.names), strict=True))


def _apply(table: pa.Table | None, updates: pa.Table) -> pa.Table:
    """The unified-ID table after a run: the rows written replace the rows with the same record (dbt's merge)."""
    if table is None:
        return updates
    untouched = table.filter(pc.invert(pc.is_in(table["identity_record_id"], value_set=updates["identity_record_id"])))
    return pa.concat_tables([untouched, updates])


def _random_clusters(rng: random.Random, records: list[str], run: int) -> dict[str, str]:
    """The records of the last run (some gone, some new, some back), grouped into clusters that merge and split
    the last run's, keyed by their smallest record."""
    present = [r for r in records if rng.random() > 0.15] + [f"n{run}-{i}" for i in range(rng.randrange(5))]
    groups: dict[int, list[str]] = {}
    for record in sorted(set(present)):
        groups.setdefault(rng.randrange(max(2, len(present) // 3)), []).append(record)
    return {record: min(members) for members in groups.values() for record in members}


@pytest.mark.parametrize("seed", range(20))
def test_stable_ids_in_the_warehouse_equal_the_reference_over_runs(seed: int) -> None:
    """A sequence of runs with merges, splits, gone, new and returning records: every run writes exactly the rows
    the reference writes, and the table both keep stays equal."""
    rng = random.Random(seed)
    table = None
    records = [f"r{i:02d}" for i in range(40)]
    seen: set[str] = set()
    with duckdb.connect() as connection:
        for run in range(6):
            now = datetime(2026, 11, 1 + run, 8, 30)
            cluster_of = _random_clusters(rng, records + rng.sample(sorted(seen), min(len(seen), 2)), run)
            seen |= set(cluster_of)
            records = sorted(cluster_of)
            clusters = _as_table(cluster_of)
            expected = id_updates(clusters, table, now)
            got = _warehouse_updates(connection, clusters, table, now)
            assert got.schema == UPDATE_SCHEMA
            assert _rows(got) == _rows(expected), (seed, run)
            table = _apply(table, expected)
    assert run == 5 and table.num_rows > len(records)


def test_the_random_runs_exercise_every_change_type() -> None:
    changes: set[str | None] = set()
    for seed in range(20):
        rng, table, records, seen = random.Random(seed), None, [f"r{i:02d}" for i in range(40)], set()
        for run in range(6):
            cluster_of = _random_clusters(rng, records + rng.sample(sorted(seen), min(len(seen), 2)), run)
            seen |= set(cluster_of)
            records = sorted(cluster_of)
            updates = id_updates(_as_table(cluster_of), table, datetime(2026, 11, 1 + run))
            changes |= set(updates["id_change_type"].to_pylist())
            table = _apply(table, updates)
    assert changes == {None, "merge", "split", "retired"}


def _previous_holding(uids: list[str], now: datetime) -> pa.Table:
    """A previous table holding only tombstones of the IDs `uids` (issued before, retired since)."""
    return pa.table({"identity_record_id": [f"~retired:{uid}" for uid in uids], "unified_individual_id": uids,
                     "unified_id_minted_at": [now] * len(uids), "is_current": [False] * len(uids)},
                    schema=PREVIOUS_SCHEMA)


def test_a_minted_id_that_was_issued_before_is_never_reused() -> None:
    now, before = datetime(2026, 11, 2), datetime(2026, 11, 1)
    clusters = _as_table({"a": "a", "b": "a", "c": "c"})
    plain = mint_id(["a", "b"])
    first_salted = mint_id(["a", "b"], {plain})
    previous = _previous_holding([plain, first_salted], before)
    expected = id_updates(clusters, previous, now)
    with duckdb.connect() as connection:
        got = _warehouse_updates(connection, clusters, previous, now)
    assert _rows(got) == _rows(expected)
    uid_of = dict(zip(got["identity_record_id"].to_pylist(), got["unified_individual_id"].to_pylist(), strict=True))
    assert uid_of["a"] == uid_of["b"] == mint_id(["a", "b"], {plain, first_salted}) not in (plain, first_salted)
    assert uid_of["c"] == mint_id(["c"])


def test_minting_fails_loudly_when_every_seed_it_tries_was_issued() -> None:
    now = datetime(2026, 11, 2)
    taken: set[str] = set()
    for _ in range(MINT_ATTEMPTS):
        taken.add(mint_id(["a", "b"], taken))
    previous = _previous_holding(sorted(taken), datetime(2026, 11, 1))
    with duckdb.connect() as connection, pytest.raises(MintError, match="no new unified ID was written"):
        _warehouse_updates(connection, _as_table({"a": "a", "b": "a"}), previous, now)
    # The reference goes on salting; the warehouse path stops after MINT_ATTEMPTS seeds rather than reuse an ID.
    assert mint_id(["a", "b"], taken) not in taken


def test_the_demo_build_unified_ids_equal_the_reference(built_data: Path) -> None:
    """int_identity_unified_ids as the build wrote it (its first run, in the warehouse) equals `id_updates` over
    the built clusters (every record current, one ID per cluster, minted from its members)."""
    project = relations(ROOT)
    with duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True) as connection:
        clusters = connection.execute(
            f"select identity_record_id, cluster_key from {project.sql('int_identity_clusters')}").to_arrow_table()
        built = connection.execute(
            f"select {', '.join(UPDATE_SCHEMA.names)} from {project.sql('int_identity_unified_ids')}").fetchall()
    assert built
    now = built[0][UPDATE_SCHEMA.names.index("assigned_at")]
    expected = id_updates(clusters, None, now)
    # A build's records are all current; the minted-at and assigned-at of a first run are that run's time.
    assert sorted(row for row in built) == _rows(expected)
