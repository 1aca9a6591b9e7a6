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


def stamp_later_load(data: pa.Table, first_row: int) -> pa.Table:
    """`data` with the rows from `first_row` on stamped `_loaded_at` an hour after its latest load."""
    loaded = data.column("_loaded_at")
    later = pc.add(pc.max(loaded), pa.scalar(dt.timedelta(hours=1), pa.duration(loaded.type.unit)))
    stamps = pa.concat_arrays([loaded.slice(0, first_row).combine_chunks(),
                               pa.array([later.as_py()] * (data.num_rows - first_row), loaded.type)])
    return data.set_column(data.schema.get_field_index("_loaded_at"), "_loaded_at", stamps)


def _split_batch(world: Path, base: Path, share: float) -> int:
    """`base` = `world` without the last `share` of the rows of every raw table but the content catalog (new
    people, their records and their events arrive in the batch); returns the person-bearing records held back.
    The batch arrives after everything in the base: its rows in `world` are stamped loaded an hour after the
    table's latest load, as an ingestion tool would stamp a later load."""
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(world, base, copy_function=os.link)
    truth = pq.read_table(world / "truth" / "records.parquet", columns=["source_system", "source_record_id"])
    known = set(zip(truth.column(0).to_pylist(), truth.column(1).to_pylist(), strict=True))
    held_back = 0
    for path in sorted((world / "raw").glob("*/*.parquet")):
        if path.stat().st_size == 0 or path.parent.name == "content":
            continue
        data = pq.read_table(path)
        batch = int(data.num_rows * share)
        if batch == 0:
            continue
        target = base / "raw" / path.parent.name / path.name
        target.unlink()
        pq.write_table(data.slice(0, data.num_rows - batch), target)
        pq.write_table(stamp_later_load(data, data.num_rows - batch), path)
        keys = data.column(0).slice(data.num_rows - batch).cast("string").to_pylist()
        held_back += sum(1 for key in keys if (path.parent.name, key) in known)
    return held_back


def _land_batch(world_raw: Path, raw: Path) -> None:
    """Every raw table of `raw` replaced by its `world_raw` version (base plus batch)."""
    for path in sorted(world_raw.glob("*/*.parquet")):
        target = raw / path.parent.name / path.name
        target.unlink(missing_ok=True)
        os.link(path, target)


def _metrics(database: Path, target: Path) -> dict[str, float]:
    """The accuracy measures of the build, and its matching inputs for the baseline; the relations are those of
    the build's manifest (in `target`)."""
    project = relations(manifest=target / "manifest.json")
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute(
            "select record_count, unified_individual_count, consolidation_rate, pairwise_precision, "
            "pairwise_recall, pairwise_f1, exact_cluster_rate, blocking_recall, reachable_recall "
            f"from {project.sql('identity_resolution_metrics')}"
        ).fetchone()
        con.execute(f"copy (select * from {project.sql('int_identity_match_inputs')}) to "
                    f"'{database.parent / 'match_inputs.parquet'}' (format parquet)")
    keys = ["records", "unified_individuals", "consolidation_rate", "pairwise_precision", "pairwise_recall",
            "pairwise_f1", "exact_cluster_rate", "blocking_recall", "reachable_recall"]
    return dict(zip(keys, row, strict=True))


def run_scale(records: int, seed: int, workdir: Path, share: float) -> dict:
    cdp = str(Path(sys.executable).with_name("cdp"))
    dbt = str(Path(sys.executable).with_name("dbt"))
    people = math.ceil(records / RECORDS_PER_PERSON)
    folder = workdir / f"records_{records}"
    shutil.rmtree(folder, ignore_errors=True)
    world = folder / "world"
    generate = _run(f"{records:,} records: generate {people:,} people",
                    [cdp, "generate", "--people", str(people), "--seed", str(seed), "--out", str(world)])
    held_back = _split_batch(world, folder / "base", share)
    env = {"CDP_RAW_DIR": str(folder / "base" / "raw"), "CDP_TRUTH_DIR": str(world / "truth"),
           "CDP_DUCKDB_PATH": str(folder / "cdp.duckdb"), "DBT_PROFILES_DIR": str(ROOT)}
    paths = ["--target-path", str(folder / "target"), "--log-path", str(folder / "logs")]
    full = _run(f"{records:,} records: full build", [dbt, *BUILD, *paths], env)
    stages = _stage_times(folder / "target")
    matching_seconds = _model_seconds(folder / "target", "int_identity_edges__probabilistic")
    training = _run(f"{records:,} records: training", [cdp, "train", "--database", str(folder / "cdp.duckdb"),
                                                        "--out", str(folder / "trained_model.json")],
                    {"DBT_TARGET_PATH": str(folder / "target")})
    # The batch lands in the same raw folder, as an ingestion tool appends to the same tables (and dbt's partial
    # parsing keeps working: a changed CDP_RAW_DIR would make it parse the whole project again).
    _land_batch(world / "raw", folder / "base" / "raw")
    incremental = _run(f"{records:,} records: incremental build (+{held_back:,} records)", [dbt, *BUILD, *paths], env)
    incremental_stages = _stage_times(folder / "target")
    unchanged = _run(f"{records:,} records: unchanged build (nothing new)", [dbt, *BUILD, *paths], env)
    unchanged_stages = _stage_times(folder / "target")
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
    }


def run(scales: list[int], seed: int, workdir: Path, out: Path, share: float = 0.01) -> dict:
    results: dict = {
        "measured_on": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "seed": seed, "batch_share": share, "scales": [],
    }
    for records in scales:
        results["scales"].append(run_scale(records, seed, workdir, share))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
        _write_markdown(results, ROOT / "BENCHMARKS.md")
    return results


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


def _write_markdown(results: dict, path: Path) -> None:
    rows, stage_rows = [], []
    stage_names = list(dict.fromkeys([name for name, _ in STAGES] + ["seeds and other"]))
    for s in results["scales"]:
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
""")
