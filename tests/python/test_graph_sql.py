"""Clustering computed in the warehouse (cdp/identity/graph_sql.py) equals the in-memory reference
(cdp/identity/graph.py, `cluster_arrays`): on random graphs on an in-memory DuckDB, and on the demo build. (On the
emulator's Snowflake, tests/python/test_snowflake_emulator.py compares the marts built from it.)"""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from cdp.identity.graph import CLUSTER_SCHEMA, CUT_PRIORITY, cluster_arrays, cluster_table
from cdp.identity.graph_sql import TABLES, cluster_in_warehouse, drop_cluster_tables
from cdp.identity.warehouse import Warehouse, sql_result
from cdp.project import project_vars, relations

ROOT = Path(__file__).resolve().parents[2]


def _reference_clusters(nodes, edges, separate, max_cluster_size, min_bridge_side) -> list[tuple]:
    """`cluster_arrays` as the rows of int_identity_clusters, by record."""
    table = cluster_table(cluster_arrays(
        pa.array(nodes, pa.string()), pa.array([e[0] for e in edges], pa.string()),
        pa.array([e[1] for e in edges], pa.string()), pa.array([e[2] for e in edges], pa.float64()),
        force_separate=separate, max_cluster_size=max_cluster_size, min_bridge_side=min_bridge_side))
    return sorted(zip(*(table.column(name).to_pylist() for name in CLUSTER_SCHEMA.names), strict=True))


def _warehouse_clusters(connection, nodes, edges, separate, max_cluster_size, min_bridge_side,
                        batch_records=50_000) -> list[tuple]:
    connection.register("records_in", pa.table({"identity_record_id": pa.array(nodes, pa.string())}))
    connection.register("edges_in", pa.table({
        "identity_record_id_l": pa.array([e[0] for e in edges], pa.string()),
        "identity_record_id_r": pa.array([e[1] for e in edges], pa.string()),
        "edge_weight": pa.array([e[2] for e in edges], pa.float64())}))
    connection.register("separate_in", pa.table({
        "identity_record_id_l": pa.array([a for a, _ in separate], pa.string()),
        "identity_record_id_r": pa.array([b for _, b in separate], pa.string())}))
    warehouse = Warehouse(connection)
    sql = cluster_in_warehouse(warehouse, "select * from records_in", "select * from edges_in",
                               "select * from separate_in", max_cluster_size, min_bridge_side, batch_records)
    table = sql_result(sql, connection, CLUSTER_SCHEMA)
    assert table.schema == CLUSTER_SCHEMA
    drop_cluster_tables(warehouse)
    return sorted(zip(*(table.column(name).to_pylist() for name in CLUSTER_SCHEMA.names), strict=True))


def _random_graph(rng: random.Random) -> tuple[list[str], list[tuple[str, str, float]], list[tuple[str, str]]]:
    """People of a few records each (strong edges inside), weak links between some of them (bridges, and chains of
    people that exceed the cap), dense clumps (no bridge to cut), duplicate and self edges, edges to unknown
    records, and force-separate pairs (in one component, across components, naming unknown records)."""
    people = [[f"p{p:03d}-{i}" for i in range(rng.randint(1, 5))] for p in range(rng.randint(20, 80))]
    nodes = [record for person in people for record in person]
    edges: list[tuple[str, str, float]] = []
    for person in people:
        for a, b in zip(person, person[1:], strict=False):
            edges.append((a, b, float(rng.choice([10, 20, 30]))))
        if len(person) > 2 and rng.random() < 0.5:
            edges.append((person[-1], person[0], float(rng.choice([10, 20]))))
    for _ in range(rng.randint(5, len(people))):
        a, b = rng.choice(nodes), rng.choice(nodes)
        edges.append((a, b, float(rng.choice([1, 2, 2, 3, 5]))))
    clump = rng.sample(nodes, min(len(nodes), rng.randint(4, 9)))
    edges += [(a, b, float(rng.choice([4, 6]))) for i, a in enumerate(clump) for b in clump[i + 1:]]
    edges += [(a, b, w + 1.0) for a, b, w in rng.sample(edges, 3)]  # the same pair again, stronger
    edges += [(nodes[0], nodes[0], 9.0), (nodes[0], "unknown-record", 9.0)]
    separate = [tuple(rng.sample(nodes, 2)) for _ in range(rng.randint(0, 4))] + [(nodes[-1], "unknown-record")]
    rng.shuffle(edges)
    return nodes, edges, separate


@pytest.mark.parametrize("seed", range(25))
def test_clustering_in_the_warehouse_equals_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    nodes, edges, separate = _random_graph(rng)
    max_cluster_size, min_bridge_side = rng.choice([3, 5, 8, 12]), rng.choice([1, 2, 3])
    expected = _reference_clusters(nodes, edges, separate, max_cluster_size, min_bridge_side)
    with duckdb.connect() as connection:
        # One batch for everything, and batches smaller than a component (each component comes whole).
        for batch_records in (50_000, 4):
            got = _warehouse_clusters(connection, nodes, edges, separate, max_cluster_size, min_bridge_side,
                                      batch_records)
            assert got == expected, (seed, batch_records)


