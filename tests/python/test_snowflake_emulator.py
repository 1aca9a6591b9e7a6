"""The Snowflake path, proven on the emulator `make test-snowflake` runs (no Snowflake account needed).

dbt-snowflake built every model and test on the emulator from the same raw data as the DuckDB build, the
Python models through their Snowpark branch; the marts it built must equal DuckDB's, row for row. The rest of
this file checks the Snowflake-side helpers: the staged Python packages, the raw loader and the profile.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cdp.snowflake import packages
from cdp.snowflake.connection import MissingEnvironmentVariable, connection_params
from cdp.snowflake.load import COMPARED_MARTS, snowflake_type
from cdp.snowflake.packages import (
    ANACONDA_DISTRIBUTIONS,
    ANACONDA_PIN_DIFFERENCES,
    STAGED_PACKAGES,
    build_zips,
    stage_zips,
)

ROOT = Path(__file__).resolve().parents[2]

# Columns stamped with the time of the run, which two builds cannot share.
RUN_TIME_COLUMNS = {"measured_at", "triggered_at", "unified_id_minted_at", "linked_at", "assigned_at", "changed_at",
                    "graph_changed_at"}


def _normalize(value, is_list: bool, is_timestamp: bool = False):
    if is_list and isinstance(value, str):
        value = json.loads(value)
    if is_timestamp and isinstance(value, str):  # exported as text from the emulator (cdp.snowflake.load)
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, list | tuple):
        return tuple(_normalize(v, False) for v in value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        number = float(value)
        return None if math.isnan(number) else round(number, 6)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _rows(table: pa.Table, columns: list[str], list_columns: set[str], timestamp_columns: set[str]) -> list[tuple]:
    data = [[_normalize(v, c in list_columns, c in timestamp_columns) for v in table.column(c).to_pylist()]
            for c in columns]
    return sorted(zip(*data, strict=True), key=repr)


@pytest.fixture(scope="module")
def emulator_marts(built_data: Path) -> Path:
    # CDP_SNOWFLAKE_MARTS: the marts exported from a real account (`make test-snowflake-live`); else the emulator's.
    folder = Path(os.environ.get("CDP_SNOWFLAKE_MARTS") or built_data / "snowflake" / "marts")
    if not folder.exists():
        pytest.fail(f"{folder} is missing: `make test` runs `make test-snowflake` before pytest; run it")
    return folder


@pytest.mark.parametrize("mart", COMPARED_MARTS)
def test_emulator_mart_equals_duckdb_mart(mart: str, built_data: Path, emulator_marts: Path) -> None:
    snowflake = pq.read_table(emulator_marts / f"{mart}.parquet")
    with duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True) as con:
        duck = con.sql(f"select * from main.{mart}").to_arrow_table()
    assert sorted(snowflake.column_names) == sorted(duck.column_names), f"{mart}: the two engines' columns differ"
    assert snowflake.num_rows == duck.num_rows, f"{mart}: Snowflake {snowflake.num_rows} rows, DuckDB {duck.num_rows}"
    columns = [c for c in duck.column_names if c not in RUN_TIME_COLUMNS]
    lists = {f.name for f in duck.schema if pa.types.is_list(f.type)}
    timestamps = {f.name for f in duck.schema if pa.types.is_timestamp(f.type)}
    on_snowflake, on_duckdb = _rows(snowflake, columns, lists, timestamps), _rows(duck, columns, lists, timestamps)
    differing = [(s, d) for s, d in zip(on_snowflake, on_duckdb, strict=True) if s != d]
    assert not differing, f"{mart}: {len(differing)} rows differ; first, Snowflake then DuckDB: {differing[0]}"


def test_emulator_built_the_people_of_the_duckdb_build(built_data: Path, emulator_marts: Path) -> None:
    """The headline of the comparison: the same unified individuals and the same segment memberships."""
    links = pq.read_table(emulator_marts / "unified_links.parquet")
    segments = pq.read_table(emulator_marts / "segment_memberships.parquet")
    assert links.num_rows > 10_000 and segments.num_rows > 100
    with duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True) as con:
        people = con.sql("select count(distinct unified_individual_id) from main.unified_links").fetchone()[0]
    assert len(set(links.column("unified_individual_id").to_pylist())) == people


def test_emulator_published_the_marts_of_its_build(built_data: Path, emulator_marts: Path) -> None:
    """The emulator's build published (macros/publication/publish_marts.sql, its transactional path): the status
    says so, and the published copies are the working marts with the run's id on every row."""
    published = emulator_marts.parent / "published"
    status = pq.read_table(published / "publication_status.parquet").to_pylist()
    assert len(status) == 1 and status[0]["last_attempt_status"] == "published" and not status[0]["is_stale"]
    run_id = status[0]["last_published_run_id"]
    for mart in ("export_marketing_cloud_audience", "unified_profiles"):
        copy, working = pq.read_table(published / f"{mart}.parquet"), pq.read_table(emulator_marts / f"{mart}.parquet")
        assert set(copy.column("run_id").to_pylist()) == {run_id}, mart
        assert copy.column_names == [*working.column_names, "run_id", "published_at"], mart
        assert copy.num_rows == working.num_rows > 0, mart


