"""Clustering, stable IDs and the model-health counts in the warehouse through a Snowpark session, on an emulator of
its own: the Snowflake spelling of the SQL (SHA2, LISTAGG ... WITHIN GROUP, JSON_EXTRACT_PATH_TEXT, temporary tables,
the batch upload) gives what the in-memory reference gives. (`make test-snowflake` then builds the models themselves
there; test_snowflake_emulator.py compares the marts.)"""

from __future__ import annotations

import atexit
import copy
import json
import random
import socket
from collections.abc import Iterator
from datetime import datetime

import duckdb
import pyarrow as pa
import pytest
from test_graph_sql import _random_graph, _reference_clusters
from test_stable_ids_sql import _apply, _as_table, _previous_holding, _random_clusters, _rows
from test_training import _world

from cdp.identity.graph import CLUSTER_SCHEMA
from cdp.identity.graph_sql import cluster_in_warehouse
from cdp.identity.health import check
from cdp.identity.matching import COMPARISON_COLUMNS, TRAINING_KEY, model_bytes
from cdp.identity.stable_ids import PREVIOUS_SCHEMA, UPDATE_SCHEMA, id_updates, mint_id
from cdp.identity.stable_ids_sql import id_updates_in_warehouse
from cdp.identity.warehouse import Warehouse, sql_result


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A Snowpark session on an emulator of its own. Snowpark closes its sessions when the interpreter exits (it
    cancels their queries on the server, with retries that outlast a stopped emulator), so the emulator is stopped at
    exit too, after the session (atexit runs last-registered first), not when the module's tests end."""
    from snowflake.snowpark import Session

    from cdp.snowflake import emulator
    from cdp.snowflake.connection import connect

    folder = tmp_path_factory.mktemp("emulator")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CDP_EMULATOR_PORT", str(port))
        emulator.start(port, folder / "emulator.pid", folder / "emulator.log")
        atexit.register(emulator.stop, folder / "emulator.pid")
        connection = connect("emulator")
        for statement in ("create database if not exists WAREHOUSETEST",
                          "create schema if not exists WAREHOUSETEST.WORK", "use schema WAREHOUSETEST.WORK"):
            connection.cursor().execute(statement)
        snowpark = Session.builder.configs({"connection": connection}).create()
        snowpark.write_pandas = lambda df, table_name, **options: emulator._write_pandas_through_stage(
            snowpark, df, table_name, **options)
        yield snowpark


def _upload(session, name: str, table: pa.Table) -> str:
    """`table` as the emulator's table `name` (upper case, as Snowflake folds it); returns its SQL."""
    session.sql(f"drop table if exists {name}").collect()
    frame = table.rename_columns([column.upper() for column in table.column_names]).to_pandas()
    session.write_pandas(frame, name.upper())
    return Warehouse(session).source(session.table(name.upper()))


def _collect(frame, schema: pa.Schema) -> list[tuple]:
    return sorted(tuple(row[name.upper()] for name in schema.names) for row in frame.collect())


@pytest.mark.parametrize("seed", range(3))
def test_clustering_through_snowpark_equals_the_reference(session, seed: int) -> None:
    rng = random.Random(seed)
    nodes, edges, separate = _random_graph(rng)
    records = _upload(session, "records_in", pa.table({"identity_record_id": pa.array(nodes, pa.string())}))
    edge_rows = _upload(session, "edges_in", pa.table({
        "identity_record_id_l": [e[0] for e in edges], "identity_record_id_r": [e[1] for e in edges],
        "edge_weight": pa.array([e[2] for e in edges], pa.float64())}))
    separations = _upload(session, "separate_in", pa.table({
        "identity_record_id_l": [a for a, _ in separate], "identity_record_id_r": [b for _, b in separate]}))
    sql = cluster_in_warehouse(Warehouse(session), records, edge_rows, separations, 5, 2, batch_records=6)
    assert _collect(sql_result(sql, session, CLUSTER_SCHEMA), CLUSTER_SCHEMA) == \
        _reference_clusters(nodes, edges, separate, 5, 2)


