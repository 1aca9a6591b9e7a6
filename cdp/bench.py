"""`cdp bench`: measure the generator and the identity layer at scale, and write BENCHMARKS.md and JSON.

Each stage runs as its own process, timed by the wall clock, with its peak resident memory taken from the
operating system (wait4). Accuracy is read from the identity_resolution_metrics mart built on generated data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Stage:
    name: str
    wall_seconds: float
    peak_memory_mb: float


def _run(name: str, command: list[str], env: dict[str, str] | None = None) -> Stage:
    """Run a command to completion, echoing its output; return its wall time and peak memory."""
    print(f"[bench] {name}: {' '.join(command)}", flush=True)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"[bench] {name} failed (exit {os.waitstatus_to_exitcode(status)})")
    return Stage(name, round(elapsed, 1), round(usage.ru_maxrss / 1024, 1))


def _record_count(truth: Path) -> int:
    return duckdb.sql(f"select count(*) from read_parquet('{truth}')").fetchone()[0]


def _dbt_stage_times(target: Path) -> dict[str, float]:
    """Seconds per model of the last dbt invocation, from its run results (largest first)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    times = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 2) for r in results
             if r["unique_id"].startswith("model.")}
    return dict(sorted(times.items(), key=lambda item: -item[1]))


def _metrics(database: Path) -> dict[str, float]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        row = con.execute(
            "select record_count, unified_individual_count, consolidation_rate, pairwise_precision, "
            "pairwise_recall, pairwise_f1, exact_cluster_rate from main.identity_resolution_metrics"
        ).fetchone()
        pairs = con.execute("select count(*) from intermediate.int_identity_edges__probabilistic").fetchone()[0]
    finally:
        con.close()
    keys = ["records", "unified_individuals", "consolidation_rate", "pairwise_precision", "pairwise_recall",
            "pairwise_f1", "exact_cluster_rate"]
    return {**dict(zip(keys, row, strict=True)), "probabilistic_pairs_kept": pairs}


def run(generate_people: int, resolve_people: int, seed: int, workdir: Path, out: Path) -> dict:
    cdp = str(Path(sys.executable).with_name("cdp"))
    dbt = str(Path(sys.executable).with_name("dbt"))
    results: dict = {
        "measured_on": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "seed": seed,
    }

    gen_dir = workdir / "generate"
    shutil.rmtree(gen_dir, ignore_errors=True)
    stage = _run("generate", [cdp, "generate", "--people", str(generate_people), "--seed", str(seed),
                              "--out", str(gen_dir), "--quiet"])
    results["generator"] = {"people": generate_people, "records": _record_count(gen_dir / "truth" / "records.parquet"),
                            **asdict(stage)}
    shutil.rmtree(gen_dir, ignore_errors=True)

    res_dir = workdir / "resolve"
    shutil.rmtree(res_dir, ignore_errors=True)
    _run("generate (resolution data)", [cdp, "generate", "--people", str(resolve_people), "--seed", str(seed),
                                        "--out", str(res_dir), "--quiet"])
    env = {
        "CDP_RAW_DIR": str(res_dir / "raw"),
        "CDP_TRUTH_DIR": str(res_dir / "truth"),
        "CDP_DUCKDB_PATH": str(res_dir / "cdp.duckdb"),
        "DBT_PROFILES_DIR": str(ROOT),
    }
    target = res_dir / "target"
    build = _run("dbt build", [dbt, "build", "--exclude-resource-type", "test", "--exclude-resource-type",
                               "unit_test", "--target-path", str(target), "--log-path", str(res_dir / "logs")],
                 env)
    results["identity_resolution"] = {
        "people": resolve_people,
        **asdict(build),
        **_metrics(res_dir / "cdp.duckdb"),
        "slowest_models_seconds": dict(list(_dbt_stage_times(target).items())[:8]),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    _write_markdown(results, ROOT / "BENCHMARKS.md")
    return results


def _table(header: list[str], row: list[str]) -> str:
    return "\n".join([
        "| " + " | ".join(header) + " |",
        "|" + "---:|" * len(header),
        "| " + " | ".join(row) + " |",
    ])


def _write_markdown(results: dict, path: Path) -> None:
    gen, res = results["generator"], results["identity_resolution"]
    slow = "\n".join(f"| `{name}` | {seconds} |" for name, seconds in res["slowest_models_seconds"].items())
    path.write_text(f"""# Benchmarks

Measured {results['measured_on']} on {results['machine']} with `make bench` (seed {results['seed']}).
Raw numbers: `bench/results.json`.

## Generator

| people | person-bearing records | wall time (s) | peak memory (MB) |
|---:|---:|---:|---:|
| {gen['people']:,} | {gen['records']:,} | {gen['wall_seconds']} | {gen['peak_memory_mb']} |

## Identity resolution (models only; data and unit tests excluded)

{_table(["records", "unified individuals", "consolidation", "pairwise precision", "pairwise recall", "F1",
         "people resolved exactly", "wall time (s)", "peak memory (MB)"],
        [f"{res['records']:,}", f"{res['unified_individuals']:,}", f"{res['consolidation_rate']:.1%}",
         f"{res['pairwise_precision']:.4f}", f"{res['pairwise_recall']:.4f}", f"{res['pairwise_f1']:.4f}",
         f"{res['exact_cluster_rate']:.1%}", str(res['wall_seconds']), str(res['peak_memory_mb'])])}

Slowest models (seconds, from dbt's run results):

| model | seconds |
|---|---:|
{slow}
""")
