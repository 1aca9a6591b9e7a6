"""`cdp bench`: the identity layer at 10,000, 100,000 and 1,000,000 person-bearing records; BENCHMARKS.md and JSON.

Per scale (seeded synthetic data; generation is timed but not counted in the build):
- full build: `dbt build` of every model (data and unit tests excluded) on the data minus a batch of 1% of the
  person-bearing records; wall time, peak memory of the dbt process (DuckDB and the Python models run in it),
  and time per stage from dbt's run results;
- training: `cdp train` on the full build's database (to a scratch model file), added to the full build for the
  end-to-end time;
- incremental build: the same command after the batch arrives (stamped loaded later), so staging reads only the
  batch and only what changed is matched again;
- unchanged build: the same command once more with nothing new, the part of an incremental build that does not
  depend on what changed (at the smallest scale, where data work is negligible: the project's fixed cost of
  starting dbt and running every node);
- baseline: the same matching (the committed Splink model, same blocking rules and threshold) in a plain Splink
  script with no dbt, on the same matching inputs, so the project's overhead is a measured ratio;
- candidate pairs compared (Splink's blocking analysis) and accuracy against ground truth.
Each step runs as its own process, timed by the wall clock, with its peak resident memory from wait4.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cdp.project import relations
from cdp.refresh import STATE_FILES

ROOT = Path(__file__).resolve().parents[1]
# Person-bearing records per generated person (measured: 102,232 records for 24,000 people).
RECORDS_PER_PERSON = 4.26
# Where each model's time is counted: the first matching path prefix names the stage.
STAGES = [
    ("staging", "models/staging/"),
    ("identity: records, identifiers, exact edges", "models/intermediate/identity/"),
    ("identity: Splink matching", "python_models/intermediate/identity/int_identity_edges__probabilistic"),
    ("identity: graph and stable IDs", "python_models/intermediate/identity/"),
    ("privacy", "models/intermediate/privacy/"),
    ("profiles and insights", "models/intermediate/profiles/"),
    ("profiles and insights", "models/intermediate/insights/"),
    ("profiles and insights", "models/marts/profiles/"),
    ("profiles and insights", "models/marts/insights/"),
    ("activation", "models/intermediate/activation/"),
    ("activation", "models/marts/activation/"),
    ("identity marts and data quality", "models/intermediate/data_quality/"),
    ("identity marts and data quality", "models/marts/"),
]
BUILD = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
# The project's commands, from the environment the benchmark runs in.
CDP = str(Path(sys.executable).with_name("cdp"))
DBT = str(Path(sys.executable).with_name("dbt"))


@dataclass
class Step:
    name: str
    wall_seconds: float
    peak_memory_mb: float


def _run(name: str, command: list[str], env: dict[str, str] | None = None) -> Step:
    """Run a command to completion, echoing its output; return its wall time and peak memory."""
    print(f"[bench] {name}: {' '.join(command[:2])} ...", flush=True)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"[bench] {name} failed (exit {os.waitstatus_to_exitcode(status)})")
    print(f"[bench] {name}: {elapsed:.1f} s, peak {usage.ru_maxrss / 1024:.0f} MB", flush=True)
    return Step(name, round(elapsed, 1), round(usage.ru_maxrss / 1024, 1))


def _stage_times(target: Path) -> dict[str, float]:
    """Seconds per stage of the last dbt invocation, from its run results and manifest."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    times: dict[str, float] = {}
    for result in results:
        path = nodes.get(result["unique_id"], {}).get("original_file_path", "")
        stage = next((name for name, prefix in STAGES if path.startswith(prefix)), "seeds and other")
        times[stage] = round(times.get(stage, 0.0) + result["execution_time"], 1)
    return times


def _model_seconds(target: Path, model: str) -> float:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return round(next(r["execution_time"] for r in results if r["unique_id"] == f"model.cdp_identity.{model}"), 2)


