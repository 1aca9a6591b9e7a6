"""Probabilistic matching with Splink: the comparisons, the blocking rules, and prediction.

One function set serves every engine: `predict` (run by the dbt Python model) scores candidate pairs with the
trained model, a JSON artifact written by `cdp.identity.training.train` (`cdp train`).

The model compares names (nicknames, typos, initials, sounds, swaps, name changes; term-frequency adjusted), date
of birth (swaps, one digit off, placeholders), email, phone and the address (street address, postal code, city).
Candidate pairs come from blocking rules that each join on two fields or a contact point, none of them needing an
exact name, so their number grows about linearly with the number of records.
"""

from __future__ import annotations

import json
import logging
import os
import pkgutil
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator  # not exported publicly by Splink 5.0

MODEL_PATH = Path(__file__).with_name("splink_model.json")
# Read through the package loader, so the model is found when the package is imported from a zip file
# (Snowflake stages `cdp` as a zip for the Snowpark Python models).
MODEL_RESOURCE = ("cdp.identity", "splink_model.json")
# A model file to use instead of the committed one (dbt var `matching_model_path`; `cdp bench-public` trains into
# its own file and builds with it). Empty: the committed model.
MODEL_PATH_ENV = "CDP_MATCHING_MODEL"
# Key of the model JSON holding the expected number of other records of the same person, per record.
PRIOR_PER_RECORD_KEY = "cdp_expected_matches_per_record"
# Key of the model JSON saying where each parameter came from (cdp.identity.training); not a Splink setting.
TRAINING_KEY = "cdp_training"

# Columns the matching input must have (the dbt model int_identity_match_inputs provides them).
INPUT_SCHEMA = pa.schema([
    ("identity_record_id", pa.string()), ("first_name", pa.string()), ("first_name_key", pa.string()),
    ("first_name_variants", pa.list_(pa.string())), ("last_name", pa.string()), ("full_name", pa.string()),
    ("first_initial", pa.string()), ("first_name_sound", pa.string()), ("last_name_sound", pa.string()),
    ("date_of_birth", pa.date32()), ("email", pa.string()), ("phone", pa.string()),
    ("street_number", pa.string()), ("street_name", pa.string()), ("postal_code", pa.string()), ("city", pa.string()),
    ("name_sounds_block", pa.string()), ("last_name_initial_block", pa.string()),
    ("street_number_city_block", pa.string()), ("street_name_city_block", pa.string()),
    ("postal_first_sound_block", pa.string()), ("postal_last_sound_block", pa.string()),
])
INPUT_COLUMNS = INPUT_SCHEMA.names

# Every comparison condition is written in DuckDB SQL with functions that mean the same on Snowflake and that sqlglot
# renders there (tests/python/test_matching_portability.py checks each level of the committed model): Levenshtein
# distance (DuckDB `levenshtein`, Snowflake `EDITDISTANCE`), `list_has_any` (`ARRAYS_OVERLAP`), date parts and
# whole-day date differences. Not Jaro-Winkler (Snowflake's is a case-insensitive integer 0-100) nor
# Damerau-Levenshtein (Snowflake has none). One difference remains: DuckDB's `levenshtein` counts UTF-8 bytes
# (an accented letter against a plain one is two edits), Snowflake's `EDITDISTANCE` characters. Names and street
# keys are ASCII after staging (accents stripped); city names keep their accents.
#
# Two strings are near when they are one edit apart (a letter inserted, deleted or substituted), or two when both
# have at least NEAR_TWO_EDITS_MIN_LENGTH letters (typos, OCR, phonetic spellings, two letters transposed in a
# longer string). Transpositions in shorter strings (Damerau-Levenshtein's one edit) are not checked: the
# position-by-position check in SQL made scoring two to five times slower on the demo data.
NEAR_TWO_EDITS_MIN_LENGTH = 6


def _near(a: str, b: str) -> str:
    """SQL: the strings `a` and `b` are near (see NEAR_TWO_EDITS_MIN_LENGTH)."""
    length = NEAR_TWO_EDITS_MIN_LENGTH
    return (f"(levenshtein({a}, {b}) <= 1 or (levenshtein({a}, {b}) <= 2 "
            f"and length({a}) >= {length} and length({b}) >= {length}))")


# Whether two records share a first name or one is a nickname of the other (their variants overlap).
_SAME_FIRST = 'list_has_any("first_name_variants_l", "first_name_variants_r")'