def test_staged_packages_import_from_their_zips(tmp_path: Path) -> None:
    """What Snowflake does with the models' imports: the zips go on sys.path and the matching runs from them."""
    zips = build_zips(tmp_path)
    assert [z.stem for z in zips] == list(STAGED_PACKAGES)
    with zipfile.ZipFile(tmp_path / "cdp.zip") as archive:
        names = set(archive.namelist())
    assert "cdp/identity/splink_model.json" in names and "cdp/identity/matching.py" in names
    assert not any(n.startswith("cdp/generator/") or n.endswith(".pyc") for n in names)
    script = f"""
import sys
sys.path[:0] = {[str(z) for z in zips]!r}
import pyarrow as pa, splink, sqlglot
from cdp.identity import matching
assert all(".zip" in m.__file__ for m in (splink, sqlglot, matching)), (splink.__file__, matching.__file__)
records = pa.table({{
    "identity_record_id": ["a", "b"], "first_name": ["ann", "ann"], "first_name_key": ["ann", "ann"],
    "first_name_variants": [["ann"], ["ann"]], "last_name": ["lee", "lee"], "full_name": ["ann lee"] * 2,
    "first_initial": ["a", "a"], "first_name_sound": ["a500"] * 2, "last_name_sound": ["l000"] * 2,
    "date_of_birth": pa.array([None, None], pa.date32()), "email": ["ann@x.com", "ann@x.com"],
    "phone": [None, None], "street_number": [None, None], "street_name": [None, None],
    "postal_code": [None, None], "city": [None, None],
    **{{column: [None, None] for column in matching.INPUT_SCHEMA.names if column.endswith("_block")}},
}}, schema=matching.INPUT_SCHEMA)
print(matching.predict(records, 0.2).num_rows)
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


def requested_packages() -> list[str]:
    """The packages the Python models' stored procedures request (dbt_project.yml, models: identity: +packages)."""
    return [f"{name}=={version}" for name, version in packages.requested_packages(ROOT).items()]