def stamp_later_load(data: pa.Table, first_row: int, hours: int = 1) -> pa.Table:
    """`data` with the rows from `first_row` on stamped `_loaded_at` `hours` after its latest load."""
    loaded = data.column("_loaded_at")
    later = pc.add(pc.max(loaded), pa.scalar(dt.timedelta(hours=hours), pa.duration(loaded.type.unit)))
    stamps = pa.concat_arrays([loaded.slice(0, first_row).combine_chunks(),
                               pa.array([later.as_py()] * (data.num_rows - first_row), loaded.type)])
    return data.set_column(data.schema.get_field_index("_loaded_at"), "_loaded_at", stamps)


@dataclass
class Batches:
    """The person-bearing records held back for the incremental build and for the latency batch, and the IDs of
    the latency batch's certifications (to find them in the marts)."""

    incremental_records: int
    latency_records: int
    latency_rows: int
    latency_certifications: list[str]


def _split_world(world: Path, folder: Path, share: float, latency_share: float) -> Batches:
    """Three versions of every raw table but the content catalog, each in its own folder (new files, never links
    into `world`): `base` without the last `share` + `latency_share` of the rows (new people, their records and
    their events), `incremental` with the first of those batches stamped loaded an hour after the table's latest
    load, and `latest` with the latency batch too (at least one row of every table: a certification, a consent
    change, ...), stamped two hours after. The build reads `raw`, a copy of `base` whose files a batch replaces."""
    truth = pq.read_table(world / "truth" / "records.parquet", columns=["source_system", "source_record_id"])
    known = set(zip(truth.column(0).to_pylist(), truth.column(1).to_pylist(), strict=True))
    held = {"incremental": 0, "latency": 0}
    latency_rows, certifications = 0, []
    for version in ("base", "incremental", "latest", "raw"):
        shutil.rmtree(folder / version, ignore_errors=True)
    for path in sorted((world / "raw").glob("*/*.parquet")):
        system, name = path.parent.name, path.name
        for version in ("base", "incremental", "latest", "raw"):
            (folder / version / system).mkdir(parents=True, exist_ok=True)
        if path.stat().st_size == 0 or system == "content":
            for version in ("base", "incremental", "latest", "raw"):
                shutil.copyfile(path, folder / version / system / name)
            continue
        data = pq.read_table(path)
        late = max(1, int(data.num_rows * latency_share)) if data.num_rows > 1 else 0
        batch = int(data.num_rows * share)
        first_batch, first_late = data.num_rows - late - batch, data.num_rows - late
        latest = stamp_later_load(stamp_later_load(data, first_batch, hours=1), first_late, hours=2)
        pq.write_table(latest.slice(0, first_batch), folder / "base" / system / name)
        pq.write_table(latest.slice(0, first_batch), folder / "raw" / system / name)
        pq.write_table(latest.slice(0, first_late), folder / "incremental" / system / name)
        pq.write_table(latest, folder / "latest" / system / name)
        keys = data.column(0).cast("string").to_pylist()
        held["incremental"] += sum(1 for key in keys[first_batch:first_late] if (system, key) in known)
        held["latency"] += sum(1 for key in keys[first_late:] if (system, key) in known)
        latency_rows += late
        if (system, name) == ("lms", "certification.parquet"):
            certifications = keys[first_late:]
    return Batches(held["incremental"], held["latency"], latency_rows, certifications)


def _land_batch(version: Path, raw: Path) -> None:
    """Every raw table of `raw` replaced by its `version` (an ingestion tool's later load of the same tables)."""
    for path in sorted(version.glob("*/*.parquet")):
        target = raw / path.parent.name / path.name
        target.unlink(missing_ok=True)
        os.link(path, target)


def _save_refresh_state(dbt: str, paths: list[str], env: dict[str, str], target: Path, state: Path) -> None:
    """The state `cdp refresh` compares against, as a successful refresh leaves it: this build's freshness."""
    subprocess.run([dbt, "source", "freshness", *paths], cwd=ROOT, env={**os.environ, **env},
                   check=False, capture_output=True)
    state.mkdir(parents=True, exist_ok=True)
    for name in STATE_FILES:
        shutil.copyfile(target / name, state / name)