def _updates(session, clusters: pa.Table, previous: pa.Table | None, now: datetime) -> list[tuple]:
    clusters_sql = _upload(session, "clusters_in", clusters)
    previous_sql = None
    if previous is not None:
        previous_sql = _upload(session, "previous_in", previous.select(PREVIOUS_SCHEMA.names).cast(PREVIOUS_SCHEMA))
    sql = id_updates_in_warehouse(Warehouse(session), clusters_sql, previous_sql, now)
    return _collect(sql_result(sql, session, UPDATE_SCHEMA), UPDATE_SCHEMA)


def test_stable_ids_through_snowpark_equal_the_reference_over_runs(session) -> None:
    rng = random.Random(7)
    table = None
    records = [f"r{i:02d}" for i in range(30)]
    for run in range(4):
        now = datetime(2026, 11, 1 + run, 8, 30)
        cluster_of = _random_clusters(rng, records, run)
        records = sorted(cluster_of)
        clusters = _as_table(cluster_of)
        expected = id_updates(clusters, table, now)
        assert _updates(session, clusters, table, now) == _rows(expected), run
        table = _apply(table, expected)


def test_a_minted_id_issued_before_is_salted_through_snowpark(session) -> None:
    now = datetime(2026, 11, 2)
    plain = mint_id(["a", "b"])
    previous = _previous_holding([plain], datetime(2026, 11, 1))
    clusters = _as_table({"a": "a", "b": "a"})
    got = _updates(session, clusters, previous, now)
    assert got == _rows(id_updates(clusters, previous, now))
    assert {row[1] for row in got if row[5]} == {mint_id(["a", "b"], {plain})}



def test_model_health_through_snowpark_equals_duckdb(session) -> None:
    """The health rows counted on Snowflake equal those counted on DuckDB: completeness, pairs on default levels
    (found in the explanation JSON, a label with a quote and a backslash included), the prior rule pairs."""
    model = copy.deepcopy(json.loads(model_bytes(None)))
    odd = "it's a \\ level"
    email = next(c for c in model["comparisons"] if c["output_column_name"] == "email")
    exact = next(level for level in email["comparison_levels"] if not level.get("is_null_level"))
    plain = exact["label_for_charts"]
    exact["label_for_charts"] = odd
    model.setdefault(TRAINING_KEY, {})["levels"] = [
        {**level, "level": odd, "m_source": "default"} if level["comparison"] == "email" and level["level"] == plain
        else {**level, "m_source": "default"} if level["comparison"] == "phone" else level
        for level in model[TRAINING_KEY].get("levels", [])]
    records, _ = _world(150, 5, with_email=True)
    columns = sorted({"identity_record_id", "email", "first_name", "last_name", "date_of_birth",
                      *(column for names in COMPARISON_COLUMNS.values() for column in names)})
    records = records.select(columns)
    for name in ("phone", "city"):  # on some records (the generated world has none)
        values = pa.array([f"{name}{i % 40}" if i % 3 else None for i in range(records.num_rows)], pa.string())
        records = records.set_column(records.column_names.index(name), name, values)
    phone = next(level["level"] for level in model[TRAINING_KEY]["levels"] if level["comparison"] == "phone")
    explanations = [json.dumps({"email": {"level": odd}}), json.dumps({"phone": {"level": phone}}),
                    json.dumps({"email": {"level": odd}, "phone": {"level": phone}}), json.dumps({"email": {}})]
    pairs = pa.table({"explanation": explanations * 3, "is_current": [True] * 10 + [False] * 2})
    con = duckdb.connect()
    con.register("records", records)
    con.register("pairs", pairs)
    current = "select explanation from ({}) as edges where is_current"
    expected = check(Warehouse(con), "select * from records", current.format("select * from pairs"), model)
    got = check(Warehouse(session), _upload(session, "health_records_in", records),
                current.format(_upload(session, "health_pairs_in", pairs)), model)
    assert got.to_pylist() == expected.to_pylist()
    hits = {row["level_label"]: row["observed_value"] for row in got.to_pylist()
            if row["check_name"] == "pairs_on_default_levels" and row["level_label"]}
    assert hits == {odd: 5.0, phone: 5.0}