def test_procedure_packages_are_pinned_to_the_tested_versions_or_a_written_difference() -> None:
    """Every package a procedure requests is pinned (`name==version`), snowflake-snowpark-python included (dbt adds it
    unpinned otherwise), and each pin is the version installed here or a difference written down with its reason."""
    from importlib.metadata import version

    requested = dict(package.split("==") for package in requested_packages())
    assert all("==" in package for package in requested_packages())
    assert {"python-duckdb", "pyarrow", "pandas", "networkx", "snowflake-snowpark-python"} <= set(requested)
    assert "duckdb" not in requested, "the Anaconda channel calls it python-duckdb"
    for name, pinned in requested.items():
        installed = version(ANACONDA_DISTRIBUTIONS.get(name, name))
        if pinned == installed:
            assert name not in ANACONDA_PIN_DIFFERENCES, f"{name}: a difference is written down, but none remains"
            continue
        assert name in ANACONDA_PIN_DIFFERENCES, f"{name}=={pinned} is not the tested {installed}: write it down"
        written_pin, tested, reason = ANACONDA_PIN_DIFFERENCES[name]
        assert (written_pin, tested) == (pinned, installed), f"{name}: the written difference is out of date"
        assert reason
    assert set(ANACONDA_PIN_DIFFERENCES) <= set(requested)


