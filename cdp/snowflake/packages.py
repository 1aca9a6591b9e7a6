"""The Python code the Snowpark models import that Snowflake's Anaconda channel does not provide: Splink, the
sqlglot release it is tested with, and this project's `cdp` package (matching, graph, stable IDs and the trained
model). Each goes in a zip, put on a stage, and listed in the Python models' `imports` (dbt_project.yml);
Snowflake puts imported zips on the procedure's import path.

The zips are built from the packages installed in this environment, so Snowflake runs exactly the pinned
versions the tests ran. `python-duckdb`, `pyarrow`, `pandas`, `networkx` and Snowpark come from the Anaconda channel
(`packages`), pinned (ANACONDA_PIN_DIFFERENCES below).
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import yaml

STAGED_PACKAGES = ("splink", "sqlglot", "cdp")

# The packages the stored procedures request from Snowflake's Anaconda channel (dbt_project.yml, `+packages`) are
# pinned; the Anaconda name of each, and the distribution installed here under another name.
ANACONDA_DISTRIBUTIONS = {"python-duckdb": "duckdb"}
# Where a pin differs from the version the tests run here, and why. Each pinned version is one the Anaconda
# channels list for Python 3.11 on linux-64; the channel Snowflake mirrors lags the newest releases, so the pins
# are older than this environment's. `make test-snowflake-live` asks the account (INFORMATION_SCHEMA.PACKAGES)
# that each pin is there; the emulator cannot.
ANACONDA_PIN_DIFFERENCES = {
    "python-duckdb": ("1.4.4", "1.5.6", "DuckDB 1.4 is the long-term-support line the Anaconda channels carry; "
                                         "Splink's in-memory DuckDB uses nothing of 1.5"),
    "pyarrow": ("21.0.0", "26.0.1", "the cdp code uses Arrow compute and tables present since pyarrow 14"),
    "pandas": ("2.2.3", "2.3.3", "pandas only carries the result to Snowpark's upload"),
    "networkx": ("3.4.2", "3.6.1", "graph.py uses connected components, bridges and minimum cuts, unchanged since 3.0"),
    "snowflake-snowpark-python": ("1.51.0", "1.56.0", "the models use create_dataframe, col, lit and cast, present "
                                                       "since Snowpark 1.0; dbt-snowflake adds the package unpinned "
                                                       "unless it is listed"),
}

# Parts of the staged packages the models never import (Splink's Spark jars and chart assets, this project's
# command-line helpers and demo-data generator), left out to keep the imports small.
EXCLUDED = {
    "splink": ("splink/internals/files/spark_jars/", "splink/internals/spark/"),
    "cdp": ("cdp/generator/", "cdp/snowflake/", "cdp/bench.py", "cdp/cli.py", "cdp/summary.py"),
}


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {name} is not installed here: `make install` first")
    return Path(next(iter(spec.submodule_search_locations)))


def build_zip(name: str, out_dir: Path) -> Path:
    """<out_dir>/<name>.zip holding the package folder `name/` (no bytecode), ready for zipimport."""
    source = _package_dir(name)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.zip"
    excluded = EXCLUDED.get(name, ())
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(source.rglob("*")):
            relative = f"{name}/{path.relative_to(source).as_posix()}"
            if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            if relative.startswith(excluded):
                continue
            archive.write(path, relative)
    return target


def build_zips(out_dir: Path) -> list[Path]:
    return [build_zip(name, out_dir) for name in STAGED_PACKAGES]


def stage_zips(connection, stage: str, zips: list[Path]) -> list[str]:
    """Create the stage's schema and the stage if absent (a fresh database has neither), then put the zips on it
    (replacing older ones); returns their stage paths. `stage` is `database.schema.stage`."""
    parts = stage.split(".")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"the stage must be named database.schema.stage, not {stage!r}")
    cursor = connection.cursor()
    cursor.execute(f"create schema if not exists {parts[0]}.{parts[1]}")
    cursor.execute(f"create stage if not exists {stage} comment = 'Python packages of the cdp_identity models'")
    staged = []
    for path in zips:
        cursor.execute(f"put 'file://{path.resolve()}' @{stage} auto_compress = false overwrite = true")
        staged.append(f"@{stage}/{path.name}")
    return staged


def requested_packages(project_dir: Path) -> dict[str, str]:
    """The Anaconda packages the Python models' procedures request (dbt_project.yml, models: identity: +packages),
    as {name: pinned version}; an unpinned package is an error naming it."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    listed = project["models"]["cdp_identity"]["intermediate"]["identity"]["+packages"]
    unpinned = [package for package in listed if "==" not in package]
    if unpinned:
        raise ValueError(f"packages requested without a version in dbt_project.yml: {unpinned} "
                         "(pin them: name==version)")
    return dict(package.split("==", 1) for package in listed)


def missing_pins(connection, pins: dict[str, str]) -> list[str]:
    """The pins (`name==version`) the account's Anaconda channel lacks, asked of INFORMATION_SCHEMA.PACKAGES."""
    names = ", ".join(f"'{name}'" for name in sorted(pins))
    rows = connection.cursor().execute(
        "select package_name, version from information_schema.packages "
        f"where language = 'python' and package_name in ({names})").fetchall()
    available = {(str(name).lower(), str(version)) for name, version in rows}
    return [f"{name}=={version}" for name, version in pins.items() if (name.lower(), version) not in available]
