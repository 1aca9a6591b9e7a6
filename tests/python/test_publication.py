"""Published marts never mix two runs: a failed build keeps the last publication and says it is stale.

A small generated world is built four times, end to end through dbt (macros/publication/publish_marts.sql):
a good build publishes; then a deletion request arrives and a test after identity resolution fails (a singular
test injected into a copy of the project), so the build fails; then a run that builds only one published mart;
then the injected test is gone and a good build publishes again.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, run_dbt
from test_identity_incremental import _append

from cdp.bench import stamp_later_load

PEOPLE, SEED = 300, 17
PUBLISHED = "main_published"
RUN_COLUMNS = ("run_id", "published_at")
INJECTED_TEST = "assert_injected_failure_after_identity_resolution"
PROJECT_PARTS = ("dbt_project.yml", "macros", "models", "python_models", "seeds", "tests/dbt")


def _copy_project(destination: Path) -> Path:
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, destination / part)
    return destination


def _build(project: Path, raw: Path, database: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """dbt (build unless told) of the copied project; the result and the run's invocation id."""
    result = run_dbt([*(args or ("build",)), "--project-dir", str(project)], raw, database)
    results = json.loads((database.parent / "target" / "run_results.json").read_text())
    return result, results["metadata"]["invocation_id"]


def _published_models(database: Path) -> list[str]:
    manifest = json.loads((database.parent / "target" / "manifest.json").read_text())
    names = {manifest["nodes"][node]["name"] for exposure in manifest["exposures"].values()
             for node in exposure["depends_on"]["nodes"]}
    return sorted(names)