def test_unpinned_packages_are_named(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text(
        "models: {cdp_identity: {intermediate: {identity: {+packages: [python-duckdb==1.4.4, networkx]}}}}")
    with pytest.raises(ValueError, match=r"without a version.*networkx"):
        packages.requested_packages(tmp_path)


def test_the_live_check_names_the_pins_the_account_lacks() -> None:
    """`cdp snowflake check-packages` (make test-snowflake-live) asks INFORMATION_SCHEMA.PACKAGES for the pins."""

    class Channel(RecordingConnection):
        def fetchall(self):
            return [("python-duckdb", "1.4.4"), ("python-duckdb", "1.5.0"), ("pandas", "2.3.3")]

    connection = Channel()
    missing = packages.missing_pins(connection, {"python-duckdb": "1.4.4", "pandas": "2.2.3"})
    assert missing == ["pandas==2.2.3"]
    assert "information_schema.packages" in connection.statements[0]
    assert "'pandas', 'python-duckdb'" in connection.statements[0]


class RecordingConnection:
    """A stand-in for a Snowflake connection that records the statements sent to it."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def cursor(self):
        return self

    def execute(self, statement: str):
        self.statements.append(statement)
        return self


def test_staging_the_packages_creates_their_schema_and_stage_first(tmp_path: Path) -> None:
    """On a fresh database the stage's schema does not exist yet: it is created (if absent) before the stage."""
    connection = RecordingConnection()
    zip_path = tmp_path / "cdp.zip"
    zip_path.write_bytes(b"")
    staged = stage_zips(connection, "ANALYTICS.CDP.cdp_python_packages", [zip_path])
    assert staged == ["@ANALYTICS.CDP.cdp_python_packages/cdp.zip"]
    assert connection.statements[0] == "create schema if not exists ANALYTICS.CDP"
    assert connection.statements[1].startswith("create stage if not exists ANALYTICS.CDP.cdp_python_packages")
    assert connection.statements[2].startswith(f"put 'file://{zip_path.resolve()}' @ANALYTICS.CDP.cdp_python_packages")
    with pytest.raises(ValueError, match="database.schema.stage"):
        stage_zips(connection, "cdp_python_packages", [zip_path])


def test_staging_the_packages_on_the_emulator_into_a_new_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Against an emulator of its own: a schema nothing created, staged twice (idempotent)."""
    import socket

    from cdp.snowflake import emulator
    from cdp.snowflake.connection import connect

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("CDP_EMULATOR_PORT", str(port))
    zip_path = tmp_path / "cdp.zip"
    zip_path.write_bytes(b"PK\x05\x06" + bytes(18))
    emulator.start(port, tmp_path / "emulator.pid", tmp_path / "emulator.log")
    try:
        connection = connect("emulator")
        connection.cursor().execute("create database if not exists STAGETEST")
        for _ in range(2):
            stage_zips(connection, "STAGETEST.FRESH.cdp_python_packages", [zip_path])
        listed = connection.cursor().execute("list @STAGETEST.FRESH.cdp_python_packages").fetchall()
        connection.close()
    finally:
        emulator.stop(tmp_path / "emulator.pid")
    assert [row[0].rsplit("/", 1)[-1] for row in listed] == ["cdp.zip"]


def test_absent_raw_feeds_are_placeholders_in_the_projects_own_schema(tmp_path: Path) -> None:
    """On a warehouse with no raw tables at all (an emulator of its own), a build of a staging model writes nothing
    into the raw schemas: the absent feed is an empty, typed view in <target schema>_raw_placeholders, which the
    staging model reads (macros/raw/source.sql), and the model builds as empty."""
    import socket

    from cdp.snowflake import emulator

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "CDP_EMULATOR_PORT": str(port), "DBT_PROFILES_DIR": str(ROOT),
           "CDP_EMULATOR_DATABASE": "PLACEHOLDERS"}
    emulator.start(port, tmp_path / "emulator.pid", tmp_path / "emulator.log")
    try:
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "cdp"), "emulator", "dbt", "--", "run", "--target", "emulator",
             "--select", "stg_content__courses", "--target-path", str(tmp_path / "target"),
             "--log-path", str(tmp_path)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        env_port = {**os.environ, "CDP_EMULATOR_PORT": str(port), "CDP_EMULATOR_DATABASE": "PLACEHOLDERS"}
        script = """
from cdp.snowflake.connection import connect
c = connect("emulator").cursor()
print(sorted({r[0].lower() for r in c.execute(
    "select table_schema from PLACEHOLDERS.information_schema.tables union all "
    "select table_schema from PLACEHOLDERS.information_schema.views").fetchall()}))
print(sorted(r[0].lower() for r in c.execute("select table_name from PLACEHOLDERS.information_schema.views "
    "where lower(table_schema) = 'marts_raw_placeholders'").fetchall()))
print(c.execute("select count(*) from PLACEHOLDERS.staging.stg_content__courses").fetchone()[0])
"""
        listed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env_port, capture_output=True,
                                text=True, check=False)
        assert listed.returncode == 0, listed.stderr[-3000:]
    finally:
        emulator.stop(tmp_path / "emulator.pid")
    schemas, placeholders, rows = listed.stdout.strip().splitlines()[-3:]
    written = [schema for schema in eval(schemas) if schema.startswith("raw_") and schema != "raw_meta"]  # noqa: S307
    assert written == [], f"the build wrote into raw schemas: {written}"
    assert "content__course" in eval(placeholders)  # noqa: S307
    assert rows == "0"
    compiled = next((tmp_path / "target" / "run").rglob("stg_content__courses.sql")).read_text().lower()
    assert "marts_raw_placeholders.content__course" in compiled


def test_emulator_refuses_a_frame_with_an_untyped_column() -> None:
    """What a model returned before its result carried a schema (a pandas frame, an all-null column of no type): the
    emulator's write_pandas refuses it rather than pick a type for it, as Snowflake would have to."""
    import pandas as pd

    from cdp.snowflake.emulator import _write_pandas_through_stage

    frame = pd.DataFrame({"IDENTITY_RECORD_ID": ["a"], "PREVIOUS_UNIFIED_INDIVIDUAL_ID": [None]})
    with pytest.raises(TypeError, match=r"no value and no type.*PREVIOUS_UNIFIED_INDIVIDUAL_ID"):
        _write_pandas_through_stage(None, frame, "T", database="CDP", schema="MARTS")


def test_loader_types_follow_the_parquet_schema() -> None:
    assert snowflake_type(pa.int64()) == "bigint"
    assert snowflake_type(pa.timestamp("us")) == "timestamp_ntz"
    assert snowflake_type(pa.timestamp("us", tz="UTC")) == "timestamp_tz"
    assert snowflake_type(pa.date32()) == "date"
    assert snowflake_type(pa.null()) == "varchar"
    with pytest.raises(ValueError, match="no Snowflake type"):
        snowflake_type(pa.list_(pa.string()))


def test_snowflake_connection_names_the_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("SNOWFLAKE_")]:
        monkeypatch.delenv(name)
    with pytest.raises(MissingEnvironmentVariable, match="SNOWFLAKE_ACCOUNT"):
        connection_params("snowflake")
    for name in ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_ROLE", "SNOWFLAKE_WAREHOUSE", "SNOWFLAKE_DATABASE"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", "a password is not used")
    with pytest.raises(MissingEnvironmentVariable, match="SNOWFLAKE_PRIVATE_KEY_PATH"):
        connection_params("snowflake")
    monkeypatch.setenv("SNOWFLAKE_PRIVATE_KEY_PATH", "/keys/rsa_key.p8")
    params = connection_params("snowflake")
    assert params["private_key_file"] == "/keys/rsa_key.p8" and "password" not in params


