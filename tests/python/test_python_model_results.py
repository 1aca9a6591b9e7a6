"""Every identity Python model returns its declared schema: no column is left untyped (an all-null column, a result
with no rows), on the first run and on a run with nothing to change. On DuckDB here; on the emulator's Snowflake
path, tests/python/test_snowflake_emulator.py checks the tables the models wrote there.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pyarrow as pa
import pytest

from cdp.identity.evaluation import BLOCKING_SCHEMA
from cdp.identity.graph import CLUSTER_SCHEMA
from cdp.identity.health import HEALTH_SCHEMA
from cdp.identity.incremental import OUTPUT_SCHEMA
from cdp.identity.relations import ResultSchemaError, conform, result
from cdp.identity.stable_ids import UPDATE_SCHEMA
from cdp.project import project_vars, relations

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "python_models" / "intermediate" / "identity"

# Each Python model and the schema its result declares.
DECLARED = {
    "int_identity_blocking_recall": BLOCKING_SCHEMA,
    "int_identity_clusters": CLUSTER_SCHEMA,
    "int_identity_edges__probabilistic": OUTPUT_SCHEMA,
    "int_identity_model_health": HEALTH_SCHEMA,
    "int_identity_unified_ids": UPDATE_SCHEMA,
}
DUCKDB_TYPES = {pa.string(): "VARCHAR", pa.bool_(): "BOOLEAN", pa.int64(): "BIGINT", pa.float64(): "DOUBLE",
                pa.timestamp("us"): "TIMESTAMP"}


def schema_name(schema: pa.Schema) -> str:
    return {id(s): n for n, s in (("BLOCKING_SCHEMA", BLOCKING_SCHEMA), ("CLUSTER_SCHEMA", CLUSTER_SCHEMA),
                                  ("OUTPUT_SCHEMA", OUTPUT_SCHEMA), ("HEALTH_SCHEMA", HEALTH_SCHEMA),
                                  ("UPDATE_SCHEMA", UPDATE_SCHEMA))}[id(schema)]


def test_every_python_model_returns_its_declared_schema() -> None:
    assert sorted(path.stem for path in MODELS.glob("*.py")) == sorted(DECLARED)
    for name, schema in DECLARED.items():
        source = (MODELS / f"{name}.py").read_text()
        assert f"session, {schema_name(schema)})" in source, name
        assert not any(pa.types.is_null(field.type) for field in schema), name


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_an_all_null_or_empty_result_keeps_its_declared_types(name: str) -> None:
    schema = DECLARED[name]
    # What pandas or Arrow infer for columns with no value: the null type.
    all_null = pa.table({field.name: pa.nulls(2) for field in schema})
    empty = pa.table({field.name: pa.nulls(0) for field in schema})
    for table in (all_null, empty):
        assert any(pa.types.is_null(field.type) for field in table.schema)
        returned = result(table, duckdb.connect(), schema)
        assert returned.schema == schema, name


def test_a_result_with_other_columns_than_declared_is_an_error() -> None:
    with pytest.raises(ResultSchemaError, match=r"missing \['cut_reason'\], not declared \['reason'\]"):
        conform(pa.table({"identity_record_id": ["a"], "component_key": ["a"], "cluster_key": ["a"],
                          "reason": ["bridge"]}), CLUSTER_SCHEMA)


def _run_model(name: str, connection: duckdb.DuckDBPyConnection, incremental: bool) -> pa.Table:
    """The model's own code on the built database, as dbt-duckdb runs it (a first run, or an incremental run with
    the model's table as it is: nothing changed since the build)."""
    project = relations(ROOT)
    variables = project_vars(ROOT)
    meta = {key: variables.get(key, "") for key in ("review_band_lower_probability", "rescore_all_share",
                                                    "max_cluster_size", "min_bridge_side")}
    meta["matching_model_path"] = ""

    class Config:
        def __call__(self, **_settings) -> None:
            pass

        def meta_get(self, key: str):
            return meta[key]

    dbt = SimpleNamespace(config=Config(), is_incremental=incremental, this=project.sql(name),
                          ref=lambda model: connection.table(project.sql(model)))
    spec = importlib.util.spec_from_file_location(name, MODELS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.model(dbt, connection)


def test_the_built_tables_have_the_declared_types(built_data: Path) -> None:
    """The first build's tables: every column of the declared type (DuckDB would store a null-typed column as
    INTEGER)."""
    project = relations(ROOT)
    with duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True) as connection:
        for name, schema in DECLARED.items():
            relation = project[name]
            columns = connection.execute(
                "select column_name, data_type from information_schema.columns where table_schema = ? "
                "and table_name = ? order by ordinal_position", [relation.schema, relation.identifier]).fetchall()
            assert columns == [(field.name, DUCKDB_TYPES[field.type]) for field in schema], name


@pytest.mark.parametrize(("name", "incremental"), [
    ("int_identity_unified_ids", False),  # a first run: no previous ID, no change type
    ("int_identity_unified_ids", True),  # nothing changed: no row to write
    ("int_identity_edges__probabilistic", True),  # nothing changed: no pair to score
    ("int_identity_clusters", False),
])
def test_first_and_no_change_runs_return_the_declared_schema(name: str, incremental: bool, built_data: Path) -> None:
    with duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True) as connection:
        returned = _run_model(name, connection, incremental)
    assert returned.schema == DECLARED[name]
    if incremental:
        assert returned.num_rows == 0, f"{name}: the run after the build had something to change"
    if name == "int_identity_unified_ids" and not incremental:
        assert returned.column("previous_unified_individual_id").null_count == returned.num_rows > 0
