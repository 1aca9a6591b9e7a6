"""`cdp bench-warehouse`: the matching step at warehouse scale, measured here and estimated for Snowflake.

It reads the worlds `make bench` built (data/bench/records_N: raw feeds, database, manifest) and does three things:

1. counts, at every scale there, the matching inputs and the candidate pairs each blocking rule makes (the sum over
   its blocks of k(k-1)/2: before the rules' overlap is removed), beside the candidate pairs after it (the bench's
   blocking analysis, bench/results.json);
2. at the largest scale, builds the matching model alone twice on a copy of that database, once per engine
   (`--vars '{matching_engine: sql}'` and `splink`, both `--full-refresh`: every pair scored), and takes dbt's time
   for the node and the process's peak memory;
3. estimates 10M and 100M records: the candidate pairs grow by the exponent measured between the two largest scales
   (pairs = p_large x (N / N_large)^b), and the set-based SQL path's time on a Snowflake warehouse follows the cost
   model written into the section: the throughput per core measured here, a number of cores per warehouse size,
   and the size's credits per hour.

BENCHMARKS.md gets the section `bench-warehouse`; raw numbers go to bench/warehouse_results.json.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import shutil
import sys
from pathlib import Path

import duckdb

from cdp.bench import ROOT, _run, write_section
from cdp.identity.matching import BLOCKING_KEYS, CROSS_FIELD_KEYS
from cdp.project import relations

# Snowflake standard warehouses: servers per size double from X-Small; credits per hour equal the servers. Cores per
# server is the cost model's assumption (8), stated in the section; a live run replaces it with a measurement.
WAREHOUSE_SIZES = [("X-Small", 1), ("Small", 2), ("Medium", 4), ("Large", 8), ("X-Large", 16), ("2X-Large", 32),
                   ("3X-Large", 64), ("4X-Large", 128)]
CORES_PER_SERVER = 8
ESTIMATED_SCALES = [10_000_000, 100_000_000]


def _scales(workdir: Path) -> list[Path]:
    folders = [folder for folder in workdir.glob("records_*") if (folder / "cdp.duckdb").exists()
               and (folder / "target" / "manifest.json").exists()]
    if not folders:
        raise SystemExit(f"no built worlds in {workdir}: run `make bench` first (it builds data/bench/records_N)")
    return sorted(folders, key=lambda folder: int(folder.name.split("_")[1]))


def rule_pairs(database: Path, manifest: Path) -> dict:
    """Matching inputs and, per blocking rule, the candidate pairs it makes (sum of k(k-1)/2 over its blocks)."""
    inputs = relations(manifest=manifest).sql("int_identity_match_inputs")
    per_rule: dict[str, int] = {}
    with duckdb.connect(str(database), read_only=True) as con:
        count = con.execute(f"select count(*) from {inputs}").fetchone()[0]
        for keys in BLOCKING_KEYS:
            present = " and ".join(f"{key} is not null" for key in keys)
            per_rule[" + ".join(keys)] = int(con.execute(
                f"select coalesce(sum(k * (k - 1) / 2), 0) from (select count(*) as k from {inputs} "
                f"where {present} group by {', '.join(keys)})").fetchone()[0])
        for rule in CROSS_FIELD_KEYS:
            left = ", ".join(pair[0] for pair in rule)
            right = ", ".join(pair[1] for pair in rule)
            left_present = " and ".join(f"{pair[0]} is not null" for pair in rule)
            right_present = " and ".join(f"{pair[1]} is not null" for pair in rule)
            name = " + ".join(f"{a}={b}" for a, b in rule)
            # A record on either side: ordered pairs (the rule is applied both ways round).
            per_rule[name] = int(con.execute(
                f"with l as (select {left}, count(*) as k from {inputs} where {left_present} group by {left}), "
                f"r as (select {right}, count(*) as k from {inputs} where {right_present} group by {right}) "
                "select coalesce(sum(l.k * r.k), 0) from l inner join r on "
                + " and ".join(f"l.{a} = r.{b}" for a, b in rule)).fetchone()[0])
    return {"matching_inputs": count, "per_rule": per_rule, "sum_over_rules": sum(per_rule.values())}


def time_engine(folder: Path, engine: str, scratch: Path) -> dict:
    """The matching model alone, every pair scored, on a copy of the world's database, with `engine`."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    shutil.copyfile(folder / "cdp.duckdb", scratch / "cdp.duckdb")
    raw = folder / "raw" if (folder / "raw").exists() else folder / "base" / "raw"
    env = {"CDP_RAW_DIR": str(raw), "CDP_TRUTH_DIR": str(folder / "world" / "truth"),
           "CDP_DUCKDB_PATH": str(scratch / "cdp.duckdb"), "DBT_PROFILES_DIR": str(ROOT)}
    dbt = str(Path(sys.executable).with_name("dbt"))
    step = _run(f"{folder.name}: matching with {engine}",
                [dbt, "build", "--select", "int_identity_edges__probabilistic", "--full-refresh",
                 "--vars", json.dumps({"matching_engine": engine}), "--exclude-resource-type", "test",
                 "--exclude-resource-type", "unit_test", "--target-path", str(scratch / "target"),
                 "--log-path", str(scratch / "logs")], env)
    results = json.loads((scratch / "target" / "run_results.json").read_text())["results"]
    node = next(r for r in results if r["unique_id"].endswith(".int_identity_edges__probabilistic"))
    with duckdb.connect(str(scratch / "cdp.duckdb"), read_only=True) as con:
        table = relations(manifest=scratch / "target" / "manifest.json").sql("int_identity_edges__probabilistic")
        kept = con.execute(f"select count(*) from {table} where is_current").fetchone()[0]
    shutil.rmtree(scratch, ignore_errors=True)
    return {"engine": engine, "node_seconds": round(node["execution_time"], 1), "wall_seconds": step.wall_seconds,
            "peak_memory_mb": step.peak_memory_mb, "pairs_kept": kept}