def test_dbt_names_the_missing_snowflake_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNOWFLAKE_")}
    env |= {"DBT_PROFILES_DIR": str(ROOT), "SNOWFLAKE_ACCOUNT": "acme-eu1", "SNOWFLAKE_USER": "svc_dbt",
            "SNOWFLAKE_ROLE": "transformer", "SNOWFLAKE_WAREHOUSE": "transforming", "SNOWFLAKE_DATABASE": "analytics"}
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "dbt"), "parse", "--target", "snowflake", "--target-path", str(tmp_path),
         "--log-path", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert done.returncode != 0
    assert "Env var required but not provided: 'SNOWFLAKE_PRIVATE_KEY_PATH'" in done.stdout + done.stderr
    snowflake_profile = (ROOT / "profiles.example.yml").read_text().split("    snowflake:")[1].split("emulator:")[0]
    assert "password" not in snowflake_profile


def test_masking_policy_shows_pii_to_the_unmasked_roles_only(tmp_path: Path) -> None:
    """The policy SQL `dbt run-operation create_pii_masking_policies` runs: the roles of pii_unmasked_roles (by
    default the role dbt runs as, so Splink reads intermediate PII) see the value, every other role a mask."""
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT)}
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "dbt"), "compile", "--inline",
         "{{ pii_masking_policy_sql('gov.policies.mask_pii_string', 'string') }}",
         "--vars", "{pii_unmasked_roles: [transformer, steward]}", "--target-path", str(tmp_path),
         "--log-path", str(tmp_path), "--quiet"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    sql = " ".join(done.stdout.split())
    assert ("create masking policy if not exists gov.policies.mask_pii_string as (val varchar) returns varchar -> "
            "case when current_role() in ('TRANSFORMER', 'STEWARD') then val else '***MASKED***' end") in sql


def test_python_models_list_their_snowflake_packages_and_imports(emulator_marts: Path) -> None:
    """The Snowpark procedures dbt-snowflake creates get the Anaconda packages and the staged zips."""
    manifest = json.loads((ROOT / "target" / "emulator" / "manifest.json").read_text())
    # Matching is set-based SQL on Snowflake (var matching_engine defaults to sql there): no procedure.
    matching = manifest["nodes"]["model.cdp_identity.int_identity_edges__probabilistic"]
    assert matching["language"] == "sql" and matching["original_file_path"].startswith("models/")
    for name in ("int_identity_clusters", "int_identity_unified_ids"):
        config = manifest["nodes"][f"model.cdp_identity.{name}"]["config"]
        assert config["packages"] == requested_packages(), name
        assert [path.rsplit("/", 1)[1] for path in config["imports"]] == [f"{p}.zip" for p in STAGED_PACKAGES]
        assert all(path.lower().startswith("@cdp.marts.cdp_python_packages/") for path in config["imports"])
        # The unified-ID registry is permanent (Time Travel, Fail-safe): its issued IDs cannot be rebuilt.
        assert config["transient"] is (name != "int_identity_unified_ids"), name