# The two records' names disagree: the first names clash (both present, neither a nickname of the other, near
# it, nor its initial) or the last names do (both present, not near), and the names are not merely swapped.
# Household members look like this, and they share addresses, landlines and family emails: a shared contact point
# or address where the names disagree is its own level, far more common between different people than the contact
# point's agreement and the names' disagreement would suggest each on its own.
_FIRST_NAMES_CLASH = (
    '("first_name_l" is not null and "first_name_r" is not null '
    'and not ' + _SAME_FIRST + ' '
    'and not ' + _near('"first_name_l"', '"first_name_r"') + ' '
    'and not ((length("first_name_l") = 1 or length("first_name_r") = 1) '
    'and left("first_name_l", 1) = left("first_name_r", 1)))'
)
_LAST_NAMES_CLASH = (
    '("last_name_l" is not null and "last_name_r" is not null '
    'and not ' + _near('"last_name_l"', '"last_name_r"') + ')'
)
_NAMES_SWAPPED = '(coalesce("first_name_l" = "last_name_r", false) or coalesce("last_name_l" = "first_name_r", false))'
NAMES_DISAGREE = f"(({_FIRST_NAMES_CLASH} or {_LAST_NAMES_CLASH}) and not {_NAMES_SWAPPED})"


def _contact_point_comparison(column: str) -> cl.CustomComparison:
    """An exact email or phone, split by whether the names agree (see NAMES_DISAGREE)."""
    left, right = f'"{column}_l"', f'"{column}_r"'
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=f"{column.capitalize()}: exact, and whether the names disagree",
        comparison_levels=[
            cll.NullLevel(column),
            cll.CustomLevel(f"{left} = {right} and {NAMES_DISAGREE}", label_for_charts=f"same {column}, other name"),
            cll.ExactMatchLevel(column).configure(tf_adjustment_column=column, tf_adjustment_weight=1.0),
            cll.ElseLevel(),
        ],
    )


