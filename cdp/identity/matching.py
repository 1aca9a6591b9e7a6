"""Probabilistic matching with Splink: the settings, training, and prediction.

One function set serves every engine: `train` (run by `cdp train`) estimates the model from the records
in the database and writes the committed JSON artifact; `predict` (run by the dbt Python model) only
scores candidate pairs with that artifact. Training is self-supervised: the records that exact identifiers
already join are the labelled examples of one person, from which the model learns how a person's names,
dates and contact points vary between systems.

The model compares names (nicknames, typos, swaps, name changes; term-frequency adjusted), date of birth,
email, phone and location (postal code, else city). Candidate pairs come from blocking rules on exact keys,
so their number grows about linearly with the number of records.
"""

from __future__ import annotations

import json
import logging
import os
import pkgutil
import time
from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator

MODEL_PATH = Path(__file__).with_name("splink_model.json")
# Read through the package loader, so the model is found when the package is imported from a zip file
# (Snowflake stages `cdp` as a zip for the Snowpark Python models).
MODEL_RESOURCE = ("cdp.identity", "splink_model.json")
# A model file to use instead of the committed one (dbt var `matching_model_path`; `cdp bench-public` trains into
# its own file and builds with it). Empty: the committed model.
MODEL_PATH_ENV = "CDP_MATCHING_MODEL"
# Key of the model JSON holding the expected number of other records of the same person, per record.
PRIOR_PER_RECORD_KEY = "cdp_expected_matches_per_record"

# Columns the matching input must have (the dbt model int_identity_match_inputs provides them).
INPUT_SCHEMA = pa.schema([
    ("identity_record_id", pa.string()), ("first_name", pa.string()), ("first_name_key", pa.string()),
    ("first_name_variants", pa.list_(pa.string())), ("last_name", pa.string()), ("full_name", pa.string()),
    ("date_of_birth", pa.date32()), ("email", pa.string()), ("phone", pa.string()),
    ("postal_code", pa.string()), ("city", pa.string()),
])
INPUT_COLUMNS = INPUT_SCHEMA.names