def estimate(records: int, pairs: int, exponent: float, seconds_per_pair_core: float) -> dict:
    """Candidate pairs at `records`, and per warehouse size the hours and credits the SQL path would take."""
    sizes = []
    for name, servers in WAREHOUSE_SIZES:
        hours = pairs * seconds_per_pair_core / (servers * CORES_PER_SERVER) / 3600
        sizes.append({"size": name, "servers": servers, "hours": hours, "credits": hours * servers})
    return {"records": records, "candidate_pairs": pairs, "exponent": exponent, "sizes": sizes}


def run(workdir: Path, out: Path, markdown: Path) -> dict:
    folders = _scales(workdir)
    bench = json.loads((ROOT / "bench" / "results.json").read_text()) if (ROOT / "bench" / "results.json").exists() \
        else {"scales": []}
    candidate = {s["target_records"]: s["baseline"]["candidate_pairs"] for s in bench["scales"]}
    scales = []
    for folder in folders:
        target = int(folder.name.split("_")[1])
        counted = rule_pairs(folder / "cdp.duckdb", folder / "target" / "manifest.json")
        scales.append({"target_records": target, **counted, "candidate_pairs": candidate.get(target)})
        print(f"[bench-warehouse] {folder.name}: {counted['matching_inputs']:,} matching inputs, "
              f"{counted['sum_over_rules']:,} pairs over the rules", flush=True)
    largest = folders[-1]
    engines = [time_engine(largest, engine, workdir / "warehouse_scratch") for engine in ("sql", "splink")]
    top, below = scales[-1], scales[-2] if len(scales) > 1 else None
    pairs_top = top["candidate_pairs"] or top["sum_over_rules"]
    exponent = 1.0
    if below:
        pairs_below = below["candidate_pairs"] or below["sum_over_rules"]
        exponent = math.log(pairs_top / pairs_below) / math.log(top["matching_inputs"] / below["matching_inputs"])
    sql = engines[0]
    cores = os.cpu_count() or 1
    seconds_per_pair_core = sql["node_seconds"] * cores / pairs_top
    estimates = [estimate(n, int(pairs_top * (n / top["target_records"]) ** exponent), exponent,
                          seconds_per_pair_core) for n in ESTIMATED_SCALES]
    results = {"measured_on": dt.date.today().isoformat(),
               "machine": f"{platform.machine()}, {cores} cores, Python {platform.python_version()}",
               "scales": scales, "engines": engines, "largest": largest.name,
               "seconds_per_pair_core": seconds_per_pair_core, "cores_per_server": CORES_PER_SERVER,
               "estimates": estimates}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    write_section(markdown, "bench-warehouse", _markdown(results))
    return results