def _name_comparison() -> cl.CustomComparison:
    """First and last name together: each way two records' names can relate is its own level, so that the
    evidence of one name is not counted twice and a missing name is not read as a different one. Levels where one
    name agrees exactly are adjusted by that name's frequency (a rare last name says more than a common one), the
    exact full name by the full name's."""
    first_l, first_r = '"first_name_l"', '"first_name_r"'
    last_l, last_r = '"last_name_l"', '"last_name_r"'
    same_first = _SAME_FIRST
    first_near = _near(first_l, first_r)
    last_near = _near(last_l, last_r)
    swapped_near = (f"({first_l} = {last_r} and {_near(last_l, first_r)}) "
                    f"or ({last_l} = {first_r} and {_near(first_l, last_r)})")
    initial = (f"((length({first_l}) = 1 or length({first_r}) = 1) "
               f"and left({first_l}, 1) = left({first_r}, 1))")
    sound_alike = '"first_name_sound_l" = "first_name_sound_r" and "last_name_sound_l" = "last_name_sound_r"'
    one_first_missing = f"({first_l} is null or {first_r} is null)"
    one_last_missing = f"({last_l} is null or {last_r} is null)"
    levels = [
        cll.CustomLevel(
            f"({first_l} is null and {last_l} is null) or ({first_r} is null and {last_r} is null)",
            label_for_charts="no name on one side",
        ).configure(is_null_level=True),
        cll.ExactMatchLevel("full_name").configure(tf_adjustment_column="full_name", tf_adjustment_weight=1.0),
        cll.CustomLevel(f"{first_l} = {last_r} and {last_l} = {first_r}", label_for_charts="names swapped"),
        cll.CustomLevel(swapped_near, label_for_charts="names swapped, one near"),
        cll.CustomLevel(f"{last_l} = {last_r} and {same_first}", label_for_charts="same last name, nickname"
                        ).configure(tf_adjustment_column="last_name", tf_adjustment_weight=1.0),
        cll.CustomLevel(f"{last_l} = {last_r} and {first_near}", label_for_charts="same last name, first near"
                        ).configure(tf_adjustment_column="last_name", tf_adjustment_weight=1.0),
        cll.CustomLevel(f"{first_l} = {first_r} and {last_near}", label_for_charts="same first name, last near"
                        ).configure(tf_adjustment_column="first_name", tf_adjustment_weight=1.0),
        cll.CustomLevel(f"{same_first} and {last_near}", label_for_charts="nickname, last near"),
        cll.CustomLevel(f"{first_near} and {last_near}", label_for_charts="both names near"),
        cll.CustomLevel(f"{last_l} = {last_r} and {initial}", label_for_charts="same last name, first initial"
                        ).configure(tf_adjustment_column="last_name", tf_adjustment_weight=1.0),
        cll.CustomLevel(sound_alike, label_for_charts="both names sound alike"),
        cll.CustomLevel(f"{first_l} = {first_r} and {one_last_missing}",
                        label_for_charts="same first name, no last name"
                        ).configure(tf_adjustment_column="first_name", tf_adjustment_weight=1.0),
        cll.CustomLevel(f"{same_first} and {one_last_missing}", label_for_charts="nickname, no last name"),
        cll.CustomLevel(
            f"{last_l} = {last_r} and {one_first_missing}", label_for_charts="same last name, no first name"
        ).configure(tf_adjustment_column="last_name", tf_adjustment_weight=1.0),
        cll.CustomLevel(f"{first_l} = {first_r}", label_for_charts="same first name, other last name"
                        ).configure(tf_adjustment_column="first_name", tf_adjustment_weight=1.0),
        cll.CustomLevel(f"{same_first}", label_for_charts="nickname, other last name"),
        cll.CustomLevel(f"{first_l} = {last_r} or {last_l} = {first_r}",
                        label_for_charts="a name in the other name field"),
        cll.CustomLevel(f"{last_l} = {last_r}", label_for_charts="same last name, other first name"
                        ).configure(tf_adjustment_column="last_name", tf_adjustment_weight=1.0),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(
        output_column_name="full_name",
        comparison_description="First and last name: nicknames, typos, initials, sounds, swaps, name changes",
        comparison_levels=levels,
    )


# A date as the number YYYYMMDD and as its eight digits, built from its parts (a format string's letters differ
# between engines).
DATE_NUMBER = "(year({0}) * 10000 + month({0}) * 100 + day({0}))"
DATE_DIGITS = "lpad(cast(" + DATE_NUMBER + " as varchar), 8, '0')"


def _adjacent_digits_swapped(a: str, b: str, digits: int) -> str:
    """SQL: the non-negative integer `b` is `a` with two adjacent decimal digits (of its last `digits`) swapped.
    Swapping the digits x (at 10^(k+1)) and y (at 10^k) changes the number by exactly 9 * 10^k * (x - y), and a
    difference of exactly that means the swap (the new digits y and x need no carry); arithmetic, so much cheaper
    per pair than comparing strings. A difference that is not a multiple of 9 is none of these (checked first)."""
    swaps = " or ".join(
        f"{a} - {b} = {9 * 10 ** k} * (({a} // {10 ** (k + 1)}) % 10 - ({a} // {10 ** k}) % 10)"
        for k in range(digits - 1)
    )
    return f"(({a} - {b}) % 9 = 0 and ({swaps}))"


def _date_of_birth_comparison() -> cl.CustomComparison:
    dob_l, dob_r = '"date_of_birth_l"', '"date_of_birth_r"'
    digits_l, digits_r = DATE_DIGITS.format(dob_l), DATE_DIGITS.format(dob_r)
    # One digit replaced, or two adjacent digits transposed (1958 and 1985).
    one_digit_apart = (f"(levenshtein({digits_l}, {digits_r}) <= 1 "
                       f"or {_adjacent_digits_swapped(DATE_NUMBER.format(dob_l), DATE_NUMBER.format(dob_r), 8)})")
    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_description="Date of birth: exact, day and month swapped, one digit off, placeholders, close",
        comparison_levels=[
            cll.NullLevel("date_of_birth"),
            cll.ExactMatchLevel("date_of_birth"),
            cll.CustomLevel(
                f"year({dob_l}) = year({dob_r}) and month({dob_l}) = day({dob_r}) and day({dob_l}) = month({dob_r})",
                label_for_charts="day and month swapped",
            ),
            cll.CustomLevel(
                one_digit_apart,
                label_for_charts="one digit apart",
            ),
            cll.CustomLevel(
                f"year({dob_l}) = year({dob_r}) and (month({dob_l}) = month({dob_r}) or day({dob_l}) = day({dob_r}))",
                label_for_charts="same year and month or day",
            ),
            cll.CustomLevel(
                f"month({dob_l}) = month({dob_r}) and day({dob_l}) = day({dob_r})",
                label_for_charts="same day, other year",
            ),
            cll.CustomLevel(f"abs({dob_l} - {dob_r}) <= 366", label_for_charts="within a year"),
            cll.ElseLevel(),
        ],
    )


