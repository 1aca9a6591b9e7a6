"""Training the matching model on whatever data it is pointed at, with Splink's own estimators.

`train` estimates every parameter from the records in the database and says where each came from:

- **u** (how often each comparison level occurs between different people): random sampling of record pairs
  (Splink's `estimate_u_using_random_sampling`); nearly every random pair is two different people.
- **m** (how often each level occurs between records of the same person): expectation maximisation (Splink's
  `estimate_parameters_using_expectation_maximisation`) over several blocking rules, each of which leaves the
  comparisons it does not block on free to be estimated (date of birth; first name and last name; postal code).
  EM needs no labels, so training works on data where nothing but names, dates and addresses tie records.
- **labels**: where exact identifiers (email, member ID, card, ...) already join records, those groups are
  labelled examples of one person. Their m estimates are the starting point of EM, and are kept beside EM's in
  the model as a check; a comparison EM cannot estimate takes them.
- **the prior** (probability that two random records are one person): the pairs that deterministic rules (same
  email; same first name, last name and date of birth) find, divided by the share of one person's record pairs
  those rules find, which the trained m probabilities give (instead of an assumed recall).

No level gets a penalty it has not earned: m is the EM estimate smoothed with half a pair (Jeffreys' prior), so a
level never seen among N matching pairs gets m = 0.5 / N, a penalty that grows with the evidence; a comparison with
fewer than `min_matching_pairs` estimated matching pairs, or a level seen neither among matching nor among random
pairs, stays neutral (m = u: match weight 0). The model JSON records, per level, its source (`em`, `labels` or
`default`) and the number of pairs behind it (`cdp_training`), and `cdp train` prints them.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, block_on
from splink.internals.exceptions import EMTrainingException  # not exported publicly by Splink 5.0

from cdp.identity.matching import (
    COMPARISON_COLUMNS,
    MODEL_PATH,
    PRIOR_PER_RECORD_KEY,
    TRAINING_KEY,
    check_columns,
    settings,
)
from cdp.identity.warehouse import Warehouse

# EM sessions, each blocked on columns of its own, so that between them every comparison is estimated: blocking on
# the date of birth estimates names, email, phone and address; on the names, the date of birth and the rest; on
# the postal code, names and date of birth again (a comparison estimated in several sessions takes their
# weighted mean).
EM_BLOCKING_KEYS: list[tuple[str, ...]] = [("date_of_birth",), ("first_name_key", "last_name"), ("postal_code",)]
# Deterministic rules for the prior: pairs they find are almost always one person.
PRIOR_RULE_KEYS: list[tuple[str, ...]] = [("email",), ("first_name", "last_name", "date_of_birth")]
# The levels each prior rule implies, per comparison: the rule's recall among matching pairs is the product over
# comparisons of the summed m of the listed levels (the comparisons taken as independent, as the model does).
PRIOR_RULE_LEVELS: dict[tuple[str, ...], dict[str, list[str]]] = {
    ("email",): {"email": ["Exact match on email", "same email, other name"]},
    ("first_name", "last_name", "date_of_birth"): {
        "full_name": ["Exact match on full_name"], "date_of_birth": ["Exact match on date_of_birth"],
    },
}
# The levels whose pairs an EM session's blocking keys find (for the prior when no deterministic rule finds a pair).
EM_KEY_LEVELS: dict[tuple[str, ...], list[tuple[str, str]]] = {
    ("date_of_birth",): [("date_of_birth", "Exact match on date_of_birth")],
    ("first_name_key", "last_name"): [
        ("full_name", "Exact match on full_name"), ("full_name", "same last name, nickname"),
    ],
}
# Comparisons whose columns are identifiers the labels come from: their label estimates are biased by construction.
LABEL_DEFINING_COMPARISONS = {"email"}


@dataclass(frozen=True)
class TrainingOptions:
    max_pairs_for_u: float = 5e6  # random pairs sampled to estimate u
    max_pairs_for_em: float = 2e6  # blocked pairs each EM session samples down to
    min_em_pairs: int = 100  # an EM session needs at least this many blocked pairs
    min_matching_pairs: float = 10.0  # a comparison needs this many (estimated) matching pairs to leave neutral
    min_labelled_pairs: int = 100  # labels are used when they give at least this many pairs
    seed: int = 1


def deterministic_labels(record_ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[str]:
    """A label per record: the smallest record of its connected component under `edges` (which may pass
    through records not in `record_ids`, such as a web cookie signed in by two of them)."""
    from cdp.identity.graph import cluster

    nodes = sorted(set(record_ids) | {r for edge in edges for r in edge})
    clustering = cluster(nodes, [(left, right, 1.0) for left, right in edges], max_cluster_size=len(nodes) + 1)
    return [clustering.cluster_of[r] for r in record_ids]


# The statements below count in whatever warehouse they are given (`Warehouse`: a DuckDB connection, or a
# dbt Python model's session on DuckDB or Snowflake) over `source`, a query for the matching inputs (training's
# own in-memory table: `select * from records`); only counts come back. Column names are unquoted: Snowflake folds
# them to its upper case, as it stored them.
RECORDS = "select * from records"


def count_pairs(warehouse: Warehouse, keys: Sequence[str], source: str = RECORDS) -> int:
    """Record pairs of `source` that agree on every column of `keys` (none null)."""
    columns = ", ".join(keys)
    present = " and ".join(f"{key} is not null" for key in keys)
    value = warehouse.scalar(f"select coalesce(sum(n * (n - 1) / 2), 0) from (select count(*) as n from "
                             f"({source}) as records where {present} group by {columns}) as blocks")
    return int(value)


def completeness(warehouse: Warehouse, source: str = RECORDS) -> dict[str, float]:
    """Per comparison, the share of records of `source` on which it is observed (any of its columns present)."""
    observed = ", ".join(
        f"count(case when {' or '.join(f'{column} is not null' for column in columns)} then 1 end)"
        for columns in COMPARISON_COLUMNS.values())
    total, *counts = warehouse.rows(f"select count(*), {observed} from ({source}) as records")[0]
    return {name: int(count) / int(total) if total else 0.0 for name, count in zip(COMPARISON_COLUMNS, counts,
                                                                                    strict=True)}


# Private Splink attributes this module reads, for want of a public API in Splink 5.0 (the written exceptions of
# tests/python/test_project.py): the linker's comparisons (`_settings_obj`, `_comparison_levels_excluding_null`),
# to set each EM session's starting m; a level's raw m and u (`_m_probability`, `_u_probability`), because the
# public getters return 1e-6 for a level never observed and training must tell the two apart; and each session's
# own m estimates (`_trained_m_probabilities`, keyed by the session's `_blocking_rule_for_training`), because the
# linker keeps only their median.
def _numeric(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _label_estimates(records: pa.Table, labels: Sequence[str], log_level: int) -> dict[tuple[str, str], float]:
    """m per (comparison, level label) from the pairs of records sharing a label (Splink's
    `estimate_m_from_label_column`)."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    labelled = records.append_column("match_label", pa.array(labels, pa.string()))
    linker = Linker(DuckDBAPI(connection=con).register(labelled, dataset_display_name="labelled_records"),
                    settings(), log_level=log_level)
    linker.training.estimate_m_from_label_column("match_label")
    estimates = {}
    for comparison in linker._settings_obj.comparisons:
        for level in comparison._comparison_levels_excluding_null:
            value = _numeric(level._m_probability)
            if value is not None:
                estimates[(comparison.output_column_name, level.label_for_charts)] = value
    con.close()
    return estimates


