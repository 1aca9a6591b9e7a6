"""The Python code the Snowpark models import that Snowflake's Anaconda channel does not provide: Splink, the
sqlglot release it is tested with, and this project's `cdp` package (matching, graph, stable IDs and the trained
model). Each goes in a zip, put on a stage, and listed in the Python models' `imports` (dbt_project.yml);
Snowflake puts imported zips on the procedure's import path.

The zips are built from the packages installed in this environment, so Snowflake runs exactly the pinned
versions the tests ran. `duckdb`, `pyarrow`, `pandas` and `networkx` come from the Anaconda channel (`packages`).
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

STAGED_PACKAGES = ("splink", "sqlglot", "cdp")
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
    """Create the stage if needed and put the zips on it (replacing older ones); returns their stage paths."""
    cursor = connection.cursor()
    cursor.execute(f"create stage if not exists {stage} comment = 'Python packages of the cdp_identity models'")
    staged = []
    for path in zips:
        cursor.execute(f"put 'file://{path.resolve()}' @{stage} auto_compress = false overwrite = true")
        staged.append(f"@{stage}/{path.name}")
    return staged