def _address_comparison() -> cl.CustomComparison:
    """Street address, postal code and city as one comparison: they are not independent evidence (two records at
    one street address share its postal code and city too). A shared postal code or city where both records name
    a street, and not the same one, is its own level: neighbours and household members are no evidence of one
    person, while a record without a street says nothing against it. So is a shared street address where the two
    first names clash: what household members look like, far more often than the names and the address would
    suggest each on its own."""
    same_street = '"street_number_l" = "street_number_r" and "street_name_l" = "street_name_r"'
    # The same house number and a street name near it (see _near), or the same first five letters (the street type
    # mistyped or spelt out: "fullagarvrescent" and "fullagarcres").
    near_street = ('"street_number_l" = "street_number_r" '
                   'and (' + _near('"street_name_l"', '"street_name_r"') + ' '
                   'or left("street_name_l", 5) = left("street_name_r", 5))')
    # The same postal code or city, or one a character off (a typo in either), or the city near (see _near).
    same_place = ('("postal_code_l" = "postal_code_r" or "city_l" = "city_r" '
                  'or levenshtein("postal_code_l", "postal_code_r") <= 1 '
                  'or ' + _near('"city_l"', '"city_r"') + ')')
    # Both records carry a street name (and so differ in their street address, at the levels below the first).
    other_street = '("street_name_l" is not null and "street_name_r" is not null)'
    return cl.CustomComparison(
        output_column_name="address",
        comparison_description="Street address (house number and street name), postal code, city",
        comparison_levels=[
            cll.CustomLevel(
                '("street_name_l" is null or "street_name_r" is null) '
                'and ("postal_code_l" is null or "postal_code_r" is null) and ("city_l" is null or "city_r" is null)',
                label_for_charts="no address on one side",
            ).configure(is_null_level=True),
            cll.CustomLevel(f"({same_street} or {near_street}) and {same_place} and {NAMES_DISAGREE}",
                            label_for_charts="same street address, other name"),
            cll.CustomLevel(f"{same_street} and {same_place}", label_for_charts="same street address and place"),
            cll.CustomLevel(f"{near_street} and {same_place}", label_for_charts="street address near, same place"),
            cll.CustomLevel(same_street, label_for_charts="same street address, other place"),
            cll.CustomLevel(f'"postal_code_l" = "postal_code_r" and not {other_street}',
                            label_for_charts="same postal code").configure(
                tf_adjustment_column="postal_code", tf_adjustment_weight=1.0
            ),
            cll.CustomLevel('"postal_code_l" = "postal_code_r"', label_for_charts="same postal code, other street"
                            ).configure(tf_adjustment_column="postal_code", tf_adjustment_weight=1.0),
            cll.CustomLevel(f'"city_l" = "city_r" and not {other_street}', label_for_charts="same city").configure(
                tf_adjustment_column="city", tf_adjustment_weight=1.0
            ),
            cll.CustomLevel('"city_l" = "city_r"', label_for_charts="same city, other street").configure(
                tf_adjustment_column="city", tf_adjustment_weight=1.0
            ),
            cll.CustomLevel('levenshtein("postal_code_l", "postal_code_r") <= 1',
                            label_for_charts="postal code one character apart"),
            cll.ElseLevel(),
        ],
    )


def comparisons() -> list[Any]:
    """Names, date of birth, email, phone and address. Email and phone compare exactly: near-identical
    addresses mostly echo the name, which is already counted. Where the names disagree, a shared email, phone or
    street address is a level of its own (households)."""
    return [
        _name_comparison(),
        _date_of_birth_comparison(),
        _contact_point_comparison("email"),
        _contact_point_comparison("phone"),
        _address_comparison(),
    ]


# The input columns behind each comparison: a comparison is observed on a record when any of them is present.
COMPARISON_COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": ("first_name", "last_name"),
    "date_of_birth": ("date_of_birth",),
    "email": ("email",),
    "phone": ("phone",),
    "address": ("street_name", "postal_code", "city"),
}

