"""`cdp refresh`, the frequent run: nothing new builds nothing; a batch landing in one raw table rebuilds what that
table reaches (and only that), and its rows reach the marts."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, run_dbt

from cdp.project import relations
from cdp.refresh import STATE_FILES, fresher_sources

CLI = ROOT / ".venv" / "bin" / "cdp"


@pytest.fixture(scope="module")
def world(built_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built test data (raw files and database) whose saved state is the build it came from."""
    folder = tmp_path_factory.mktemp("refresh")
    shutil.copytree(built_data / "raw", folder / "raw")
    shutil.copyfile(built_data / "cdp.duckdb", folder / "cdp.duckdb")
    freshness = run_dbt(["source", "freshness"], folder / "raw", folder / "cdp.duckdb")
    assert (folder / "target" / "sources.json").exists(), freshness.stdout[-3000:]
    (folder / "state").mkdir()
    for name in STATE_FILES:
        shutil.copyfile(folder / "target" / name, folder / "state" / name)
    return folder


def _refresh(world: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CDP_RAW_DIR": str(world / "raw"), "CDP_DUCKDB_PATH": str(world / "cdp.duckdb"),
           "DBT_TARGET_PATH": str(world / "target"), "DBT_LOG_PATH": str(world / "logs"),
           "CDP_REFRESH_STATE": str(world / "state"), "DBT_PROFILES_DIR": str(ROOT)}
    result = subprocess.run([str(CLI), "refresh", "--project-dir", str(ROOT)], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result


def test_fresher_sources_are_those_whose_newest_load_moved(tmp_path: Path) -> None:
    def write(name: str, loads: dict[str, str | None]) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps({"results": [{"unique_id": key, "max_loaded_at": value}
                                                for key, value in loads.items()]}))
        return path

    before = write("before.json", {"a": "2026-01-01T00:00:00", "b": "2026-01-01T00:00:00", "c": None})
    after = write("after.json", {"a": "2026-01-01T00:00:00", "b": "2026-01-02T00:00:00", "c": "2026-01-01T00:00:00",
                                 "d": "2026-01-01T00:00:00", "e": None})
    assert fresher_sources(after, before) == ["b", "c", "d"]


def test_nothing_new_builds_nothing(world: Path) -> None:
    result = _refresh(world)
    assert "refresh: nothing new" in result.stdout, result.stdout[-2000:]
    assert not (world / "target" / "run_results.json").exists() or "build" not in json.loads(
        (world / "target" / "run_results.json").read_text())["args"].get("which", "")


def test_a_batch_in_one_table_reaches_the_marts_and_rebuilds_only_what_it_reaches(world: Path) -> None:
    table = world / "raw" / "lms" / "certification.parquet"
    data = pq.read_table(table)
    database = world / "cdp.duckdb"
    triggers = relations(ROOT, world / "target" / "manifest.json").sql("certification_completion_triggers")
    with duckdb.connect(str(database), read_only=True) as connection:
        learner, course = connection.execute(
            f"select c.learner_id, c.course_code from read_parquet('{table}') as c "
            f"inner join {triggers} as t on t.certification_id = c.certification_id limit 1").fetchone()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    loaded = max(data.column("_loaded_at").to_pylist()) + dt.timedelta(hours=1)
    batch = pa.table({"certification_id": ["REFRESH-TEST-1"], "learner_id": [learner], "course_code": [course],
                      "discipline": [data.column("discipline")[0].as_py()], "level": [1],
                      "issued_at": [now - dt.timedelta(hours=2)], "expires_at": [now + dt.timedelta(days=3 * 365)],
                      "_loaded_at": [loaded]}).cast(data.schema)
    pq.write_table(pa.concat_tables([data, batch]), table)

    result = _refresh(world)
    assert "refresh: changed: 1 raw table(s) with new rows" in result.stdout, result.stdout[-2000:]
    assert "source.cdp_identity.lms.certification" in result.stdout
    run = json.loads((world / "target" / "run_results.json").read_text())
    ran = {node["unique_id"].split(".")[-1] for node in run["results"]}
    assert "int_certification_triggers__emitted" in ran
    assert "stg_lms__certifications" in ran
    # Systems the batch did not touch are not rebuilt, and no warn-severity test or unit test runs.
    assert not any(name.startswith("stg_salesforce__") for name in ran)
    assert not any(node["unique_id"].startswith("unit_test.") for node in run["results"])
    # Data tests on another cadence: the batch's staging and the marts are tested, the intermediate grain of the
    # identity models it reached is left to the full build.
    manifest = json.loads((world / "target" / "manifest.json").read_text())
    tested = {manifest["nodes"][node["unique_id"]]["original_file_path"]
              for node in run["results"] if node["unique_id"].startswith("test.")}
    assert any(path.startswith("models/staging/lms/") for path in tested), sorted(tested)
    assert any(path.startswith("models/marts/") for path in tested), sorted(tested)
    assert "int_identity_records__unioned" in ran
    assert not any(path.startswith("models/intermediate/identity/") for path in tested), sorted(tested)
    with duckdb.connect(str(database), read_only=True) as connection:
        emitted = connection.execute(
            f"select count(*) from {triggers} where certification_id = 'REFRESH-TEST-1'").fetchone()[0]
    assert emitted == 1
    # The run that succeeded is the new state: the same data again is nothing new.
    assert "refresh: nothing new" in _refresh(world).stdout