def train(
    records: pa.Table,
    labels: Sequence[str] | None = None,
    out_path: Path = MODEL_PATH,
    options: TrainingOptions | None = None,
    log_level: int = logging.ERROR,
    progress: bool = False,
) -> dict[str, Any]:
    """Estimate the model from `records` (the matching inputs) and write it to `out_path`.

    `labels` (optional) gives each record a group of records known to be one person, normally the clusters that
    exact identifiers prove (`deterministic_labels`). Returns the model (Splink settings plus `cdp_training`)."""
    options = options or TrainingOptions()
    check_columns(records)
    if records.num_rows < 2:
        raise ValueError("cannot train on fewer than two records")
    if labels is not None and len(labels) != records.num_rows:
        raise ValueError(f"{len(labels)} labels for {records.num_rows} records")

    def say(message: str) -> None:
        if progress:
            print(message, flush=True)

    logging.getLogger("splink").setLevel(log_level)
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.register("records", records)
    warehouse = Warehouse(con)
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register(records, dataset_display_name="identity_records"), settings(),
                    log_level=log_level)
    record_count = records.num_rows
    total_pairs = record_count * (record_count - 1) / 2
    observed = completeness(warehouse)

    # Labels: pairs of records that exact identifiers already join.
    labelled_pairs = sum(n * (n - 1) // 2 for n in Counter(labels).values()) if labels is not None else 0
    label_m: dict[tuple[str, str], float] = {}
    if labelled_pairs >= options.min_labelled_pairs:
        say(f"training: m from {labelled_pairs:,} labelled pairs (records joined by exact identifiers) ...")
        label_m = _label_estimates(records, labels, log_level)

    # A first prior, with Splink's customary assumed recall: only EM's starting point (replaced below).
    prior_rules = [block_on(*keys) for keys in PRIOR_RULE_KEYS]
    rule_pairs = count_prior_rule_pairs(warehouse)
    if rule_pairs:
        linker.training.estimate_probability_two_random_records_match(prior_rules, recall=0.8)

    say(f"training: u from up to {options.max_pairs_for_u:,.0f} random pairs of {record_count:,} records ...")
    linker.training.estimate_u_using_random_sampling(max_pairs=options.max_pairs_for_u, seed=options.seed)
    u_observed = sum(1 for value in _trained(linker, "u").values() if value is not None)

    sessions: list[dict[str, Any]] = []
    for keys in EM_BLOCKING_KEYS:
        pairs = count_pairs(warehouse, keys)
        rule = {"blocking_keys": list(keys), "pairs": pairs}
        if pairs < options.min_em_pairs:
            sessions.append({**rule, "status": f"skipped: fewer than {options.min_em_pairs} pairs"})
            continue
        _start_from(linker, label_m)
        say(f"training: EM blocked on {' + '.join(keys)} ({pairs:,} pairs) ...")
        try:
            session = linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*keys), estimate_without_term_frequencies=True, max_pairs=options.max_pairs_for_em)
        except EMTrainingException as error:
            sessions.append({**rule, "status": f"failed: {error}"})
            continue
        used = min(pairs, options.max_pairs_for_em)
        share = session.core_model_settings.probability_two_random_records_match
        sessions.append({
            **rule, "status": "estimated", "pairs_used": int(used), "matching_share": share,
            "matching_pairs": share * used,
            "comparisons": [c.output_column_name for c in session.core_model_settings.comparisons],
            "description": f"EM, blocked on: {session._blocking_rule_for_training.blocking_rule_sql}",
        })

    model = linker.misc.save_model_to_json(overwrite=True)
    levels = _settle_levels(model, linker, sessions, observed, label_m, labelled_pairs, options)

    prior = _prior(levels, rule_pairs, total_pairs, sessions)
    model["probability_two_random_records_match"] = prior["probability_two_random_records_match"]
    # The prior depends on how many records there are: store it per record, so that the same model is
    # calibrated on a table of any size (matching.load_model).
    model[PRIOR_PER_RECORD_KEY] = prior["probability_two_random_records_match"] * (record_count - 1)
    model[TRAINING_KEY] = {
        "records": record_count,
        "completeness": {name: round(value, 4) for name, value in observed.items()},
        "prior": prior,
        "u": {"method": "random sampling", "max_pairs": options.max_pairs_for_u, "seed": options.seed,
              "levels_observed": u_observed},
        "em_sessions": [{key: _rounded(value) for key, value in session.items() if key != "description"}
                        for session in sessions],
        "labels": {"labelled_pairs": labelled_pairs, "used": bool(label_m)},
        "levels": levels,
    }
    model.pop("linker_uid", None)
    # Stable, reviewable formatting: retraining shows as a readable diff.
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(model, indent=2, sort_keys=True) + "\n")
    con.close()
    return model