# Candidate pairs: records that agree exactly on every column of at least one of these keys, or on one of the
# cross-field rules below. No rule needs an exact name (a mistyped name is still found by its birth date, address or
# name sounds), every rule joins on two fields or a personal contact point, and the keys on coarse fields are capped
# by block size, so the pairs grow about linearly with the number of records.
BLOCKING_KEYS: list[tuple[str, ...]] = [
    ("first_name_key", "last_name"),
    ("first_name_key", "date_of_birth"),
    ("last_name", "date_of_birth"),
    ("email",),
    ("phone",),
    ("last_name", "postal_code"),
    ("first_name_key", "postal_code"),
    ("date_of_birth", "postal_code"),
    ("date_of_birth", "city"),
    ("date_of_birth", "street_number"),
    ("date_of_birth", "street_name"),
    ("date_of_birth", "first_name_sound"),
    ("date_of_birth", "last_name_sound"),
    ("street_number", "street_name"),
    ("street_number", "postal_code"),
    ("street_name", "postal_code"),
    # Coarse keys, capped by block size in int_identity_match_inputs (var max_coarse_block_records): both names'
    # sounds, the last name with the first initial, a house number or a street name in a city, a name's sound in a
    # postal code.
    ("name_sounds_block",),
    ("last_name_initial_block",),
    ("street_number_city_block",),
    ("street_name_city_block",),
    ("postal_first_sound_block",),
    ("postal_last_sound_block",),
]
# Rules across fields, as (left column, right column) equalities: names swapped between first and last, and one
# name in the other's field on the same birth date. Each is applied both ways round.
CROSS_FIELD_KEYS: list[tuple[tuple[str, str], ...]] = [
    (("first_name", "last_name"), ("last_name", "first_name")),
    (("date_of_birth", "date_of_birth"), ("first_name", "last_name")),
    (("date_of_birth", "date_of_birth"), ("last_name", "first_name")),
]


def _rule_equalities() -> list[tuple[tuple[str, str], ...]]:
    """Every blocking rule as (left column, right column) equalities."""
    return [tuple((key, key) for key in keys) for keys in BLOCKING_KEYS] + CROSS_FIELD_KEYS


def prediction_blocking_rules() -> list[BlockingRuleCreator]:
    """Splink's blocking rules for predictions: `BLOCKING_KEYS` and `CROSS_FIELD_KEYS`."""
    cross = [CustomRule(" and ".join(f'l."{left}" = r."{right}"' for left, right in equalities))
             for equalities in CROSS_FIELD_KEYS]
    return [*(block_on(*keys) for keys in BLOCKING_KEYS), *cross]


def _may_pair_with(others: pa.Table, changed: pa.Table) -> pa.Table:
    """The records of `others` that some blocking rule can pair with a record of `changed`: only those can form
    a pair with it, so scoring the changed records against them gives the same pairs as against all others.
    A rule may put a changed record on either side of the pair: both are probed. (Arrow's hash joins, like the
    rules, never match on a null key.)"""
    index = pa.table({"row": pa.array(range(others.num_rows), pa.int64())})
    columns = sorted({column for rule in _rule_equalities() for pair in rule for column in pair})
    for name in columns:
        index = index.append_column(name, others.column(name))
    rows = []
    for rule in _rule_equalities():
        for changed_side, other_side in ((0, 1), (1, 0)):
            other_columns = [pair[other_side] for pair in rule]
            probe = pa.table({f"k{i}": changed.column(pair[changed_side]) for i, pair in enumerate(rule)})
            probe = probe.group_by(probe.column_names).aggregate([]).rename_columns(other_columns)
            rows.append(index.join(probe, keys=other_columns, join_type="left semi").column("row"))
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


def check_columns(table: pa.Table) -> None:
    missing = [c for c in INPUT_COLUMNS if c not in table.column_names]
    if missing:
        raise ValueError(f"matching input lacks column(s) {', '.join(missing)}; expected {INPUT_COLUMNS}")


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
    check_columns(records)
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
# The merge policy's partial-name rule over a scored pair's two flags (`is_partial_name`, `has_exact_identifier`):
# a pair where a record lacks half its name joins only with an exact date of birth, email or phone. The one Python
# statement of it (`cdp report` replays the policy with it); int_identity_edges__unioned applies it in SQL.
MERGE_POLICY_ADMITS_SQL = "(not coalesce(is_partial_name, false) or coalesce(has_exact_identifier, false))"


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
    model.pop(TRAINING_KEY, None)
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