def _snapshot(database: Path) -> dict[str, list[tuple]]:
    """Every published table, its rows sorted."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [PUBLISHED]
        ).fetchall()]
        return {table: sorted(con.execute(f"select * from {PUBLISHED}.{table}").fetchall(), key=repr)
                for table in tables if table != "publication_status"}


def _status(database: Path) -> dict[str, object]:
    with duckdb.connect(str(database), read_only=True) as con:
        relation = con.sql(f"select * from {PUBLISHED}.publication_status")
        rows = relation.fetchall()
    assert len(rows) == 1, f"publication_status holds {len(rows)} rows, not one"
    return dict(zip(relation.columns, rows[0], strict=True))


def _run_ids(database: Path, tables: list[str] | None = None) -> dict[str, set[str]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {table: {row[0] for row in con.execute(f"select distinct run_id from {PUBLISHED}.{table}").fetchall()}
                for table in (tables or _snapshot(database))}


def _has_person(database: Path, relation: str, unified_id: str) -> bool:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select count(*) from {relation} where unified_individual_id = ?",
                           [unified_id]).fetchone()[0] > 0


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("publication")
    world = root / "world"
    subprocess.run([str(ROOT / ".venv" / "bin" / "cdp"), "generate", "--people", str(PEOPLE), "--seed", str(SEED),
                    "--out", str(world), "--quiet"], check=True)
    # As on real data, no ground truth (the accuracy targets are for the demo's size, not this small world).
    shutil.rmtree(world / "truth")
    raw, database = world / "raw", root / "db" / "cdp.duckdb"
    database.parent.mkdir()
    project = _copy_project(root / "project")
    out: dict[str, object] = {"database": database}

    good, out["good_run"] = _build(project, raw, database)
    assert good.returncode == 0, good.stdout[-3000:]
    out["good"], out["good_status"], out["good_ids"] = _snapshot(database), _status(database), _run_ids(database)
    out["published_models"] = _published_models(database)

    # A person in the published audience asks to be deleted (by email) ...
    with duckdb.connect(str(database), read_only=True) as con:
        unified_id, email = con.execute(
            f"select unified_individual_id, email from {PUBLISHED}.export_marketing_cloud_audience "
            f"where email in (select email from {PUBLISHED}.export_marketing_cloud_audience group by email "
            "having count(*) = 1) order by unified_individual_id limit 1").fetchone()
    out["deleted"] = unified_id
    requests_path = raw / "consent" / "deletion_request.parquet"
    requests = pq.read_table(requests_path)
    requests = _append(requests, 0, request_id="DR-PUBLICATION", source_system="marketing_cloud",
                       source_record_id=None, email=email)
    pq.write_table(stamp_later_load(requests, requests.num_rows - 1), requests_path)
    # ... and a test after identity resolution fails in the same build.
    injected = project / "tests" / "dbt" / f"{INJECTED_TEST}.sql"
    # On the intermediate model the published marts read through (the mart unified_profiles is a view over it and
    # no model reads a mart), so that the models after it are skipped.
    injected.write_text("select unified_individual_id from {{ ref('int_unified_profiles__joined') }}\n")
    failed, out["failed_run"] = _build(project, raw, database)
    assert failed.returncode != 0, "the injected test did not fail the build"
    out["failed_log"] = failed.stdout
    out["after_failed"], out["failed_status"] = _snapshot(database), _status(database)
    out["working_profiles_lack_deleted"] = not _has_person(database, "main.unified_profiles", unified_id)
    out["deleted_still_published_in"] = [
        table for table in ("unified_profiles", "export_marketing_cloud_audience")
        if _has_person(database, f"{PUBLISHED}.{table}", unified_id)]

    # A run that rebuilds one published mart only: nothing to publish.
    partial, out["partial_run"] = _build(project, raw, database, "run", "--select", "unified_profiles")
    assert partial.returncode == 0, partial.stdout[-3000:]
    out["after_partial"], out["partial_status"] = _snapshot(database), _status(database)

    injected.unlink()
    fixed, out["fixed_run"] = _build(project, raw, database)
    assert fixed.returncode == 0, fixed.stdout[-3000:]
    out["fixed"], out["fixed_status"], out["fixed_ids"] = _snapshot(database), _status(database), _run_ids(database)
    out["project"], out["raw"] = project, raw
    return out


def test_a_good_build_publishes_every_exposed_mart_with_its_run_id(runs: dict) -> None:
    assert sorted(runs["good"]) == runs["published_models"]
    status = runs["good_status"]
    assert status["last_attempt_status"] == "published" and status["is_stale"] is False
    assert status["last_published_run_id"] == status["last_attempt_run_id"] == runs["good_run"]
    assert status["published_models"] == ", ".join(runs["published_models"])
    assert all(ids == {runs["good_run"]} for ids in runs["good_ids"].values()), runs["good_ids"]
    assert runs["good"]["export_marketing_cloud_audience"], "nothing was published"


def test_a_published_mart_is_its_working_copy_with_the_run_columns(runs: dict) -> None:
    with duckdb.connect(str(runs["database"]), read_only=True) as con:
        for table in runs["published_models"]:
            columns = [row[0] for row in con.execute(
                "select column_name from information_schema.columns where table_schema = 'main' "
                "and table_name = ? order by ordinal_position", [table]).fetchall()]
            published = [row[0] for row in con.execute(
                "select column_name from information_schema.columns where table_schema = ? "
                "and table_name = ? order by ordinal_position", [PUBLISHED, table]).fetchall()]
            assert published == [*columns, *RUN_COLUMNS], table
            select = ", ".join(f'"{c}"' for c in columns)
            differing = con.execute(
                f"select count(*) from ((select {select} from main.{table} except all "
                f"select {select} from {PUBLISHED}.{table}) union all (select {select} from {PUBLISHED}.{table} "
                f"except all select {select} from main.{table}))").fetchone()[0]
            assert differing == 0, f"{table}: {differing} rows differ between the working and the published copy"


def test_a_failed_build_leaves_the_last_publication_exactly_as_it_was(runs: dict) -> None:
    assert runs["working_profiles_lack_deleted"], "the deletion did not reach the working unified_profiles"
    assert runs["after_failed"] == runs["good"]
    # Not a mix: the deleted person is still in the published marts of the last good run, profiles included.
    assert runs["deleted_still_published_in"] == ["unified_profiles", "export_marketing_cloud_audience"]


def test_a_failed_build_marks_the_publication_stale_naming_the_failed_node(runs: dict) -> None:
    status = runs["failed_status"]
    assert status["is_stale"] is True
    assert status["last_published_run_id"] == runs["good_run"]
    assert status["last_published_at"] == runs["good_status"]["last_published_at"]
    assert status["last_attempt_run_id"] == runs["failed_run"]
    assert status["last_attempt_status"].startswith("failed: ") and INJECTED_TEST in status["last_attempt_status"]
    # The marts after the failed test were skipped: counted, not named.
    assert status["last_attempt_status"].endswith(" nodes skipped")
    assert "export_marketing_cloud_audience" not in status["last_attempt_status"]
    assert f"publication kept from run {runs['good_run']}" in runs["failed_log"]
    assert INJECTED_TEST in runs["failed_log"].split(f"publication kept from run {runs['good_run']}")[1]


def test_a_run_that_builds_part_of_the_published_marts_publishes_nothing(runs: dict) -> None:
    assert runs["after_partial"] == runs["good"]
    status = runs["partial_status"]
    assert status["is_stale"] is True and status["last_published_run_id"] == runs["good_run"]
    assert status["last_attempt_run_id"] == runs["partial_run"]
    assert status["last_attempt_status"].startswith("not published: this run did not build ")
    assert "unified_profiles" not in status["last_attempt_status"]
    assert "export_marketing_cloud_audience" in status["last_attempt_status"]


def test_the_next_good_build_publishes_and_clears_the_marker(runs: dict) -> None:
    status = runs["fixed_status"]
    assert status["is_stale"] is False and status["last_attempt_status"] == "published"
    assert status["last_published_run_id"] == status["last_attempt_run_id"] == runs["fixed_run"]
    assert all(ids == {runs["fixed_run"]} for ids in runs["fixed_ids"].values()), runs["fixed_ids"]
    database, deleted = runs["database"], runs["deleted"]
    for table in ("unified_profiles", "calculated_insights", "export_marketing_cloud_audience",
                  "export_crm_contacts", "segment_memberships"):
        assert not _has_person(database, f"{PUBLISHED}.{table}", deleted), f"the deleted person is in {table}"


def test_a_publication_that_fails_midway_replaces_nothing(runs: dict, tmp_path: Path) -> None:
    """The published marts are replaced in one transaction: when the last one cannot be replaced (here a view
    stands in its place), the ones before it keep the last good run."""
    database = tmp_path / "cdp.duckdb"
    shutil.copy(runs["database"], database)
    last = runs["published_models"][-1]
    with duckdb.connect(str(database)) as con:
        con.execute(f"drop table {PUBLISHED}.{last}")
        con.execute(f"create view {PUBLISHED}.{last} as select * from main.{last}")
    result, _ = _build(runs["project"], runs["raw"], database, "run", "--select", *runs["published_models"])
    assert result.returncode != 0, "the publication over a view did not fail"
    assert "on-run-end" in result.stdout
    ids = _run_ids(database, runs["published_models"][:-1])
    assert all(ids[table] == {runs["fixed_run"]} for table in runs["published_models"][:-1]), ids
    assert _status(database)["last_published_run_id"] == runs["fixed_run"]
