"""`cdp bench-warehouse`'s parts that need no built world: candidate pairs per blocking rule counted from block sizes
(checked against the pairs themselves), and the Snowflake estimate's arithmetic."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import duckdb
import pytest

from cdp.bench_warehouse import CORES_PER_SERVER, WAREHOUSE_SIZES, _markdown, estimate, rule_pairs
from cdp.identity.matching import BLOCKING_KEYS, CROSS_FIELD_KEYS, INPUT_COLUMNS


@pytest.fixture
def toy_world(tmp_path: Path) -> tuple[Path, Path, list[dict]]:
    """A database holding 60 matching inputs over a few values per column, and the manifest that locates them."""
    generator = random.Random(3)
    values = {column: [None, "a", "b", "c"] for column in INPUT_COLUMNS}
    rows = [{column: generator.choice(values[column]) for column in INPUT_COLUMNS} for _ in range(60)]
    for index, row in enumerate(rows):
        row["identity_record_id"] = f"r{index}"
    database = tmp_path / "cdp.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema main_intermediate")
        con.execute("create table main_intermediate.int_identity_match_inputs ("
                    + ", ".join(f"{column} varchar" for column in INPUT_COLUMNS) + ")")
        con.executemany(f"insert into main_intermediate.int_identity_match_inputs values "
                        f"({', '.join('?' for _ in INPUT_COLUMNS)})",
                        [[row[column] for column in INPUT_COLUMNS] for row in rows])
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"metadata": {"project_name": "toy"}, "nodes": {
        "model.toy.int_identity_match_inputs": {"resource_type": "model", "name": "int_identity_match_inputs",
                                                "schema": "main_intermediate", "package_name": "toy"}}}))
    return database, manifest, rows


def test_rule_pairs_equal_the_pairs_each_rule_makes(toy_world: tuple[Path, Path, list[dict]]) -> None:
    database, manifest, rows = toy_world
    counted = rule_pairs(database, manifest)
    assert counted["matching_inputs"] == 60
    for keys in BLOCKING_KEYS:
        expected = sum(1 for left, right in itertools.combinations(rows, 2)
                       if all(left[key] is not None and left[key] == right[key] for key in keys))
        assert counted["per_rule"][" + ".join(keys)] == expected, keys
    for rule in CROSS_FIELD_KEYS:
        expected = sum(1 for left, right in itertools.product(rows, rows)
                       if all(left[a] is not None and left[a] == right[b] for a, b in rule))
        assert counted["per_rule"][" + ".join(f"{a}={b}" for a, b in rule)] == expected, rule
    assert counted["sum_over_rules"] == sum(counted["per_rule"].values())


def test_every_warehouse_size_costs_the_same_credits_and_a_larger_one_finishes_sooner() -> None:
    result = estimate(10_000_000, 3_600_000_000, 1.5, seconds_per_pair_core=1e-6)
    sizes = result["sizes"]
    assert [size["size"] for size in sizes] == [name for name, _ in WAREHOUSE_SIZES]
    # 3.6e9 pairs at a microsecond per pair and core: 3,600 core-seconds = 1 core-hour, over 8 cores an X-Small.
    assert sizes[0]["hours"] == pytest.approx(1 / CORES_PER_SERVER)
    assert all(size["credits"] == pytest.approx(sizes[0]["credits"]) for size in sizes)
    assert all(later["hours"] == pytest.approx(earlier["hours"] / 2) for earlier, later in itertools.pairwise(sizes))


def test_the_section_names_the_faster_engine_and_every_estimate() -> None:
    scales = [{"target_records": n, "matching_inputs": n, "per_rule": {"email": n}, "sum_over_rules": n,
               "candidate_pairs": n} for n in (1000, 10_000)]
    results = {"measured_on": "2026-01-01", "machine": "x86_64, 2 cores, Python 3.11", "largest": "records_10000",
               "scales": scales, "seconds_per_pair_core": 2e-6, "cores_per_server": CORES_PER_SERVER,
               "engines": [{"engine": "sql", "node_seconds": 5.0, "wall_seconds": 9.0, "peak_memory_mb": 100.0,
                            "pairs_kept": 10},
                           {"engine": "splink", "node_seconds": 4.0, "wall_seconds": 8.0, "peak_memory_mb": 200.0,
                            "pairs_kept": 10}],
               "estimates": [estimate(n, n * 10, 1.0, 2e-6) for n in (10_000_000, 100_000_000)]}
    text = _markdown(results)
    assert "Faster here: **splink**" in text
    assert text.count("| 100,000,000 | 1,000,000,000 |") == len(WAREHOUSE_SIZES)
    assert "2X-Large" in text
