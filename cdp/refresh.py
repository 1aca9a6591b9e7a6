"""The frequent run: rebuild only what the raw feeds that received rows since the last run reach.

`cdp refresh` (`make refresh`) is dbt's own state selection, in one process so dbt starts once:

1. `dbt source freshness` records each raw table's newest load time (`loaded_at_field`) in target/sources.json;
2. `dbt build --select source_status:fresher+ --state <state>`: the sources whose newest load time moved since the
   run that wrote <state>, and everything downstream of them. Nothing new: nothing is built.
3. After a run that succeeded, target/sources.json and target/manifest.json become the state of the next run; after
   a failure the state stays, so the next run retries what failed.

What the frequent run leaves to the full build (`make build`, the nightly or CI run):
- data tests of severity `warn` (observations about the data, read in the morning, not gates) and unit tests (they
  test the SQL, which a new batch does not change);
- the data tests of the intermediate models of identity, identity sources, insights, profiles and data quality:
  the grain and relationships inside the SQL, which the tests of the marts built from them check again at the
  output. What a batch can break is still tested on every run that builds it: staging (each feed's keys and
  values), the marts (what consumers read), the privacy and activation models (deletion, consent, the frequency
  cap) and the singular tests. Those tests of severity `error` still stop publication
  (macros/publication/publish_marts.sql);
- models no raw feed reaches that a var, seed or the calendar moves (`run_date`, exchange rates, overrides): a
  change of those is a change of the project, built by the full build;
- a feed that appears for the first time: the full build registers it.
With no saved state (the first run, or after `--full`), the run is a full `dbt build` that writes the state.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from cdp.project import target_path

# Data tests of severity warn, those of the intermediate models whose grain the marts' tests check again, and unit
# tests run with the full build only (see the module docstring).
FULL_BUILD_TEST_FOLDERS = ("identity", "identity_sources", "insights", "profiles", "data_quality")
FREQUENT_EXCLUDES = ["config.severity:warn",
                     *(f"resource_type:test,path:models/intermediate/{folder}" for folder in FULL_BUILD_TEST_FOLDERS)]
FREQUENT_EXCLUDED_TYPES = ["unit_test"]
STATE_FILES = ("sources.json", "manifest.json")


class RefreshError(RuntimeError):
    """A dbt step of the refresh failed; the saved state is left as it was."""


@dataclass
class Outcome:
    mode: str  # full | changed | nothing new
    fresher_sources: list[str]
    seconds: float


def _invoke(args: list[str]) -> object:
    from dbt.cli.main import dbtRunner

    return dbtRunner().invoke(args)


def newest_loads(sources_json: Path) -> dict[str, str | None]:
    """Per source table (unique_id), its newest load time as dbt recorded it (None when the query failed)."""
    results = json.loads(sources_json.read_text())["results"]
    return {result["unique_id"]: result.get("max_loaded_at") for result in results}


def fresher_sources(current: Path, previous: Path) -> list[str]:
    """The source tables whose newest load time moved (or that are new) between two freshness runs: what dbt's
    `source_status:fresher` selects, for the report."""
    before = newest_loads(previous)
    return sorted(name for name, loaded in newest_loads(current).items()
                  if loaded is not None and (before.get(name) is None or loaded > before[name]))


def refresh(project_dir: Path, state_dir: Path, full: bool = False, extra_args: list[str] | None = None) -> Outcome:
    """One frequent run (module docstring). `extra_args` go to `dbt build` (e.g. `--vars`)."""
    started = time.perf_counter()
    target = target_path(project_dir)
    common = ["--project-dir", str(project_dir), "--target-path", str(target)]
    # A stale source is reported by dbt (its warn_after/error_after) and does not stop the run: its rows are still
    # the newest there are.
    freshness = _invoke(["source", "freshness", *common])
    if getattr(freshness, "exception", None) is not None:
        raise RefreshError(f"dbt source freshness failed: {freshness.exception}")
    has_state = all((state_dir / name).exists() for name in STATE_FILES)
    if full or not has_state:
        mode, moved = "full", []
        build = ["build", *common, *(extra_args or [])]
    else:
        moved = fresher_sources(target / "sources.json", state_dir / "sources.json")
        mode = "changed" if moved else "nothing new"
        build = ["build", *common, "--select", "source_status:fresher+", "--state", str(state_dir),
                 "--exclude", *FREQUENT_EXCLUDES,
                 *(arg for kind in FREQUENT_EXCLUDED_TYPES for arg in ("--exclude-resource-type", kind)),
                 *(extra_args or [])]
    if mode != "nothing new":
        outcome = _invoke(build)
        if not getattr(outcome, "success", False):
            raise RefreshError(f"dbt build failed ({mode} run); the state in {state_dir} is kept, so the next "
                               "refresh builds the same again")
    # The freshness results of this run, with the manifest they go with, are what the next run compares against.
    state_dir.mkdir(parents=True, exist_ok=True)
    for name in STATE_FILES:
        shutil.copyfile(target / name, state_dir / name)
    return Outcome(mode, moved, time.perf_counter() - started)
