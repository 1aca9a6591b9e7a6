"""The matching model's comparison conditions mean the same on DuckDB and Snowflake.

Splink runs the conditions on DuckDB; rendered into SQL for Snowflake, each must use only functions that exist there
with the same meaning and that sqlglot (pinned) translates: no Jaro-Winkler (Snowflake's is a case-insensitive
integer 0-100), no Damerau-Levenshtein (Snowflake has none), no list_intersect, no date format strings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import duckdb
import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from cdp.identity import matching

# Functions without an equal meaning on both engines, as the DuckDB source or as sqlglot's Snowflake rendering
# names them.
NON_PORTABLE = (
    "damerau_levenshtein", "jaro_winkler_similarity", "jarowinkler_similarity", "jaro_similarity",
    "list_intersect", "array_intersection", "strftime", "to_char", "time_to_str", "date_diff", "datediff",
)
NON_PORTABLE_CALL = re.compile(r"\b(" + "|".join(NON_PORTABLE) + r")\s*\(", re.IGNORECASE)


def _conditions(model: dict[str, Any]) -> list[tuple[str, str]]:
    """(comparison: level label, SQL condition) of every level but the else level."""
    return [(f"{comparison['output_column_name']}: {level.get('label_for_charts', level['sql_condition'])}",
             level["sql_condition"])
            for comparison in model["comparisons"] for level in comparison["comparison_levels"]
            if level["sql_condition"].strip().upper() != "ELSE"]


def _committed_model() -> dict[str, Any]:
    return json.loads(matching.model_bytes())


def _model_in_code() -> dict[str, Any]:
    return {"comparisons": [comparison.get_comparison("duckdb").as_dict() for comparison in matching.comparisons()]}


@pytest.mark.parametrize("source", [_committed_model, _model_in_code], ids=["committed model", "matching.py"])
def test_every_condition_renders_for_snowflake_with_portable_functions(source) -> None:
    conditions = _conditions(source())
    assert len(conditions) > 20
    problems = []
    for level, condition in conditions:
        tree = sqlglot.parse_one(condition, read="duckdb")
        # A function sqlglot does not know is passed through by name: nothing says Snowflake has it.
        unknown = sorted({node.name for node in tree.find_all(exp.Anonymous)})
        snowflake = sqlglot.transpile(condition, read="duckdb", write="snowflake",
                                      unsupported_level=ErrorLevel.RAISE)[0]
        found = sorted({match.lower() for match in NON_PORTABLE_CALL.findall(condition + " " + snowflake)})
        if unknown or found:
            problems.append(f"{level}: unknown functions {unknown}, non-portable {found}: {snowflake}")
    assert not problems, "\n".join(problems)


def test_the_committed_model_has_the_comparisons_in_code() -> None:
    """The portability above is checked on both, so the committed model must be the one trained from matching.py."""
    assert _conditions(_committed_model()) == _conditions(_model_in_code())


@pytest.mark.parametrize(("left", "right", "near"), [
    ("smith", "smyth", True),        # one substitution
    ("ann", "anne", True),           # one insertion, short
    ("jon", "jno", False),           # two adjacent letters transposed in a short string: two edits
    ("jonathan", "jonahtan", True),  # the same in a long string
    ("jon", "noj", False),           # two letters swapped, not adjacent
    ("steven", "stephen", True),     # two edits, both names six letters or more
    ("alan", "allen", False),        # two edits, short
    ("catherine", "kathryn", False),  # three edits
    ("anna", None, None),            # a missing name is neither near nor far
])
def test_near_means_one_edit_or_two_in_long_strings(left: str, right: str | None, near: bool | None) -> None:
    condition = matching._near("$1", "$2")
    assert duckdb.execute(f"select {condition}", [left, right]).fetchone()[0] is near


@pytest.mark.parametrize("day", [dt.date(1958, 3, 13), dt.date(2001, 12, 31), dt.date(1900, 1, 1), dt.date(999, 1, 2)])
def test_date_digits_are_the_eight_digits_of_the_date(day: dt.date) -> None:
    digits = f"{day.year:04d}{day.month:02d}{day.day:02d}"
    assert duckdb.execute(f"select {matching.DATE_DIGITS.format('$1')}", [day]).fetchone()[0] == digits


@pytest.mark.parametrize(("left", "right", "apart"), [
    (dt.date(1958, 3, 13), dt.date(1985, 3, 13), True),   # adjacent digits transposed
    (dt.date(1958, 3, 13), dt.date(1958, 3, 31), True),
    (dt.date(1979, 7, 31), dt.date(1939, 7, 31), True),   # one digit replaced
    (dt.date(1958, 3, 13), dt.date(1985, 3, 31), False),  # two transpositions
    (dt.date(1958, 3, 13), dt.date(1951, 3, 18), False),  # two digits swapped, not adjacent
])
def test_one_digit_apart_takes_one_digit_replaced_or_two_adjacent_transposed(left: dt.date, right: dt.date,
                                                                             apart: bool) -> None:
    levels = next(comparison for comparison in _model_in_code()["comparisons"]
                  if comparison["output_column_name"] == "date_of_birth")["comparison_levels"]
    condition = next(level["sql_condition"] for level in levels if level.get("label_for_charts") == "one digit apart")
    sql = condition.replace('"date_of_birth_l"', "$1").replace('"date_of_birth_r"', "$2")
    assert duckdb.execute(f"select {sql}", [left, right]).fetchone()[0] is apart
    assert duckdb.execute(f"select {sql}", [right, left]).fetchone()[0] is apart
