"""The dbt project's facts, for the commands that read a built database: where each model is built and the vars.

Relations come from dbt's own `target/manifest.json` (each node's schema and alias, as dbt built it), so a
command names a model (`relations["unified_links"]`) and never a schema: a model moved to another folder, schema
or alias is found where dbt put it. Without a manifest, `relations()` runs `dbt parse` once to write it (the
documented fallback: dbt resolves `generate_schema_name` and every config itself); a manifest that lacks a model
is a clear error naming the model. `DBT_TARGET_PATH` is honoured as dbt honours it.

Vars come from `dbt_project.yml` (`project_vars`), with `--vars`-style overrides on top, so thresholds and policies
are never restated as Python constants. (`cdp/identity/relations.py` is something else: how the dbt Python models
read and return their relations on DuckDB and Snowflake.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# The dbt project this package belongs to (the repository root).
ROOT = Path(__file__).resolve().parents[1]
# Node types a command may read: what dbt builds as a relation.
RELATION_RESOURCE_TYPES = ("model", "seed", "snapshot")


class ProjectError(RuntimeError):
    """A fact the project does not give: a model missing from the manifest, a var missing or of the wrong type."""


@dataclass(frozen=True)
class Relation:
    """Where dbt built a model: its schema and identifier (the model's alias) in the target database."""

    model: str
    schema: str
    identifier: str

    def sql(self, database: str | None = None) -> str:
        """The relation's name in SQL (unquoted, as dbt creates it), optionally qualified by a database."""
        return ".".join(part for part in (database, self.schema, self.identifier) if part)

    def __str__(self) -> str:
        return self.sql()


class Relations(Mapping[str, Relation]):
    """Model name -> where it is built, as one manifest says."""

    def __init__(self, relations: Mapping[str, Relation], source: str,
                 manifest: Mapping[str, Any] | None = None) -> None:
        self._relations = dict(relations)
        self.source = source
        # The manifest itself, for what else its nodes declare (e.g. the staging models' meta that `cdp erase` reads).
        self.manifest: Mapping[str, Any] = manifest or {}

    @classmethod
    def from_manifest(cls, path: Path) -> Relations:
        """The relations of a dbt manifest: every model, seed and snapshot of the root project (a package's node
        of the same name does not hide it)."""
        try:
            manifest = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise ProjectError(f"cannot read the dbt manifest {path}: {error}; run `dbt parse` to write it") from None
        root = (manifest.get("metadata") or {}).get("project_name")
        found: dict[str, Relation] = {}
        for node in (manifest.get("nodes") or {}).values():
            if node.get("resource_type") not in RELATION_RESOURCE_TYPES:
                continue
            name = node["name"]
            if name in found and node.get("package_name") != root:
                continue
            found[name] = Relation(name, node["schema"], node.get("alias") or name)
        return cls(found, str(path), manifest)

    def __getitem__(self, model: str) -> Relation:
        try:
            return self._relations[model]
        except KeyError:
            raise ProjectError(f"the dbt manifest {self.source} has no model {model!r}: run `dbt parse` (or "
                               f"`dbt build`) so that it describes the current project") from None

    def __contains__(self, model: object) -> bool:
        return model in self._relations

    def __iter__(self) -> Iterator[str]:
        return iter(self._relations)

    def __len__(self) -> int:
        return len(self._relations)

    def sql(self, model: str, database: str | None = None) -> str:
        """The SQL name of `model` (schema, then identifier)."""
        return self[model].sql(database)


def target_path(project_dir: Path | None = None) -> Path:
    """dbt's target path: `DBT_TARGET_PATH` when set (relative to the project, as dbt reads it), else `target`."""
    project_dir = project_dir or ROOT
    return project_dir / os.environ.get("DBT_TARGET_PATH", "target")


def relations(project_dir: Path | None = None, manifest: Path | None = None, parse: bool = True) -> Relations:
    """The relations of the project's manifest (`manifest`, else `<target path>/manifest.json`). When there is
    none and `parse`, `dbt parse` writes it first (it needs the dbt profile, as `dbt build` does)."""
    project_dir = project_dir or ROOT
    path = manifest or target_path(project_dir) / "manifest.json"
    if not path.exists():
        if not parse:
            raise ProjectError(f"no dbt manifest at {path}: run `dbt parse` (or `dbt build`) in {project_dir}")
        _dbt_parse(project_dir, path)
    return Relations.from_manifest(path)


def _dbt_parse(project_dir: Path, manifest: Path) -> None:
    if not (project_dir / "dbt_project.yml").exists():
        raise ProjectError(f"no dbt manifest at {manifest}, and {project_dir} is no dbt project (no dbt_project.yml): "
                           "give the project with --project-dir")
    dbt = Path(sys.executable).with_name("dbt")
    command = str(dbt) if dbt.exists() else shutil.which("dbt")
    if command is None:
        raise ProjectError(f"no dbt manifest at {manifest} and no dbt to write it: run `dbt parse` in {project_dir}")
    done = subprocess.run([command, "parse", "--target-path", str(manifest.parent)], cwd=project_dir,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 or not manifest.exists():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise ProjectError(f"no dbt manifest at {manifest}, and `dbt parse` failed to write it:\n{tail}")


# ---------------------------------------------------------------- vars


def project_vars(project_dir: Path | None = None, overrides: str | Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The vars of the project's dbt_project.yml, with `overrides` on top: a mapping, or a YAML/JSON string as
    dbt's `--vars` takes it. Values are as written (a Jinja expression is not rendered)."""
    path = (project_dir or ROOT) / "dbt_project.yml"
    try:
        project = yaml.safe_load(path.read_text()) or {}
    except OSError as error:
        raise ProjectError(f"cannot read the dbt project file {path}: {error}") from None
    variables = dict(project.get("vars") or {})
    if isinstance(overrides, str):
        parsed = yaml.safe_load(overrides) if overrides.strip() else {}
        if not isinstance(parsed, dict):
            raise ProjectError(f"--vars must be a YAML mapping such as '{{match_threshold_probability: 0.8}}', "
                               f"not {overrides!r}")
        overrides = parsed
    variables.update(overrides or {})
    return variables


def number_var(variables: Mapping[str, Any], name: str) -> float:
    """A numeric var, or a clear error naming it."""
    if name not in variables:
        raise ProjectError(f"dbt_project.yml has no var {name!r}")
    value = variables[name]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ProjectError(f"var {name!r} must be a number, not {value!r}")
    try:
        return float(value)
    except ValueError:
        raise ProjectError(f"var {name!r} must be a number, not {value!r}") from None


@dataclass(frozen=True)
class MergePolicy:
    """The merge policy: scored pairs at or above `threshold` join (dbt var `match_threshold_probability`); pairs
    from `review_band` up to it go to the review queue (var `review_band_lower_probability`)."""

    threshold: float
    review_band: float


def merge_policy(project_dir: Path | None = None,
                 overrides: str | Mapping[str, Any] | None = None) -> MergePolicy:
    """The merge policy of dbt_project.yml's vars (with `--vars`-style overrides)."""
    variables = project_vars(project_dir, overrides)
    policy = MergePolicy(threshold=number_var(variables, "match_threshold_probability"),
                         review_band=number_var(variables, "review_band_lower_probability"))
    if not 0 < policy.review_band <= policy.threshold < 1:
        raise ProjectError(f"the vars need 0 < review_band_lower_probability ({policy.review_band}) <= "
                           f"match_threshold_probability ({policy.threshold}) < 1")
    return policy


# ---------------------------------------------------------------- a built DuckDB database


@dataclass(frozen=True)
class BuiltDatabase:
    """A connection to a database the project built, with the project's relations: `table("unified_links")` is
    the SQL name of that model's relation in it."""

    con: Any
    relations: Relations

    def table(self, model: str) -> str:
        return self.relations.sql(model)

    def exists(self, model: str) -> bool:
        """Whether the database holds the model's relation (a manifest naming it is not enough: it may be unbuilt)."""
        relation = self.relations[model]
        row = self.con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [relation.schema, relation.identifier],
        ).fetchone()
        return bool(row and row[0])