def _rounded(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


def count_prior_rule_pairs(warehouse: Warehouse, source: str = RECORDS) -> int:
    """Pairs found by at least one prior rule: each rule's pairs, less those both find (same email, names and
    birth date)."""
    every_key = sorted({key for keys in PRIOR_RULE_KEYS for key in keys})
    both = count_pairs(warehouse, every_key, source) if len(PRIOR_RULE_KEYS) == 2 else 0
    return sum(count_pairs(warehouse, keys, source) for keys in PRIOR_RULE_KEYS) - both


def _trained(linker: Linker, kind: str) -> dict[tuple[str, str], float | None]:
    """The current m or u of every non-null level, None where Splink has none (never observed)."""
    values = {}
    for comparison in linker._settings_obj.comparisons:
        for level in comparison._comparison_levels_excluding_null:
            raw = level._m_probability if kind == "m" else level._u_probability
            values[(comparison.output_column_name, level.label_for_charts)] = _numeric(raw)
    return values


def _start_from(linker: Linker, label_m: dict[tuple[str, str], float]) -> None:
    """EM's starting m values: the label estimates where there are any, and never so small that EM cannot move
    them (a previous session may have driven a level towards zero; EM would then underflow)."""
    for comparison in linker._settings_obj.comparisons:
        for level in comparison._comparison_levels_excluding_null:
            key = (comparison.output_column_name, level.label_for_charts)
            current = _numeric(level._m_probability)
            start = label_m.get(key, current)
            if comparison.output_column_name in LABEL_DEFINING_COMPARISONS:
                start = current
            if start is not None:
                level.m_probability = min(max(start, 1e-4), 1.0)


def _settle_levels(
    model: dict[str, Any],
    linker: Linker,
    sessions: list[dict[str, Any]],
    completeness: dict[str, float],
    label_m: dict[tuple[str, str], float],
    labelled_pairs: int,
    options: TrainingOptions,
) -> list[dict[str, Any]]:
    """Set each level's final m and u in `model` and return where they came from.

    m: the EM sessions' estimates weighted by the matching pairs behind each (a session's estimated matching
    pairs times the share of pairs on which the comparison is observed), smoothed with Jeffreys' half pair:
    (x + 1/2) / (N + K/2) for x of N matching pairs at the level, K levels. u: the random-sampling estimate; a
    level no random pair reached gets half a pair of the sample."""
    by_description = {session["description"]: session for session in sessions if session["status"] == "estimated"}
    objects = {c.output_column_name: c for c in linker._settings_obj.comparisons}
    provenance = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        observed = completeness.get(name, 1.0) ** 2
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        splink_levels = objects[name]._comparison_levels_excluding_null
        estimates = []
        for splink_level in splink_levels:
            entries = [(by_description[entry["description"]], _numeric(entry["probability"]))
                       for entry in splink_level._trained_m_probabilities if entry["description"] in by_description]
            estimates.append(entries)
        matching = sum(session["matching_pairs"] * observed for session, _ in estimates[0]) if estimates else 0.0
        labelled = labelled_pairs * observed if label_m and name not in LABEL_DEFINING_COMPARISONS else 0.0
        for level, splink_level, entries in zip(levels, splink_levels, estimates, strict=True):
            label = level.get("label_for_charts", level["sql_condition"])
            at_level = sum(session["matching_pairs"] * observed * (value or 0.0) for session, value in entries)
            u = _numeric(splink_level._u_probability)
            u_observed = u is not None
            if u is None:
                u = 0.5 / options.max_pairs_for_u
            m_labels = label_m.get((name, label))
            record: dict[str, Any] = {"comparison": name, "level": label}
            if matching >= options.min_matching_pairs and (at_level >= 1 or u_observed):
                m = (at_level + 0.5) / (matching + 0.5 * len(levels))
                record.update(m_source="em", matching_pairs=round(matching, 1), pairs_at_level=round(at_level, 1),
                              sessions=[session["blocking_keys"] for session, _ in entries])
            elif labelled >= options.min_labelled_pairs and m_labels is not None:
                m = m_labels
                record.update(m_source="labels", labelled_pairs=round(labelled))
            else:
                m = u
                record.update(m_source="default", matching_pairs=round(matching, 1),
                              reason="too few matching pairs" if matching < options.min_matching_pairs
                              else "observed neither among matching nor among random pairs")
            if m_labels is not None and name not in LABEL_DEFINING_COMPARISONS:
                record["m_from_labels"] = round(m_labels, 6)
                if record["m_source"] == "em" and labelled >= options.min_labelled_pairs:
                    record["labels_disagree"] = abs(math.log2(max(m, 1e-12) / max(m_labels, 1e-12))) >= 3
            level["m_probability"] = m
            level["u_probability"] = u
            record.update(m=round(m, 8), u=round(u, 8), u_source="random sampling" if u_observed else "default",
                          match_weight=round(math.log2(m / u), 3))
            provenance.append(record)
    return provenance


def prior_rule_recall(levels: Sequence[dict[str, Any]]) -> float:
    """The share of one person's record pairs that the prior rules find, from the trained m of the levels each
    rule implies (the comparisons taken as independent, as the model does; levels at a default count for none)."""
    m = {(level["comparison"], level["level"]): level["m"] for level in levels if level["m_source"] != "default"}
    missed = 1.0
    for keys in PRIOR_RULE_KEYS:
        per_comparison = [[m.get((comparison, label)) for label in labels]
                          for comparison, labels in PRIOR_RULE_LEVELS[keys].items()]
        if all(value is not None for values in per_comparison for value in values):
            missed *= 1 - math.prod(sum(values) for values in per_comparison)
    return 1 - missed


def _prior(
    levels: list[dict[str, Any]],
    rule_pairs: int,
    total_pairs: float,
    sessions: list[dict[str, Any]],
) -> dict[str, Any]:
    """The probability that two random records are one person: the pairs the prior rules find over the share of
    matching pairs they find (from the trained m of the levels each rule implies, assuming comparisons
    independent, as the model itself does)."""
    recall = prior_rule_recall(levels)
    if rule_pairs and recall > 0:
        probability = min(rule_pairs / recall / total_pairs, 0.5)
        return {"probability_two_random_records_match": probability, "method": "deterministic rules",
                "rules": [list(keys) for keys in PRIOR_RULE_KEYS], "rule_pairs": rule_pairs,
                "rule_recall": round(recall, 6)}
    # No pair is found by the rules (no emails, no exact names and birth dates): EM's own estimate, from the
    # matching pairs of a session and the share of matching pairs its blocking keys find.
    m = {(level["comparison"], level["level"]): level["m"] for level in levels if level["m_source"] != "default"}
    for session in sessions:
        implied = [m.get(level) for level in EM_KEY_LEVELS.get(tuple(session["blocking_keys"]), [])]
        if session["status"] == "estimated" and implied and all(v is not None for v in implied):
            found = session["matching_share"] * session["pairs"]
            probability = min(found / sum(implied) / max(total_pairs, 1.0), 0.5)
            return {"probability_two_random_records_match": probability, "method": "em",
                    "session": session["blocking_keys"], "session_recall": round(sum(implied), 6)}
    return {"probability_two_random_records_match": 1 / max(total_pairs, 1.0), "method": "default"}


def describe(model: dict[str, Any]) -> str:
    """What `cdp train` learned, as text: the prior and, per comparison level, m, u, match weight and the source
    of m with the pairs behind it."""
    training = model.get(TRAINING_KEY) or {}
    prior = training.get("prior", {})
    lines = [f"prior: {prior.get('probability_two_random_records_match', 0):.3g} per pair "
             f"({model.get(PRIOR_PER_RECORD_KEY, 0):.3g} other records of the same person per record; "
             f"method: {prior.get('method', '?')})"]
    for session in training.get("em_sessions", []):
        detail = (f"{session['pairs_used']:,} pairs, about {session['matching_pairs']:,.0f} matching"
                  if session["status"] == "estimated" else session["status"])
        lines.append(f"EM blocked on {' + '.join(session['blocking_keys'])}: {detail}")
    labels = training.get("labels", {})
    lines.append(f"labels: {labels.get('labelled_pairs', 0):,} pairs of records joined by exact identifiers"
                 + ("" if labels.get("used") else " (too few: not used)"))
    lines.append(f"{'comparison':<14} {'level':<36} {'weight':>7}  m from")
    for level in training.get("levels", []):
        lines.append(f"{level['comparison']:<14} {level['level'][:36]:<36} {level['match_weight']:>7.2f}  "
                     f"{m_source_text(level)}")
    return "\n".join(lines)


def m_source_text(level: dict[str, Any]) -> str:
    """Where a level's m came from, and on how many pairs, as one line (a `cdp_training` level)."""
    if level["m_source"] == "em":
        text = f"EM: {level['pairs_at_level']:,.1f} of {level['matching_pairs']:,.0f} matching pairs"
    elif level["m_source"] == "labels":
        text = f"labels: {level['labelled_pairs']:,} labelled pairs"
    else:
        text = f"default (neutral): {level.get('reason', '')}"
    if level.get("labels_disagree"):
        text += f"; the labels say m = {level['m_from_labels']:.3g}"
    return text