# The Snowflake column types (as the emulator's DESCRIBE TABLE names them) of the types the Python models declare.
SNOWFLAKE_TYPES = {pa.string(): "varchar", pa.bool_(): "boolean", pa.int64(): "number(38,0)",
                   pa.float64(): "float", pa.timestamp("us"): "timestamp_ntz"}


def test_python_models_wrote_their_declared_types(emulator_marts: Path) -> None:
    """What each Python model wrote through Snowpark (cdp.snowflake.emulator records it): every column of its
    declared type, on the first build and on the no-change run after it (an incremental run with nothing to write,
    whose every column is empty), never a type Snowflake had to guess."""
    from test_python_model_results import DECLARED

    log = emulator_marts.parent / "python_model_results.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    # The matching model is the SQL one on Snowflake (var matching_engine): not a Python model there.
    python_models = set(DECLARED) - {"int_identity_edges__probabilistic"}
    assert {r["model"] for r in records if not r["incremental"]} == python_models
    no_change = [r for r in records if r["incremental"]]
    assert {r["model"] for r in no_change} == {"int_identity_unified_ids"}
    assert all(r["rows"] == 0 for r in no_change), no_change
    for record in records:
        declared = {field.name: SNOWFLAKE_TYPES[field.type] for field in DECLARED[record["model"]]}
        written = {name: kind.split("(16777216)")[0].replace("(9)", "") for name, kind in record["columns"].items()}
        assert written == declared, record["relation"]


# Snowflake features the emulator lacks. These run against a real account when one is configured
# (CDP_TEST_SNOWFLAKE=1 and the SNOWFLAKE_* variables); `make test` has none, so they say why they skip.
REAL_ACCOUNT = os.environ.get("CDP_TEST_SNOWFLAKE") == "1"


def _dbt_on_snowflake(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "dbt"), *args, "--target", "snowflake", "--target-path", str(tmp_path)],
        cwd=ROOT, env={**os.environ, "DBT_PROFILES_DIR": str(ROOT)}, capture_output=True, text=True, check=False,
    )


@pytest.mark.skipif(not REAL_ACCOUNT, reason="the emulator has no session query tags (ALTER SESSION SET QUERY_TAG "
                    "is not implemented), so macros/snowflake/query_tag.sql does not set them there; "
                    "runs on a real account with CDP_TEST_SNOWFLAKE=1")
def test_query_tags_name_the_model(tmp_path: Path) -> None:
    from cdp.snowflake.connection import connect

    assert _dbt_on_snowflake(["run", "--select", "stg_content__courses"], tmp_path).returncode == 0
    with connect("snowflake") as connection:
        tags = [row[0] for row in connection.cursor().execute(
            "select query_tag from table(information_schema.query_history_by_user(result_limit => 200)) "
            "where query_text ilike '%stg_content__courses%'").fetchall()]
    assert any(json.loads(tag or "{}").get("node") == "model.cdp_identity.stg_content__courses" for tag in tags)


@pytest.mark.skipif(not REAL_ACCOUNT, reason="the emulator has no masking policies, so "
                    "macros/snowflake/pii_masking.sql attaches none there; runs on a real account with "
                    "CDP_TEST_SNOWFLAKE=1 and the var pii_masking_policies naming a string policy")
def test_pii_columns_get_the_masking_policy(tmp_path: Path) -> None:
    from cdp.snowflake.connection import connect

    policy = os.environ["CDP_TEST_MASKING_POLICY"]  # a string masking policy of the test account
    done = _dbt_on_snowflake(["run", "--select", "stg_content__courses stg_club__members",
                              "--vars", json.dumps({"pii_masking_policies": {"string": policy}})], tmp_path)
    assert done.returncode == 0, done.stdout
    with connect("snowflake") as connection:
        columns = {row[0].lower() for row in connection.cursor().execute(
            "select ref_column_name from table(information_schema.policy_references("
            "ref_entity_name => 'staging.stg_club__members', ref_entity_domain => 'table'))").fetchall()}
    assert {"email", "first_name", "last_name"} <= columns
