"""No model joins two inputs of any size without equal keys: DuckDB's planner answers such a join with a nested loop
that compares every row of one side with every row of the other, which is invisible on small data and dominates a
build at a million records (a left join whose condition held a constant on one side, `amount_kind = 'store_order'`,
took 48 of the 100 seconds of an unchanged build there; BENCHMARKS.md).

Every SQL model is compiled against the database `make test` built (so an incremental model shows the plan of its
incremental run, what every frequent run executes) and explained; a join operator that is not a hash join fails the
test when both of its inputs are estimated at LARGE rows or more. Joins against a handful of rows (the insight
snapshots, a scalar subquery, word positions) stay allowed.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt

# The join operators that compare every pair of rows (or sort both sides for one inequality) instead of hashing.
NESTED_JOINS = {"NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN", "CROSS_PRODUCT", "PIECEWISE_MERGE_JOIN", "IE_JOIN"}
LARGE = 100


def nested_joins(plan: list[dict], large: int = LARGE) -> list[str]:
    """The nested joins of an EXPLAIN (FORMAT JSON) plan whose every input is estimated at `large` rows or more."""
    found = []

    def estimate(node: dict) -> int | None:
        value = (node.get("extra_info") or {}).get("Estimated Cardinality")
        return int(value) if value not in (None, "") else None

    def walk(node: dict) -> None:
        children = node.get("children", [])
        if node.get("name") in NESTED_JOINS and len(children) == 2:
            sizes = [estimate(child) for child in children]
            if all(size is not None and size >= large for size in sizes):
                condition = (node.get("extra_info") or {}).get("Condition") or (node.get("extra_info") or {}).get(
                    "Conditions", "")
                found.append(f"{node['name']} of {sizes[0]:,} x {sizes[1]:,} estimated rows on {condition}")
        for child in children:
            walk(child)

    for root in plan:
        walk(root)
    return found


def explain(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    return json.loads(con.sql("explain (format json) " + sql).fetchall()[0][1])


@pytest.fixture(scope="module")
def compiled_models(built_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    target = tmp_path_factory.mktemp("plans") / "target"
    result = run_dbt(["compile", "--select", "resource_type:model"], built_data / "raw", built_data / "cdp.duckdb",
                     target=target)
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((target / "manifest.json").read_text())
    return {node["name"]: node["compiled_code"] for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node.get("language") == "sql"
            and node["package_name"] == "cdp_identity" and node.get("compiled_code")}


def test_a_join_without_equal_keys_between_large_inputs_is_found() -> None:
    """The check itself: the left join that made the activity union a nested loop, on a toy table pair."""
    con = duckdb.connect()
    con.sql("create table amounts as select range::varchar as source_amount_id, 'store_order' as amount_kind "
            "from range(5000)")
    con.sql("create table orders as select range::varchar as order_id, 1.0 as total_price from range(5000)")
    constant_in_condition = ("select * from amounts left join orders on amounts.amount_kind = 'store_order' "
                             "and amounts.source_amount_id = orders.order_id")
    equal_keys_only = ("select * from amounts left join (select 'store_order' as amount_kind, * from orders) as o "
                       "on amounts.amount_kind = o.amount_kind and amounts.source_amount_id = o.order_id")
    assert nested_joins(explain(con, constant_in_condition))
    assert not nested_joins(explain(con, equal_keys_only))


def test_no_model_joins_large_inputs_without_equal_keys(built_data: Path, compiled_models: dict[str, str]) -> None:
    assert len(compiled_models) > 100, "the compiled models were not found"
    con = duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True)
    findings = {}
    try:
        for name, sql in sorted(compiled_models.items()):
            joins = nested_joins(explain(con, sql))
            if joins:
                findings[name] = joins
    finally:
        con.close()
    assert not findings, json.dumps(findings, indent=2)