def _markdown(results: dict) -> str:
    scales, engines = results["scales"], results["engines"]
    rules = list(scales[-1]["per_rule"])
    rule_rows = "\n".join(f"| {rule} | " + " | ".join(f"{s['per_rule'][rule]:,}" for s in scales) + " |"
                          for rule in sorted(rules, key=lambda r: -scales[-1]["per_rule"][r]))
    header = " | ".join(f"{s['matching_inputs']:,} inputs" for s in scales)
    engine_rows = "\n".join(
        f"| {e['engine']} | {e['node_seconds']} | {e['wall_seconds']} | {e['peak_memory_mb']:,.0f} | "
        f"{e['pairs_kept']:,} |" for e in engines)
    faster = min(engines, key=lambda e: e["node_seconds"])
    estimate_rows = []
    for est in results["estimates"]:
        for size in est["sizes"]:
            estimate_rows.append(
                f"| {est['records']:,} | {est['candidate_pairs']:,} | {size['size']} | "
                f"{size['hours'] * 60:,.1f} | {size['credits']:,.2f} |")
    core_us = results["seconds_per_pair_core"] * 1e6
    overlap_removed = " | ".join(f"{s['candidate_pairs']:,}" if s["candidate_pairs"] else "n/a" for s in scales)
    cores = results["machine"].split(", ")[1]
    return f"""## Matching at warehouse scale: `make bench-warehouse`

Measured {results['measured_on']} on {results['machine']} with `make bench-warehouse` (`cdp bench-warehouse`,
`cdp/bench_warehouse.py`) over the worlds `make bench` built. Raw numbers: `bench/warehouse_results.json`.

The matching model alone at the largest scale ({results['largest']}), every pair scored (`--full-refresh`), by each
engine (var `matching_engine`; README, *Identity resolution*): dbt's time for the node, the process's wall time
and peak memory, and the pairs kept (at or above the review band's lower bound). Faster here: **{faster['engine']}**.

| engine | matching node (s) | dbt process (s) | peak memory (MB) | pairs kept |
|---|---:|---:|---:|---:|
{engine_rows}

Candidate pairs per blocking rule (sum over its blocks of k(k-1)/2, before the overlap between rules is removed),
and after it (the bench's blocking analysis):

| rule | {header} |
|---|{'---:|' * len(scales)}
{rule_rows}
| all rules, overlap removed | {overlap_removed} |

**Estimate for Snowflake** (a model, not a measurement; `make test-snowflake-live` on a real account gives the
numbers to replace it). Candidate pairs grow as (records)^b with b = {results['estimates'][0]['exponent']:.2f}, measured
between the two largest scales here: the capped coarse keys grow linearly, but the uncapped two-field keys
(first name and postal code, street and postal code, ...) grow faster as their blocks fill. Time = pairs x
{core_us:.2f} microseconds per pair and core (the SQL path's throughput here: node time x {cores} / candidate pairs), on
{results['cores_per_server']} cores per server (assumed) and the size's servers; credits = hours x servers, so
every size costs the same credits and a larger one only finishes sooner, as long as the work spreads over its
servers (set-based joins and aggregates do; nothing is held by one process). Scans, the term-frequency tables and
writing the pairs are not counted; nor is a warehouse's per-core speed relative to this machine's.

| records | candidate pairs (estimated) | warehouse | minutes | credits |
|---:|---:|---|---:|---:|
{chr(10).join(estimate_rows)}

What follows from it: at 100M records the current blocking rules would make tens of billions of candidate pairs;
there the uncapped two-field rules need the cap the coarse keys have (var `max_coarse_block_records`), which is a
change of the model to measure for recall first.
"""