def _rows_in_marts(database: Path, target: Path, certifications: list[str]) -> dict[str, int]:
    """How many of the latency batch's certifications each trigger mart holds, and the size of the two others."""
    project = relations(manifest=target / "manifest.json")
    ids = ", ".join("'" + key.replace("'", "''") + "'" for key in certifications) or "null"
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            "certification_completion_triggers": con.execute(
                f"select count(*) from {project.sql('certification_completion_triggers')} "
                f"where certification_id in ({ids})").fetchone()[0],
            "export_marketing_cloud_audience": con.execute(
                f"select count(*) from {project.sql('export_marketing_cloud_audience')}").fetchone()[0],
            "unified_links": con.execute(f"select count(*) from {project.sql('unified_links')}").fetchone()[0],
        }


def _metrics(database: Path, target: Path, copy_match_inputs: bool = True) -> dict[str, float]:
    """The accuracy measures of the build, and (`copy_match_inputs`) its matching inputs for the baseline; the
    relations are those of the build's manifest (in `target`)."""
    project = relations(manifest=target / "manifest.json")
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute(
            "select record_count, unified_individual_count, consolidation_rate, pairwise_precision, "
            "pairwise_recall, pairwise_f1, exact_cluster_rate, blocking_recall, reachable_recall "
            f"from {project.sql('identity_resolution_metrics')}"
        ).fetchone()
        if copy_match_inputs:
            con.execute(f"copy (select * from {project.sql('int_identity_match_inputs')}) to "
                        f"'{database.parent / 'match_inputs.parquet'}' (format parquet)")
    keys = ["records", "unified_individuals", "consolidation_rate", "pairwise_precision", "pairwise_recall",
            "pairwise_f1", "exact_cluster_rate", "blocking_recall", "reachable_recall"]
    return dict(zip(keys, row, strict=True))


def _generate(records: int, seed: int, workdir: Path, quiet: bool = False) -> tuple[Path, int, Step]:
    """A fresh folder for the scale and its world generated in `<folder>/world`: (folder, people, the step)."""
    people = math.ceil(records / RECORDS_PER_PERSON)
    folder = workdir / f"records_{records}"
    shutil.rmtree(folder, ignore_errors=True)
    step = _run(f"{records:,} records: generate {people:,} people",
                [CDP, "generate", "--people", str(people), "--seed", str(seed), "--out", str(folder / "world"),
                 *(["--quiet"] if quiet else [])])
    return folder, people, step


def _full_build_and_training(records: int, folder: Path, env: dict[str, str],
                             paths: list[str]) -> tuple[Step, dict[str, float], Step]:
    """The full build (with its seconds per stage), then `cdp train` on its database."""
    full = _run(f"{records:,} records: full build", [DBT, *BUILD, *paths], env)
    stages = _stage_times(folder / "target")
    training = _run(f"{records:,} records: training", [CDP, "train", "--database", str(folder / "cdp.duckdb"),
                                                        "--out", str(folder / "trained_model.json")],
                    {"DBT_TARGET_PATH": str(folder / "target")})
    return full, stages, training