def _name_comparison() -> cl.CustomComparison:
    """First and last name together: each way two records' names can relate is its own level, so that the
    evidence of one name is not counted twice and a missing name is not read as a different one."""
    first_l, first_r = '"first_name_l"', '"first_name_r"'
    last_l, last_r = '"last_name_l"', '"last_name_r"'
    same_first = 'len(list_intersect("first_name_variants_l", "first_name_variants_r")) > 0'
    near = "(jaro_winkler_similarity({a}, {b}) >= 0.88 or damerau_levenshtein({a}, {b}) <= 1)"
    first_near = near.format(a=first_l, b=first_r)
    last_near = near.format(a=last_l, b=last_r)
    one_first_missing = f"({first_l} is null or {first_r} is null)"
    one_last_missing = f"({last_l} is null or {last_r} is null)"
    levels = [
        cll.CustomLevel(
            f"({first_l} is null and {last_l} is null) or ({first_r} is null and {last_r} is null)",
            label_for_charts="no name on one side",
        ).configure(is_null_level=True),
        cll.ExactMatchLevel("full_name").configure(tf_adjustment_column="full_name", tf_adjustment_weight=1.0),
        cll.CustomLevel(f"{first_l} = {last_r} and {last_l} = {first_r}", label_for_charts="names swapped"),
        cll.CustomLevel(f"{last_l} = {last_r} and {same_first}", label_for_charts="same last name, nickname"),
        cll.CustomLevel(f"{last_l} = {last_r} and {first_near}", label_for_charts="same last name, first near"),
        cll.CustomLevel(f"{same_first} and {last_near}", label_for_charts="same first name, last near"),
        cll.CustomLevel(f"{first_near} and {last_near}", label_for_charts="both names near"),
        cll.CustomLevel(f"{same_first} and {one_last_missing}", label_for_charts="same first name, no last name"),
        cll.CustomLevel(
            f"{last_l} = {last_r} and {one_first_missing}", label_for_charts="same last name, no first name"
        ),
        cll.CustomLevel(f"{same_first}", label_for_charts="same first name, other last name"),
        cll.CustomLevel(f"{last_l} = {last_r}", label_for_charts="same last name, other first name"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(
        output_column_name="full_name",
        comparison_description="First and last name: nicknames, typos, swaps, name changes",
        comparison_levels=levels,
    )


def _date_of_birth_comparison() -> cl.CustomComparison:
    dob_l, dob_r = '"date_of_birth_l"', '"date_of_birth_r"'
    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_description="Date of birth: exact, day and month swapped, one typo, close",
        comparison_levels=[
            cll.NullLevel("date_of_birth"),
            cll.ExactMatchLevel("date_of_birth"),
            cll.CustomLevel(
                f"year({dob_l}) = year({dob_r}) and month({dob_l}) = day({dob_r}) and day({dob_l}) = month({dob_r})",
                label_for_charts="day and month swapped",
            ),
            cll.CustomLevel(
                f"damerau_levenshtein(cast({dob_l} as varchar), cast({dob_r} as varchar)) <= 1",
                label_for_charts="one character apart",
            ),
            cll.CustomLevel(f"abs(date_diff('day', {dob_l}, {dob_r})) <= 366", label_for_charts="within a year"),
            cll.ElseLevel(),
        ],
    )


def _location_comparison() -> cl.CustomComparison:
    """Postal code and city as one comparison: they are not independent evidence."""
    return cl.CustomComparison(
        output_column_name="location",
        comparison_description="Postal code, else city",
        comparison_levels=[
            cll.CustomLevel(
                '("postal_code_l" is null or "postal_code_r" is null) and ("city_l" is null or "city_r" is null)',
                label_for_charts="no location on one side",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("postal_code").configure(
                tf_adjustment_column="postal_code", tf_adjustment_weight=1.0
            ),
            cll.CustomLevel('"city_l" = "city_r"', label_for_charts="same city").configure(
                tf_adjustment_column="city", tf_adjustment_weight=1.0
            ),
            cll.ElseLevel(),
        ],
    )


def comparisons() -> list[Any]:
    """Names, date of birth, email, phone and location. Email and phone compare exactly: near-identical
    addresses mostly echo the name, which is already counted."""
    return [
        _name_comparison(),
        _date_of_birth_comparison(),
        cl.ExactMatch("email").configure(term_frequency_adjustments=True),
        cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
        _location_comparison(),
    ]


# Candidate pairs: records that agree exactly on at least one of these keys (or have their first and last names
# swapped). Each rule keeps the pairs near-linear in the number of records.
BLOCKING_KEYS = [
    ("first_name_key", "last_name"),
    ("first_name_key", "date_of_birth"),
    ("last_name", "date_of_birth"),
    ("email",),
    ("phone",),
    ("last_name", "postal_code"),
    ("first_name_key", "postal_code"),
]
_SWAPPED_NAMES = 'l."first_name" = r."last_name" and l."last_name" = r."first_name"'


def prediction_blocking_rules() -> list[BlockingRuleCreator]:
    """Splink's blocking rules for predictions: `BLOCKING_KEYS` and the swapped names."""
    return [*(block_on(*keys) for keys in BLOCKING_KEYS), CustomRule(_SWAPPED_NAMES)]


def _may_pair_with(others: pa.Table, changed: pa.Table) -> pa.Table:
    """The records of `others` that some blocking rule can pair with a record of `changed`: only those can form
    a pair with it, so scoring the changed records against them gives the same pairs as against all others.
    (Arrow's hash joins, like the rules, never match on a null key.)"""
    index = pa.table({"row": pa.array(range(others.num_rows), pa.int64())})
    for name in {key for keys in BLOCKING_KEYS for key in keys} | {"first_name", "last_name"}:
        index = index.append_column(name, others.column(name))
    swapped = changed.select(["last_name", "first_name"]).rename_columns(["first_name", "last_name"])
    probes = [(changed.select(list(keys)), list(keys)) for keys in BLOCKING_KEYS]
    probes.append((swapped, ["first_name", "last_name"]))
    rows = [index.join(probe.group_by(keys).aggregate([]), keys=keys, join_type="left semi").column("row")
            for probe, keys in probes]
    return others.take(pc.unique(pa.chunked_array([chunk for column in rows for chunk in column.chunks],
                                                  pa.int64())).sort())


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="identity_record_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=prediction_blocking_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _check_columns(table: pa.Table) -> None:
    missing = [c for c in INPUT_COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(f"matching input lacks column(s) {', '.join(missing)}; expected {INPUT_COLUMNS}")


def deterministic_labels(record_ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[str]:
    """A label per record: the smallest record of its connected component under `edges` (which may pass
    through records not in `record_ids`, such as a web cookie signed in by two of them)."""
    from cdp.identity.graph import cluster

    nodes = sorted(set(record_ids) | {r for edge in edges for r in edge})
    clustering = cluster(nodes, [(left, right, 1.0) for left, right in edges], max_cluster_size=len(nodes) + 1)
    return [clustering.cluster_of[r] for r in record_ids]


def train(
    records: pa.Table,
    labels: Sequence[str],
    out_path: Path = MODEL_PATH,
    max_pairs_for_u: float = 5e6,
    seed: int = 1,
    deterministic_recall: float = 0.8,
    log_level: int = logging.WARNING,
) -> dict[str, Any]:
    """Estimate the model from `records` and write it to `out_path`.

    - the prior (probability that two random records match) from exact-key rules with an assumed recall;
    - u probabilities (how often each level occurs between different people) by random sampling of pairs;
    - m probabilities (how often each level occurs for the same person) from labels: `labels` gives each
      record a cluster, normally the clusters that exact identifiers (email, member ID, card, ...) already
      prove, so the model learns how one person's attributes vary across systems. A level never seen
      among the labelled pairs gets the m of one pair in twice their number: rare, not impossible.
    """
    _check_columns(records)
    if records.num_rows < 2:
        raise ValueError("cannot train on fewer than two records")
    if len(labels) != records.num_rows:
        raise ValueError(f"{len(labels)} labels for {records.num_rows} records")
    labelled = records.append_column("match_label", pa.array(labels, pa.string()))
    labelled_pairs = sum(n * (n - 1) // 2 for n in Counter(labels).values())
    if labelled_pairs == 0:
        raise ValueError("no two records share a label: nothing to learn m probabilities from")

    db_api = DuckDBAPI(connection=duckdb.connect())
    frame = db_api.register(labelled, dataset_display_name="identity_records")
    linker = Linker(frame, settings(), log_level=log_level)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("first_name", "last_name", "date_of_birth")],
        recall=deterministic_recall,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs_for_u, seed=seed)
    linker.training.estimate_m_from_label_column("match_label")
    model = linker.misc.save_model_to_json(str(out_path), overwrite=True)
    # The prior depends on how many records there are: store it per record, so that the same model is
    # calibrated on a table of any size (see load_model).
    model[PRIOR_PER_RECORD_KEY] = model["probability_two_random_records_match"] * (records.num_rows - 1)
    floor = 1.0 / (2 * labelled_pairs)
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level") and not level.get("m_probability"):
                level["m_probability"] = floor
    # Stable, reviewable formatting: retraining shows as a readable diff.
    model.pop("linker_uid", None)
    out_path.write_text(json.dumps(model, indent=2, sort_keys=True) + "\n")
    return model


def predict(
    records: pa.Table,
    threshold_match_probability: float,
    model_path: Path | str | None = None,
    log_level: int = logging.WARNING,
    changed: Collection[str] | None = None,
    progress: bool = False,
) -> pa.Table:
    """Score candidate pairs of `records` with the trained model; keep pairs at or above the threshold.

    Returns one row per pair: both record IDs (the smaller first), match weight and probability, an
    `explanation` JSON object giving, per comparison, the level reached (its label) and its match-weight
    contribution, and two flags for the merge policy: `is_partial_name` (a record lacks its first or last name)
    and `has_exact_identifier` (the two share their date of birth, email or phone exactly).

    With `changed` (IDs of records new or changed since the last scoring), only the pairs with a changed record
    are scored: within the changed records, and between them and the others (Splink's predict_within and
    predict_between), with the prior and the term frequencies of all `records`, so each of those pairs scores
    as in a full run. With `progress`, it says what it scores and how long it took."""
    _check_columns(records)
    started = time.perf_counter()
    empty = pa.table({
        "identity_record_id_l": pa.array([], pa.string()), "identity_record_id_r": pa.array([], pa.string()),
        "match_weight": pa.array([], pa.float64()), "match_probability": pa.array([], pa.float64()),
        "explanation": pa.array([], pa.string()),
        "is_partial_name": pa.array([], pa.bool_()), "has_exact_identifier": pa.array([], pa.bool_()),
    })
    if records.num_rows < 2 or (changed is not None and not changed):
        return empty
    model = load_model(model_path, records.num_rows)
    # The explanation needs each comparison's contribution (mw_); the corroboration flags need the values.
    model["retain_intermediate_calculation_columns"] = True
    model["retain_matching_columns"] = True
    # Splink runs on an in-memory DuckDB of its own, on both engines: the records are already in Arrow, and its
    # working tables (records with term frequencies, blocked pairs, scores) stay in memory. On dbt's connection
    # they went into the project's database file and out again: a million records took 36 s instead of 28 s,
    # at the same peak memory.
    connection = duckdb.connect()
    db_api = DuckDBAPI(connection=connection)
    frame = db_api.register(records, dataset_display_name="identity_match_inputs")
    linker = Linker(frame, model, log_level=log_level)
    if progress:
        scope = "all of them" if changed is None else f"the {len(changed):,} new or changed ones"
        print(f"matching: scoring {records.num_rows:,} records, {scope} ...", flush=True)
    if changed is None:
        predictions = [linker.inference.predict(threshold_match_probability=threshold_match_probability)]
    else:
        for column in _tf_columns(model):
            linker.table_management.compute_tf_table(column)
        is_changed = pc.is_in(records.column("identity_record_id"), value_set=pa.array(sorted(changed), pa.string()))
        changed_records = records.filter(is_changed)
        changed_frame = db_api.register(changed_records, dataset_display_name="changed_match_inputs")
        predictions = [linker.inference.predict_within(
            changed_frame, threshold_match_probability=threshold_match_probability)]
        others = _may_pair_with(records.filter(pc.invert(is_changed)), changed_records)
        if others.num_rows:
            others_frame = db_api.register(others, dataset_display_name="unchanged_match_inputs")
            predictions.append(linker.inference.predict_between(
                changed_frame, others_frame, threshold_match_probability=threshold_match_probability))
    parts = []
    for prediction in predictions:
        relation = prediction.as_duckdbpyrelation()
        explanation = _explanation_sql(model, set(relation.columns))
        parts.append(relation.select(
            "least(identity_record_id_l, identity_record_id_r) as identity_record_id_l, "
            "greatest(identity_record_id_l, identity_record_id_r) as identity_record_id_r, "
            "match_weight, match_probability, "
            f"{explanation} as explanation, {_PARTIAL_NAME_SQL} as is_partial_name, "
            f"{_EXACT_IDENTIFIER_SQL} as has_exact_identifier"
        ).to_arrow_table().cast(empty.schema))
    connection.close()
    result = pa.concat_tables(parts)
    if progress:
        print(f"matching: {result.num_rows:,} pairs at or above {threshold_match_probability} "
              f"in {time.perf_counter() - started:.1f} s", flush=True)
    return result


def _tf_columns(model: dict[str, Any]) -> list[str]:
    """Columns whose term frequencies the model's comparisons use."""
    columns = {level["tf_adjustment_column"] for comparison in model["comparisons"]
               for level in comparison["comparison_levels"] if level.get("tf_adjustment_column")}
    return sorted(columns)


# A pair where either record lacks its first or its last name ...
_PARTIAL_NAME_SQL = (
    "(first_name_l is null or first_name_r is null or last_name_l is null or last_name_r is null)"
)
# ... and whether the two agree exactly on a personal identifier.
_EXACT_IDENTIFIER_SQL = (
    "coalesce(date_of_birth_l = date_of_birth_r, false) or coalesce(email_l = email_r, false) "
    "or coalesce(phone_l = phone_r, false)"
)


def model_path_from_env() -> Path | None:
    """The model file named by the environment variable `CDP_MATCHING_MODEL` (what the dbt var
    `matching_model_path` reads), or None for the committed model."""
    value = os.environ.get(MODEL_PATH_ENV, "").strip()
    return Path(value) if value else None


def model_bytes(model_path: Path | str | None = None) -> bytes:
    """The trained model's JSON: the file at `model_path`, else the committed model inside the package."""
    if model_path:
        path = Path(model_path)
        if not path.exists():
            raise FileNotFoundError(f"no trained matching model at {path}: run `make train` (cdp train)")
        return path.read_bytes()
    data = pkgutil.get_data(*MODEL_RESOURCE)
    if data is None:
        raise FileNotFoundError(f"no trained matching model in {MODEL_RESOURCE}: run `make train` (cdp train)")
    return data


def load_model(model_path: Path | str | None = None, record_count: int | None = None) -> dict[str, Any]:
    """The trained model as Splink settings (from `model_path`, else the committed model). With
    `record_count`, the prior is set for a table of that many records: two random records of a larger table
    are less likely to be the same person."""
    model = json.loads(model_bytes(model_path))
    per_record = model.pop(PRIOR_PER_RECORD_KEY, None)
    if per_record is not None and record_count is not None and record_count > 1:
        model["probability_two_random_records_match"] = min(per_record / (record_count - 1), 0.5)
    return model


def _level_labels(model: dict[str, Any]) -> dict[str, list[str]]:
    """Per comparison: its levels' labels as JSON strings, by comparison vector value (Splink's gamma) from -1
    (the null level; JSON null when there is none) upwards. Splink numbers the other levels from the last
    (0, the else level) to the first."""
    labels_by_comparison: dict[str, list[str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        null_labels = [level.get("label_for_charts", level["sql_condition"]) for level in levels
                       if level.get("is_null_level")]
        others = [level.get("label_for_charts", level["sql_condition"]) for level in levels
                  if not level.get("is_null_level")]
        by_gamma = [json.dumps(null_labels[0]) if null_labels else "null"]
        by_gamma += [json.dumps(label) for label in reversed(others)]
        labels_by_comparison[comparison["output_column_name"]] = by_gamma
    return labels_by_comparison


def _explanation_sql(model: dict[str, Any], columns: set[str]) -> str:
    """SQL for a JSON object text: per comparison, its level (looked up by gamma) and its match weight, term-frequency
    adjustment included. Plain string concatenation: a JSON function per pair costs more than Splink's scoring."""
    parts = []
    for name, labels in _level_labels(model).items():
        literal = "[" + ", ".join("'" + label.replace("'", "''") + "'" for label in labels) + "]"
        tf_column = f"mw_tf_adj_{name}"
        total = f"mw_{name} + coalesce({tf_column}, 0)" if tf_column in columns else f"mw_{name}"
        parts.append(f"'\"{name}\":{{\"level\":' || list_extract({literal}, gamma_{name} + 2) "
                     f"|| ',\"match_weight\":' || cast(round({total}, 3) as varchar) || '}}'")
    return "'{' || " + " || ',' || ".join(parts) + " || '}'"
