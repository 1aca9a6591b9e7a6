"""Probabilistic matching with Splink: the settings, training, and prediction.

One function set serves every engine: `train` (run by `cdp train`) estimates the model from the records
in the database and writes the committed JSON artifact; `predict` (run by the dbt Python model) only
scores candidate pairs with that artifact.

The model compares names (with nicknames and term-frequency adjustment), date of birth, email, phone,
postal code and city. Candidate pairs come from blocking rules on exact keys, so their number grows about
linearly with the number of records.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator

MODEL_PATH = Path(__file__).with_name("splink_model.json")

# Columns the matching input must have (the dbt model int_identity_match_inputs provides them).
INPUT_COLUMNS = [
    "identity_record_id", "first_name", "first_name_key", "last_name", "full_name", "date_of_birth",
    "email", "email_user", "phone", "postal_code", "city",
]

COMPARISON_COLUMNS = ["full_name", "date_of_birth", "email", "phone", "postal_code", "city"]


def _name_comparison() -> cl.CustomComparison:
    first_l, first_r = '"first_name_l"', '"first_name_r"'
    last_l, last_r = '"last_name_l"', '"last_name_r"'
    key_l, key_r = '"first_name_key_l"', '"first_name_key_r"'
    return cl.CustomComparison(
        output_column_name="full_name",
        comparison_description="First and last name, allowing nicknames, typos, swaps and name changes",
        comparison_levels=[
            cll.CustomLevel(
                f"({first_l} is null and {last_l} is null) or ({first_r} is null and {last_r} is null)",
                label_for_charts="no name on one side",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("full_name").configure(
                tf_adjustment_column="full_name", tf_adjustment_weight=1.0
            ),
            cll.CustomLevel(
                f"{first_l} = {last_r} and {last_l} = {first_r}", label_for_charts="first and last swapped"
            ),
            cll.CustomLevel(
                f"{last_l} = {last_r} and {key_l} = {key_r}", label_for_charts="same last name, nickname"
            ),
            cll.CustomLevel(
                f"{last_l} = {last_r} and jaro_winkler_similarity({first_l}, {first_r}) >= 0.88",
                label_for_charts="same last name, first name near",
            ),
            cll.CustomLevel(
                f"{key_l} = {key_r} and jaro_winkler_similarity({last_l}, {last_r}) >= 0.88",
                label_for_charts="same first name, last name near",
            ),
            cll.CustomLevel(
                f"jaro_winkler_similarity({first_l}, {first_r}) >= 0.88 "
                f"and jaro_winkler_similarity({last_l}, {last_r}) >= 0.88",
                label_for_charts="both names near",
            ),
            cll.CustomLevel(f"{key_l} = {key_r}", label_for_charts="same first name, other last name"),
            cll.CustomLevel(f"{last_l} = {last_r}", label_for_charts="same last name, other first name"),
            cll.ElseLevel(),
        ],
    )


def _phone_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="phone",
        comparison_description="Phone (E.164)",
        comparison_levels=[
            cll.NullLevel("phone"),
            cll.ExactMatchLevel("phone").configure(tf_adjustment_column="phone", tf_adjustment_weight=1.0),
            cll.CustomLevel(
                'right("phone_l", 8) = right("phone_r", 8)', label_for_charts="same last 8 digits"
            ),
            cll.ElseLevel(),
        ],
    )


def comparisons() -> list[Any]:
    return [
        _name_comparison(),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
        cl.EmailComparison("email"),
        _phone_comparison(),
        cl.ExactMatch("postal_code").configure(term_frequency_adjustments=True),
        cl.ExactMatch("city").configure(term_frequency_adjustments=True),
    ]


def prediction_blocking_rules() -> list[BlockingRuleCreator]:
    """Candidate pairs: records that agree exactly on at least one of these keys."""
    return [
        block_on("first_name_key", "last_name"),
        block_on("first_name_key", "date_of_birth"),
        block_on("last_name", "date_of_birth"),
        block_on("email"),
        block_on("phone"),
        block_on("email_user", "last_name"),
        block_on("last_name", "postal_code"),
        block_on("first_name_key", "postal_code"),
        cll_swapped_names(),
    ]


def cll_swapped_names() -> BlockingRuleCreator:
    from splink.blocking_rule_library import CustomRule

    return CustomRule('l."first_name" = r."last_name" and l."last_name" = r."first_name"')


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


def train(
    records: pa.Table,
    out_path: Path = MODEL_PATH,
    max_pairs_for_u: float = 5e6,
    seed: int = 1,
    deterministic_recall: float = 0.8,
    log_level: int = logging.WARNING,
) -> dict[str, Any]:
    """Estimate the model from `records` and write it to `out_path`.

    - the prior (probability that two random records match) from deterministic rules with an assumed recall;
    - u probabilities by random sampling of record pairs;
    - m probabilities by expectation maximisation, in two sessions whose blocking rules free different
      comparisons (blocking on date of birth trains the names; blocking on names trains date of birth).
    """
    _check_columns(records)
    if records.num_rows < 2:
        raise ValueError("cannot train on fewer than two records")
    db_api = DuckDBAPI(connection=duckdb.connect())
    frame = db_api.register(records, dataset_display_name="identity_records")
    linker = Linker(frame, settings(), log_level=log_level)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("first_name", "last_name", "date_of_birth")],
        recall=deterministic_recall,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs_for_u, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name_key", "last_name"))
    model = linker.misc.save_model_to_json(str(out_path), overwrite=True)
    # Stable, reviewable formatting: retraining shows as a readable diff.
    model.pop("linker_uid", None)
    out_path.write_text(json.dumps(model, indent=2, sort_keys=True) + "\n")
    return model


def predict(
    records: pa.Table,
    connection: duckdb.DuckDBPyConnection,
    threshold_match_probability: float,
    model_path: Path = MODEL_PATH,
    log_level: int = logging.WARNING,
) -> pa.Table:
    """Score candidate pairs of `records` with the trained model; keep pairs at or above the threshold.

    Returns one row per pair: both record IDs, match weight and probability, and an `explanation` JSON
    object giving, per comparison, the level reached (its label) and its match-weight contribution."""
    _check_columns(records)
    if not model_path.exists():
        raise FileNotFoundError(f"no trained matching model at {model_path}: run `make train` (cdp train)")
    empty = pa.table({
        "identity_record_id_l": pa.array([], pa.string()), "identity_record_id_r": pa.array([], pa.string()),
        "match_weight": pa.array([], pa.float64()), "match_probability": pa.array([], pa.float64()),
        "explanation": pa.array([], pa.string()),
    })
    if records.num_rows < 2:
        return empty
    model = json.loads(model_path.read_text())
    # The explanation needs each comparison's level (gamma_) and contribution (mw_).
    model["retain_intermediate_calculation_columns"] = True
    db_api = DuckDBAPI(connection=connection)
    frame = db_api.register(records, dataset_display_name="identity_match_inputs")
    linker = Linker(frame, model, log_level=log_level)
    predictions = linker.inference.predict(threshold_match_probability=threshold_match_probability)
    relation = predictions.as_duckdbpyrelation()
    explanation = _explanation_sql(model, set(relation.columns))
    result = relation.select(
        "identity_record_id_l, identity_record_id_r, match_weight, match_probability, "
        f"{explanation} as explanation"
    ).order("identity_record_id_l, identity_record_id_r").to_arrow_table()
    db_api.delete_tables_created_by_splink_from_db()
    return result


def _level_weights(model: dict[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """Per comparison: (match weight of the level, level label), from the model's m and u probabilities.
    Splink's predictions carry each comparison's weight (mw_<comparison>); its level is the one whose
    weight it is (the null level weighs 0)."""
    levels_by_comparison: dict[str, list[tuple[float, str]]] = {}
    for comparison in model["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            label = level.get("label_for_charts", level["sql_condition"])
            if level.get("is_null_level"):
                levels.append((0.0, label))
            elif level.get("m_probability") and level.get("u_probability"):
                levels.append((math.log2(level["m_probability"] / level["u_probability"]), label))
        levels_by_comparison[comparison["output_column_name"]] = levels
    return levels_by_comparison


def _explanation_sql(model: dict[str, Any], columns: set[str]) -> str:
    """SQL for a JSON object: per comparison, its level and its weight (term-frequency adjustment included)."""
    parts = []
    for name, levels in _level_weights(model).items():
        cases = " ".join(
            f"when abs(mw_{name} - {weight!r}) < 1e-6 then '{label.replace(chr(39), chr(39) * 2)}'"
            for weight, label in levels
        )
        tf_column = f"mw_tf_adj_{name}"
        total = f"mw_{name} + coalesce({tf_column}, 0)" if tf_column in columns else f"mw_{name}"
        parts.append(f"'{name}', json_object('level', case {cases} end, 'match_weight', round({total}, 3))")
    return f"cast(json_object({', '.join(parts)}) as varchar)"