def run_scale(records: int, seed: int, workdir: Path, share: float, latency_share: float = 0.001) -> dict:
    folder, people, generate = _generate(records, seed, workdir)
    world = folder / "world"
    batches = _split_world(world, folder, share, latency_share)
    held_back = batches.incremental_records
    env = {"CDP_RAW_DIR": str(folder / "raw"), "CDP_TRUTH_DIR": str(world / "truth"),
           "CDP_DUCKDB_PATH": str(folder / "cdp.duckdb"), "DBT_PROFILES_DIR": str(ROOT)}
    paths = ["--target-path", str(folder / "target"), "--log-path", str(folder / "logs")]
    full, stages, training = _full_build_and_training(records, folder, env, paths)
    matching_seconds = _model_seconds(folder / "target", "int_identity_edges__probabilistic")
    # The batch lands in the same raw folder, as an ingestion tool appends to the same tables (and dbt's partial
    # parsing keeps working: a changed CDP_RAW_DIR would make it parse the whole project again).
    _land_batch(folder / "incremental", folder / "raw")
    incremental = _run(f"{records:,} records: incremental build (+{held_back:,} records)", [DBT, *BUILD, *paths], env)
    incremental_stages = _stage_times(folder / "target")
    unchanged = _run(f"{records:,} records: unchanged build (nothing new)", [DBT, *BUILD, *paths], env)
    unchanged_stages = _stage_times(folder / "target")
    # The frequent run (cdp refresh): with nothing new, then from landing a small batch to its rows in the marts.
    refresh_env = {**env, "DBT_TARGET_PATH": str(folder / "target"), "DBT_LOG_PATH": str(folder / "logs"),
                   "CDP_REFRESH_STATE": str(folder / "refresh_state")}
    _save_refresh_state(DBT, paths, env, folder / "target", folder / "refresh_state")
    refresh_nothing = _run(f"{records:,} records: frequent run, nothing new", [CDP, "refresh"], refresh_env)
    _land_batch(folder / "latest", folder / "raw")
    latency = _run(f"{records:,} records: frequent run after landing {batches.latency_rows:,} rows",
                   [CDP, "refresh"], refresh_env)
    latency_stages = _stage_times(folder / "target")
    in_marts = _rows_in_marts(folder / "cdp.duckdb", folder / "target", batches.latency_certifications)
    metrics = _metrics(folder / "cdp.duckdb", folder / "target")
    baseline_out = folder / "baseline.json"
    baseline = _run(f"{records:,} records: plain Splink baseline",
                    [sys.executable, "-m", "cdp.bench_baseline", str(folder / "match_inputs.parquet"),
                     str(baseline_out)])
    baseline_result = json.loads(baseline_out.read_text())
    return {
        "target_records": records, "people": people, **metrics, "batch_records": held_back,
        "generate": asdict(generate), "full_build": asdict(full), "full_build_stages": stages,
        "training": asdict(training),
        "full_build_and_training_seconds": round(full.wall_seconds + training.wall_seconds, 1),
        "incremental_build": asdict(incremental), "incremental_build_stages": incremental_stages,
        "incremental_ratio": round(incremental.wall_seconds / full.wall_seconds, 3),
        "unchanged_build": asdict(unchanged), "unchanged_build_stages": unchanged_stages,
        "unchanged_ratio": round(unchanged.wall_seconds / full.wall_seconds, 3),
        "matching_seconds": matching_seconds, "baseline": {**asdict(baseline), **baseline_result},
        "matching_to_baseline_ratio": round(matching_seconds / baseline_result["job_seconds"], 2),
        "refresh_nothing_new": asdict(refresh_nothing), "latency": asdict(latency),
        "latency_stages": latency_stages, "latency_batch_rows": batches.latency_rows,
        "latency_batch_records": batches.latency_records,
        "latency_certifications": len(batches.latency_certifications), "latency_rows_in_marts": in_marts,
    }


def run_scale_end_to_end(records: int, seed: int, workdir: Path, memory_limit: str | None = None) -> dict:
    """The end-to-end figure alone, for a scale too big to repeat every build at: generate the world, the full build
    of all of it, training. With `memory_limit`, DuckDB may use that much before it spills to the scale's folder
    (vars duckdb_memory_limit and duckdb_temp_directory)."""
    folder, people, generate = _generate(records, seed, workdir, quiet=True)
    world = folder / "world"
    env = {"CDP_RAW_DIR": str(world / "raw"), "CDP_TRUTH_DIR": str(world / "truth"),
           "CDP_DUCKDB_PATH": str(folder / "cdp.duckdb"), "DBT_PROFILES_DIR": str(ROOT)}
    if memory_limit:
        env |= {"CDP_DUCKDB_MEMORY_LIMIT": memory_limit, "CDP_DUCKDB_TEMP_DIR": str(folder / "spill")}
    paths = ["--target-path", str(folder / "target"), "--log-path", str(folder / "logs")]
    full, stages, training = _full_build_and_training(records, folder, env, paths)
    metrics = _metrics(folder / "cdp.duckdb", folder / "target", copy_match_inputs=False)
    return {
        "target_records": records, "people": people, **metrics, "end_to_end_only": True,
        "duckdb_memory_limit": memory_limit, "generate": asdict(generate), "full_build": asdict(full),
        "full_build_stages": stages, "training": asdict(training),
        "full_build_and_training_seconds": round(full.wall_seconds + training.wall_seconds, 1),
    }


