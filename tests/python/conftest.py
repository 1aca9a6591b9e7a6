"""Shared fixtures: the project's paths, its dbt, and the database `make test` built."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DBT = ROOT / ".venv" / "bin" / "dbt"


def run_dbt(args: list[str], raw_dir: Path, database: Path, project: Path = ROOT,
            target: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run dbt from the project folder (or a copy of it) against a given raw folder and database file; its target
    path is `target`, else `target` beside the database."""
    env = {
        **os.environ,
        "CDP_RAW_DIR": str(raw_dir),
        "CDP_TRUTH_DIR": str(raw_dir.parent / "truth"),
        "CDP_DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(project),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.run(
        [str(DBT), *args, "--log-path", str(database.parent / "logs"), "--target-path",
         str(target or database.parent / "target")],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )


@pytest.fixture(scope="session")
def built_data() -> Path:
    """The folder `make test` generated and built (`CDP_TEST_DATA`); tests that need it skip without it."""
    folder = os.environ.get("CDP_TEST_DATA")
    if not folder:
        pytest.skip("no built test database: run through `make test` (sets CDP_TEST_DATA)")
    if not (Path(folder) / "cdp.duckdb").exists():
        pytest.fail(f"CDP_TEST_DATA={folder} has no cdp.duckdb: the dbt build before pytest did not run")
    return Path(folder)
