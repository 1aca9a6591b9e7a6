"""What the raw-feed registration does with absent, empty, incomplete and over-complete feeds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt


def _write(path: Path, sql: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"copy ({sql}) to '{path}' (format parquet)")


@pytest.fixture(scope="module")
def odd_feeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A raw folder with one good-but-odd file per case and every other feed absent."""
    root = tmp_path_factory.mktemp("odd_feeds")
    raw = root / "raw"
    # extra column, and optional columns (next_course_code, duration_hours) missing
    _write(raw / "content" / "course.parquet",
           "select 'DIV-1' as course_code, 'Open water' as course_name, 'diving' as discipline, "
           "1 as level, 'surplus' as extra_column, timestamp '2026-10-30 00:00:00' as _loaded_at")
    # zero-byte file
    (raw / "travel").mkdir(parents=True)
    (raw / "travel" / "booking.parquet").write_bytes(b"")
    result = run_dbt(["run-operation", "register_raw_sources"], raw, root / "cdp.duckdb")
    assert result.returncode == 0, result.stdout + result.stderr
    return root, raw


def _status(database: Path) -> dict[tuple[str, str], tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(
            "select source_system, source_table, feed_status, missing_columns, ignored_columns "
            "from raw_meta.feed_status"
        ).fetchall()
    finally:
        con.close()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_absent_feed_becomes_an_empty_typed_view(odd_feeds: tuple[Path, Path]) -> None:
    root, _ = odd_feeds
    con = duckdb.connect(str(root / "cdp.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw_salesforce.contact").fetchone() == (0,)
        types = dict(con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_salesforce' and table_name = 'contact'"
        ).fetchall())
    finally:
        con.close()
    assert types["birthdate"] == "DATE"
    assert types["is_deleted"] == "BOOLEAN"
    assert _status(root / "cdp.duckdb")[("salesforce", "contact")][0] == "absent"


def test_zero_byte_file_builds_as_empty(odd_feeds: tuple[Path, Path]) -> None:
    root, _ = odd_feeds
    assert _status(root / "cdp.duckdb")[("travel", "booking")][0] == "empty_file"
    con = duckdb.connect(str(root / "cdp.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from raw_travel.booking").fetchone() == (0,)
    finally:
        con.close()


def test_missing_optional_and_extra_columns_are_reported(odd_feeds: tuple[Path, Path]) -> None:
    root, _ = odd_feeds
    status, missing, ignored = _status(root / "cdp.duckdb")[("content", "course")]
    assert status == "present"
    assert missing == "next_course_code, duration_hours"
    assert ignored == "extra_column"
    con = duckdb.connect(str(root / "cdp.duckdb"), read_only=True)
    try:
        row = con.execute("select course_code, next_course_code, level from raw_content.course").fetchone()
        columns = [c[0] for c in con.execute("describe raw_content.course").fetchall()]
    finally:
        con.close()
    assert row == ("DIV-1", None, 1)
    assert "extra_column" not in columns


def test_missing_required_column_fails_naming_file_and_column(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _write(raw / "content" / "destination.parquet",
           "select 'D1' as destination_code, timestamp '2026-10-30 00:00:00' as _loaded_at")
    result = run_dbt(["run-operation", "register_raw_sources"], raw, tmp_path / "cdp.duckdb")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert str(raw / "content" / "destination.parquet") in output
    assert "'destination_name'" in output


def test_project_builds_with_most_systems_absent(odd_feeds: tuple[Path, Path]) -> None:
    root, raw = odd_feeds
    result = run_dbt(["build", "--exclude", "test_type:unit"], raw, root / "cdp.duckdb")
    assert result.returncode == 0, result.stdout[-4000:]
    con = duckdb.connect(str(root / "cdp.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from intermediate.int_identity_records__unioned").fetchone() == (0,)
        assert con.execute("select count(*) from staging.stg_content__courses").fetchone() == (1,)
    finally:
        con.close()