def run(scales: list[int], seed: int, workdir: Path, out: Path, share: float = 0.01,
        latency_share: float = 0.001, end_to_end: list[int] | None = None, memory_limit: str | None = None) -> dict:
    """Every scale of `scales` in full and every scale of `end_to_end` end to end only (run_scale_end_to_end). With
    only end-to-end scales, the results of `out` are kept and those scales added or replaced in them."""
    results: dict = {
        "measured_on": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "seed": seed, "batch_share": share, "latency_share": latency_share, "scales": [],
    }
    if not scales and out.exists():
        results = json.loads(out.read_text())
    for records in scales:
        results["scales"].append(run_scale(records, seed, workdir, share, latency_share))
        _save(results, out)
    for records in end_to_end or []:
        results["scales"] = [s for s in results["scales"] if s["target_records"] != records]
        results["scales"].append(run_scale_end_to_end(records, seed, workdir, memory_limit))
        results["scales"].sort(key=lambda s: s["target_records"])
        _save(results, out)
    return results


def _save(results: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    _write_markdown(results, ROOT / "BENCHMARKS.md")


BENCHMARKS_HEADER = """# Benchmarks

Three benchmarks write this file, each replacing only its own section: `make bench` (generated worlds of 10,000 to
1,000,000 records: build times, incremental builds, accuracy, the matching step against plain Splink),
`make bench-public` (public labelled data sets: the project's accuracy beside plain Splink) and
`make evaluate-insights` (the trained churn and upgrade models and the next-course rules, back-tested).
"""


def section_markers(name: str) -> tuple[str, str]:
    return f"<!-- section {name}: written by `cdp {name}` -->", f"<!-- end of section {name} -->"


def write_section(path: Path, name: str, body: str) -> None:
    """Replace the section `name` of the Markdown file at `path` (between its HTML comment markers) with `body`,
    keeping everything else; a section not there yet is appended (to a new file with the header)."""
    start, end = section_markers(name)
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text() if path.exists() else BENCHMARKS_HEADER
    first = text.find(start)
    last = text.find(end, first)
    if first >= 0 and last >= 0:
        text = text[:first] + block + text[last + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


def _header(names: list[str]) -> str:
    return "| " + " | ".join(names) + " |\n|" + "---:|" * len(names)


def _scale(results: dict, records: int) -> dict | None:
    return next((s for s in results["scales"] if s["target_records"] == records), None)


def goals(results: dict) -> list[tuple[str, str, bool | None]]:
    """The speed goals: (the goal, the measured figure, met or not; None when a scale it needs was not run)."""
    small, large, huge = (_scale(results, n) for n in (10_000, 1_000_000, 10_000_000))

    def wall(scale: dict, key: str) -> float:
        return scale[key]["wall_seconds"]

    rows: list[tuple[str, str, bool | None]] = []
    if small and large:
        ratio = wall(large, "unchanged_build") / wall(small, "unchanged_build")
        rows.append(("unchanged build at 1M <= 1.25 x the unchanged build at 10k",
                     f"{ratio:.2f} x ({wall(large, 'unchanged_build')} s / {wall(small, 'unchanged_build')} s)",
                     ratio <= 1.25))
    if large:
        share = (wall(large, "incremental_build") - wall(large, "unchanged_build")) / wall(large, "full_build")
        rows.append(("the change's own cost at 1M (incremental minus unchanged build) <= 5% of the full build",
                     f"{share:.1%}", share <= 0.05))
    if small:
        rows.append(("frequent run with nothing new at 10k <= 12 s", f"{wall(small, 'refresh_nothing_new')} s",
                     wall(small, "refresh_nothing_new") <= 12))
    if large:
        end_to_end, peak = large["full_build_and_training_seconds"], large["full_build"]["peak_memory_mb"] / 1024
        rows += [("landing to marts for a 0.1% batch at 1M <= 60 s", f"{wall(large, 'latency')} s",
                  wall(large, "latency") <= 60),
                 ("full build + training at 1M <= 180 s", f"{end_to_end} s", end_to_end <= 180),
                 ("peak memory of the full build at 1M <= 6 GB", f"{peak:.1f} GB", peak <= 6)]
    if large and huge:
        ratio = huge["full_build_and_training_seconds"] / large["full_build_and_training_seconds"]
        rows.append(("10M records end to end <= 12 x the 1M time",
                     f"{ratio:.1f} x ({huge['full_build_and_training_seconds']} s)", ratio <= 12))
    else:
        rows.append(("10M records end to end <= 12 x the 1M time", "not run (make bench END_TO_END=10_000_000)", None))
    return rows


def _missed(rows: list[tuple[str, str, bool | None]]) -> str:
    missed = [goal for goal, _, met in rows if met is False]
    if not missed:
        return ""
    return (f"\n{len(missed)} goal(s) missed; what each would take, and what the time goes to: README, "
            "*Benchmarks*.\n")


def _met(met: bool | None) -> str:
    return "not measured" if met is None else ("yes" if met else "no")


def _end_to_end_section(rows: list[str]) -> str:
    if not rows:
        return ""
    return f"""Scales run end to end only (`make bench END_TO_END=10_000_000`): the world generated, the full build of
all of it, then training, nothing else; DuckDB's memory limit (var `duckdb_memory_limit`) with its spill directory
in the scale's folder. Accuracy from `identity_resolution_metrics` of that build.

{_header(["records", "full build (s)", "peak memory (MB)", "training (s)", "full build + training (s)", "precision",
          "recall", "F1", "DuckDB memory limit", "generation (s)"])}
{chr(10).join(rows)}

"""


def _write_markdown(results: dict, path: Path) -> None:
    rows, stage_rows, refresh_rows, end_to_end_rows = [], [], [], []
    stage_names = list(dict.fromkeys([name for name, _ in STAGES] + ["seeds and other"]))
    for s in results["scales"]:
        if s.get("end_to_end_only"):
            end_to_end_rows.append(
                f"| {s['records']:,} | {s['full_build']['wall_seconds']} | {s['full_build']['peak_memory_mb']:,.0f} "
                f"| {s['training']['wall_seconds']} | {s['full_build_and_training_seconds']} "
                f"| {s['pairwise_precision']:.4f} | {s['pairwise_recall']:.4f} | {s['pairwise_f1']:.4f} "
                f"| {s.get('duckdb_memory_limit') or 'default'} | {s['generate']['wall_seconds']} |")
            continue
        rows.append(
            f"| {s['records']:,} | {s['full_build']['wall_seconds']} | {s['full_build']['peak_memory_mb']:,.0f} "
            f"| {s['training']['wall_seconds']} | {s['full_build_and_training_seconds']} "
            f"| {s['incremental_build']['wall_seconds']} ({s['batch_records']:,} new) | {s['incremental_ratio']:.0%} "
            f"| {s['unchanged_build']['wall_seconds']} | {s['unchanged_ratio']:.0%} "
            f"| {s['matching_seconds']} | {s['baseline']['job_seconds']} ({s['baseline']['predict_seconds']}) "
            f"| {s['matching_to_baseline_ratio']} "
            f"| {s['baseline']['candidate_pairs']:,} | {s['pairwise_precision']:.4f} | {s['pairwise_recall']:.4f} "
            f"| {s['pairwise_f1']:.4f} | {s['blocking_recall']:.4f} | {s['reachable_recall']:.4f} "
            f"| {s['generate']['wall_seconds']} |"
        )
        marts = s.get("latency_rows_in_marts", {})
        refresh_rows.append(
            f"| {s['records']:,} | {s['refresh_nothing_new']['wall_seconds']} "
            f"| {s['latency']['wall_seconds']} ({s['latency_batch_rows']:,} rows, {s['latency_batch_records']:,} "
            f"records) | {marts.get('certification_completion_triggers', 0)} of {s['latency_certifications']} |"
        ) if "latency" in s else None
        stage_rows.append(f"| {s['records']:,} | " + " | ".join(
            " / ".join(str(s[f"{build}_build_stages"].get(n, 0)) for build in ("full", "incremental", "unchanged"))
            for n in stage_names)
            + " |")
    write_section(path, "bench", f"""## Generated worlds: `make bench`

Measured {results['measured_on']} on {results['machine']} with `make bench` (seed {results['seed']}).
Raw numbers: `bench/results.json`. Each scale is generated data; the full build runs on it minus a batch of
{results['batch_share']:.0%} of the person-bearing records, the incremental build after the batch arrives, and the
unchanged build once more with nothing new: what an incremental build costs whatever changed. At the smallest scale,
where the data work is negligible, the unchanged build is the project's fixed cost on this machine: starting dbt and
running each of its nodes.
Builds are `dbt build` of every model (data and unit tests excluded) on DuckDB; the matching step uses the
committed trained model; training (`cdp train`, what `make train` runs) is timed on its own after the full build,
and the two are added up for the end-to-end figure. The baseline is the same Splink model, blocking rules and
threshold in a plain Splink script (`cdp/bench_baseline.py`) on the same matching inputs, doing the matching
model's job without dbt: import Splink, read the inputs, predict, store the pairs kept in a DuckDB file (in
brackets: Splink's predict alone). "matching in dbt" is the dbt node `int_identity_edges__probabilistic` of the
full build, which also writes each pair's explanation and policy flags and the incremental bookkeeping.
Accuracy is measured after the incremental build, with the committed model (trained on the demo data), against the
ground truth: pairwise precision, recall and F1; "blocking recall" is the share of the true pairs among the matching
inputs that a blocking rule makes candidates, "reachable" the share of all true pairs connected through the person's
own candidate pairs and exact-identifier edges, the most pairwise recall could be (`identity_resolution_metrics`).

{_header(["records", "full build (s)", "peak memory (MB)", "training (s)", "full build + training (s)",
          "incremental build (s)", "incremental / full", "unchanged build (s)", "unchanged / full",
          "matching in dbt (s)", "plain Splink job (predict) (s)",
          "dbt / plain", "candidate pairs", "precision", "recall", "F1", "blocking recall", "reachable",
          "generation (s)"])}
{chr(10).join(rows)}

Seconds per stage, full build / incremental build / unchanged build (sum of dbt's per-model times; dbt runs 2 threads):

{_header(["records", *stage_names])}
{chr(10).join(stage_rows)}

The frequent run, `cdp refresh` (`make refresh`; README, *What happens when... new rows land between full builds*),
after the unchanged build: once with nothing new, then after a batch of {results.get('latency_share', 0.001):.1%} of
every raw table's rows (at least one row each, so a certification, a consent change, new records) lands: the time
from landing to its rows in `certification_completion_triggers`, `export_marketing_cloud_audience` and
`unified_links` (the refresh's wall time, dbt's start included; the last column: how many of the batch's
certifications the trigger mart holds afterwards, those of people eligible for a trigger).

{_header(["records", "frequent run, nothing new (s)", "landing to marts (s)", "batch certifications in triggers"])}
{chr(10).join(row for row in refresh_rows if row)}

{_end_to_end_section(end_to_end_rows)}Goals (issue: the cost of a run follows the change):

| goal | measured | met |
|---|---|---|
{chr(10).join(f"| {goal} | {figure} | {_met(met)} |" for goal, figure, met in goals(results))}
{_missed(goals(results))}""")