def test_the_random_graphs_exercise_every_guard() -> None:
    reasons: set[str] = set()
    for seed in range(25):
        rng = random.Random(seed)
        nodes, edges, separate = _random_graph(rng)
        rows = _reference_clusters(nodes, edges, separate, rng.choice([3, 5, 8, 12]), rng.choice([1, 2, 3]))
        reasons |= {row[3] for row in rows if row[3]}
    assert reasons == set(CUT_PRIORITY)


def test_clustering_in_the_warehouse_drops_its_tables_and_handles_an_empty_graph() -> None:
    with duckdb.connect() as connection:
        assert _warehouse_clusters(connection, [], [], [], 3, 2) == []
        left = connection.execute("select table_name from duckdb_tables() where temporary").fetchall()
        assert not {name for (name,) in left} & {f"cdp_clusters__{table}" for table in TABLES}


def test_the_demo_build_clusters_equal_the_warehouse_path(built_data: Path) -> None:
    """On the demo build: int_identity_clusters as the build wrote it (DuckDB's in-memory path), the warehouse path
    run over the same inputs in that database (Snowflake's path), and the reference all agree."""
    project, variables = relations(ROOT), project_vars(ROOT)
    max_cluster_size, min_bridge_side = int(variables["max_cluster_size"]), int(variables["min_bridge_side"])
    records_sql = f"select identity_record_id from {project.sql('int_identity_records__unioned')}"
    edges_sql = (f"select identity_record_id_l, identity_record_id_r, edge_weight "
                 f"from {project.sql('int_identity_edges__unioned')}")
    separate_sql = (f"select identity_record_id_l, identity_record_id_r "
                    f"from {project.sql('int_identity_overrides__resolved')} "
                    "where override_status = 'applied' and override_action = 'force_separate'")
    with duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True) as connection:
        nodes = [row[0] for row in connection.execute(records_sql).fetchall()]
        edges = connection.execute(edges_sql).fetchall()
        separate = connection.execute(separate_sql).fetchall()
        built = sorted(connection.execute(
            f"select {', '.join(CLUSTER_SCHEMA.names)} from {project.sql('int_identity_clusters')}").fetchall())
        warehouse = Warehouse(connection)
        sql = cluster_in_warehouse(warehouse, records_sql, edges_sql, separate_sql, max_cluster_size, min_bridge_side)
        in_warehouse = sql_result(sql, connection, CLUSTER_SCHEMA)
    assert sorted(zip(*(in_warehouse.column(name).to_pylist() for name in CLUSTER_SCHEMA.names), strict=True)) == built
    assert built == _reference_clusters(nodes, edges, separate, max_cluster_size, min_bridge_side)


class _CountingWarehouse(Warehouse):
    """A warehouse that records how many rows each query brought into the process."""

    def __init__(self, session) -> None:
        super().__init__(session)
        self.fetched: list[int] = []

    def rows(self, sql: str) -> list[tuple]:
        found = super().rows(sql)
        self.fetched.append(len(found))
        return found


def test_the_process_holds_one_batch_of_worked_components_not_the_graph() -> None:
    """Forty oversized rings of ten records (cap 6) and a thousand small pairs: every query the clustering reads into
    the process brings at most one batch (`batch_records` records plus one component: its records, or its edges),
    never the graph, and the result still equals the reference."""
    rng = random.Random(5)
    rings = [[f"ring{r:02d}-{i}" for i in range(10)] for r in range(40)]
    pairs = [[f"pair{p:04d}-a", f"pair{p:04d}-b"] for p in range(1000)]
    nodes = [record for group in rings + pairs for record in group]
    edges = [(ring[i], ring[(i + 1) % 10], float(rng.randint(1, 9))) for ring in rings for i in range(10)]
    edges += [(a, b, 20.0) for a, b in pairs]
    with duckdb.connect() as connection:
        for name, table in (("records_in", pa.table({"identity_record_id": nodes})),
                            ("edges_in", pa.table({"identity_record_id_l": [e[0] for e in edges],
                                                   "identity_record_id_r": [e[1] for e in edges],
                                                   "edge_weight": [e[2] for e in edges]})),
                            ("separate_in", pa.table({"identity_record_id_l": pa.array([], pa.string()),
                                                      "identity_record_id_r": pa.array([], pa.string())}))):
            connection.register(name, table)
        warehouse = _CountingWarehouse(connection)
        sql = cluster_in_warehouse(warehouse, "select * from records_in", "select * from edges_in",
                                   "select * from separate_in", max_cluster_size=6, min_bridge_side=2,
                                   batch_records=20)
        table = sql_result(sql, connection, CLUSTER_SCHEMA)
    got = sorted(zip(*(table.column(name).to_pylist() for name in CLUSTER_SCHEMA.names), strict=True))
    assert got == _reference_clusters(nodes, edges, [], 6, 2)
    assert len(warehouse.fetched) > 2 * 40 // 3  # several batches were read, each with its records and edges
    assert max(warehouse.fetched) <= 20 + 10  # one batch: 20 records plus one ring (or as many ring edges)
