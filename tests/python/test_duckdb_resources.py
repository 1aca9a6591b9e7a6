"""DuckDB's memory limit and spill directory come from config (vars duckdb_memory_limit, duckdb_temp_directory; env
CDP_DUCKDB_MEMORY_LIMIT, CDP_DUCKDB_TEMP_DIR): the on-run-start hook macros/resources/duckdb_resources.sql sets them
and logs what DuckDB reports back; unset, DuckDB keeps its defaults and nothing is logged."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_dbt


def test_memory_limit_and_temp_directory_come_from_the_environment(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    spill = tmp_path / "spill"
    monkeypatch.setenv("CDP_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("CDP_DUCKDB_TEMP_DIR", str(spill))
    result = run_dbt(["run", "--select", "stg_content__courses"], tmp_path / "raw", tmp_path / "cdp.duckdb")
    assert result.returncode == 0, result.stdout[-3000:]
    # 1GB is 10^9 bytes, which DuckDB reports in binary units.
    assert f"DuckDB resources: memory_limit 953.6 MiB, temp_directory {spill}" in result.stdout


def test_unset_keeps_duckdbs_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CDP_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("CDP_DUCKDB_TEMP_DIR", raising=False)
    result = run_dbt(["run", "--select", "stg_content__courses"], tmp_path / "raw", tmp_path / "cdp.duckdb")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "DuckDB resources" not in result.stdout


def test_a_malformed_limit_stops_the_run_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CDP_DUCKDB_MEMORY_LIMIT", "lots")
    result = run_dbt(["run", "--select", "stg_content__courses"], tmp_path / "raw", tmp_path / "cdp.duckdb")
    assert result.returncode != 0
    assert "var duckdb_memory_limit (env CDP_DUCKDB_MEMORY_LIMIT) is 'lots'" in result.stdout, result.stdout[-2000:]
