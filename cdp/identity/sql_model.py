"""The trained Splink model rendered for SQL: the dbt macro file macros/identity/matching_model.sql.

The SQL matching path (the dbt SQL model int_identity_edges__probabilistic, var `matching_engine: sql`) computes
what Splink's `predict` computes, set-based in the warehouse. It reads the model's pieces from one generated macro,
`matching_model()`: the blocking rules as column equalities, each comparison's levels in order with Splink's
comparison vector value (gamma), each level's condition for DuckDB and for Snowflake, its match weight
(log2 m/u), its label, its term-frequency column and adjustment, and the prior per record. `cdp train` writes
the file after the model JSON; `cdp render-matching-sql` writes it from the committed JSON; a test checks the two
never drift.

Conditions are written for DuckDB (Splink's dialect here) and used unchanged there. For Snowflake they are
transpiled with sqlglot. A condition using a function sqlglot does not know, or one whose Snowflake counterpart
means something else (`NOT_SAME_MEANING`), cannot be rendered for Snowflake: the renderer raises
`NotPortableError` naming the comparison, level and function. The macro file then holds that message in place of
the condition, and compiling the SQL model on Snowflake stops with it; nothing is ever rendered wrong.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

from cdp.identity.incremental import model_version
from cdp.identity.matching import INPUT_SCHEMA, PRIOR_PER_RECORD_KEY, model_bytes

MACRO_PATH = Path(__file__).resolve().parents[2] / "macros" / "identity" / "matching_model.sql"
RENDER_COMMAND = "cdp render-matching-sql"
DIALECTS = ("duckdb", "snowflake")
UNIQUE_ID = "identity_record_id"
# Splink clamps m and u probabilities to this before taking log2(m/u); a level Splink never observed in training
# has probability 1e-6 (splink.internals.comparison_level).
M_U_CLAMP_MIN = 1e-300
LEVEL_NOT_OBSERVED_TEXT = "level not observed in training dataset"
LEVEL_NOT_OBSERVED_PROBABILITY = 1e-6
# Functions sqlglot transpiles to a Snowflake function of another meaning.
NOT_SAME_MEANING: dict[type[exp.Expression], str] = {
    exp.JarowinklerSimilarity: "Snowflake's JAROWINKLER_SIMILARITY is 0-100 and case-insensitive",
}
# Columns the SQL model's flags read from both records (is_partial_name, has_exact_identifier).
FLAG_COLUMNS = ("first_name", "last_name", "date_of_birth", "email", "phone")


class NotPortableError(ValueError):
    """A model piece that cannot be rendered for an engine with the same meaning."""


@dataclass
class Level:
    gamma: int
    label: str  # the label as JSON text, as the explanation shows it
    weight: float  # log2(m/u); 0 for the null level
    conditions: dict[str, str]  # per dialect: SQL, or the NotPortableError message
    portable: dict[str, bool]
    tf_column: str | None = None
    tf_weight: float = 0.0
    tf_minimum_u: float = 0.0
    tf_log2_u_exact: float = 0.0


@dataclass
class Comparison:
    name: str
    levels: list[Level] = field(default_factory=list)


@dataclass
class RenderedModel:
    version: str
    per_record: float | None
    prior: float
    blocking_rules: list[list[tuple[str, str]]]
    comparisons: list[Comparison]
    columns: list[str]

    @property
    def array_columns(self) -> list[str]:
        """The compared columns that are lists (of strings: INPUT_SCHEMA)."""
        return [column for column in self.columns
                if column in INPUT_SCHEMA.names and pa.types.is_list(INPUT_SCHEMA.field(column).type)]

    @property
    def tf_columns(self) -> list[str]:
        return sorted({level.tf_column for comparison in self.comparisons for level in comparison.levels
                       if level.tf_column})

    @property
    def not_portable(self) -> dict[str, list[str]]:
        """Per dialect, the messages of the conditions that could not be rendered for it."""
        return {dialect: [level.conditions[dialect] for comparison in self.comparisons for level in comparison.levels
                          if not level.portable[dialect]] for dialect in DIALECTS}


def _probability(level: dict[str, Any], key: str, where: str) -> float:
    value = level.get(key)
    if value == LEVEL_NOT_OBSERVED_TEXT:
        return LEVEL_NOT_OBSERVED_PROBABILITY
    if not isinstance(value, int | float):
        raise ValueError(f"{where}: no trained {key} in the model: train it (cdp train) before rendering")
    return float(value)


def _unquoted(tree: exp.Expression) -> exp.Expression:
    """The tree with its identifiers unquoted: Snowflake folds unquoted names to upper case, as its columns are."""
    tree = tree.copy()
    for identifier in tree.find_all(exp.Identifier):
        identifier.set("quoted", False)
    return tree


def render_condition(condition: str, dialect: str, where: str) -> str:
    """A level's condition (Splink's DuckDB SQL) for `dialect`. DuckDB: unchanged. Snowflake: transpiled by sqlglot;
    raises NotPortableError, naming `where` (comparison and level) and the function, where the meaning would
    change."""
    if dialect == "duckdb":
        return condition
    try:
        tree = sqlglot.parse_one(condition, read="duckdb")
    except SqlglotError as error:
        raise NotPortableError(f"{where}: sqlglot cannot parse the condition ({error})") from error
    for function in tree.find_all(exp.Func):
        if isinstance(function, exp.Anonymous):
            raise NotPortableError(
                f"{where}: function {function.name}() is unknown to sqlglot, so it cannot be rendered for {dialect} "
                f"with the same meaning; use a function both engines have (e.g. levenshtein) and retrain")
        for kind, reason in NOT_SAME_MEANING.items():
            if isinstance(function, kind):
                name = function.sql("duckdb").split("(")[0].lower()
                raise NotPortableError(f"{where}: function {name}() has no {dialect} function of the same meaning "
                                       f"({reason}); use a function both engines have and retrain")
    tree = _unquoted(tree)
    # ARRAYS_OVERLAP in parentheses: the same on Snowflake, and the Snowflake emulator (fakesnow, through sqlglot
    # 30.22) rewrites it into an OR of two terms without them, which `a and ARRAYS_OVERLAP(x, y)` would split.
    for overlap in list(tree.find_all(exp.ArrayOverlaps)):
        overlap.replace(exp.Paren(this=overlap.copy()))
    try:
        return tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as error:
        raise NotPortableError(f"{where}: sqlglot cannot render the condition for {dialect} ({error})") from error


def _exact_match_column(condition: str) -> str | None:
    """The column of a condition that is exactly `"x_l" = "x_r"` (Splink's exact-match level), else None."""
    tree = sqlglot.parse_one(condition.lower(), read="duckdb")
    while isinstance(tree, exp.Paren):
        tree = tree.this
    if not isinstance(tree, exp.EQ) or not all(isinstance(side, exp.Column) for side in (tree.left, tree.right)):
        return None
    names = sorted(side.name for side in (tree.left, tree.right))
    if names[0].endswith("_l") and names[1].endswith("_r") and names[0][:-2] == names[1][:-2]:
        return names[0][:-2]
    return None


def _u_of_exact_match(comparison: dict[str, Any], level: dict[str, Any], column: str, where: str) -> float:
    """The u probability Splink's term-frequency adjustment starts from: the level's own with
    disable_tf_exact_match_detection, else that of the comparison's exact-match level on the column."""
    if level.get("disable_tf_exact_match_detection"):
        return _probability(level, "u_probability", where)
    for other in comparison["comparison_levels"]:
        if other.get("sql_condition") != "ELSE" and _exact_match_column(other["sql_condition"]) == column.lower():
            return _probability(other, "u_probability", where)
    raise ValueError(f"{where}: term-frequency adjustment on {column}, but the comparison has no exact-match level "
                     f"on {column} (Splink needs one)")


def _blocking_rule(rule: dict[str, Any] | str) -> list[tuple[str, str]]:
    """A blocking rule as (left column, right column) equalities; anything else is refused."""
    text = rule if isinstance(rule, str) else rule["blocking_rule"]
    extra = set() if isinstance(rule, str) else set(rule) - {"blocking_rule", "sql_dialect"}
    if extra:
        raise ValueError(f"blocking rule {text!r}: settings {sorted(extra)} are not supported by the SQL path")
    tree = sqlglot.parse_one(text, read="duckdb")
    parts = list(tree.flatten()) if isinstance(tree, exp.And) else [tree]
    equalities = []
    for part in parts:
        while isinstance(part, exp.Paren):
            part = part.this
        sides = (part.left, part.right) if isinstance(part, exp.EQ) else ()
        if not sides or not all(isinstance(side, exp.Column) and side.table in ("l", "r") for side in sides) \
                or {side.table for side in sides} != {"l", "r"}:
            raise ValueError(f"blocking rule {text!r}: the SQL path takes only equalities of l. and r. columns")
        left, right = sides if sides[0].table == "l" else sides[::-1]
        equalities.append((left.name, right.name))
    return equalities


def render(model_json: bytes) -> RenderedModel:
    """The model's pieces, from the model JSON (what `cdp.identity.matching.model_bytes` returns)."""
    model = json.loads(model_json)
    if model.get("link_type") != "dedupe_only" or model.get("unique_id_column_name") != UNIQUE_ID:
        raise ValueError(f"the SQL path renders a dedupe_only model keyed by {UNIQUE_ID}")
    columns: set[str] = set(FLAG_COLUMNS)
    comparisons = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        levels = comparison["comparison_levels"]
        rendered = Comparison(name)
        others = [level for level in levels if not level.get("is_null_level")]
        for level in levels:
            label = level.get("label_for_charts", level["sql_condition"])
            where = f"comparison {name}, level {label!r}"
            is_null = bool(level.get("is_null_level"))
            gamma = -1 if is_null else len(others) - 1 - others.index(level)
            condition = level["sql_condition"]
            conditions, portable = {}, {}
            for dialect in DIALECTS:
                if condition == "ELSE":
                    conditions[dialect], portable[dialect] = "ELSE", True
                    continue
                try:
                    conditions[dialect], portable[dialect] = render_condition(condition, dialect, where), True
                except NotPortableError as error:
                    conditions[dialect], portable[dialect] = str(error), False
            if condition != "ELSE":
                columns |= {column.name[:-2] for column in sqlglot.parse_one(condition, read="duckdb")
                            .find_all(exp.Column) if column.name[-2:] in ("_l", "_r")}
            weight = 0.0
            if not is_null:
                m = max(_probability(level, "m_probability", where), M_U_CLAMP_MIN)
                u = max(_probability(level, "u_probability", where), M_U_CLAMP_MIN)
                weight = math.log2(m / u)
            entry = Level(gamma, json.dumps(label), weight, conditions, portable)
            tf_column = level.get("tf_adjustment_column")
            tf_weight = float(level.get("tf_adjustment_weight", 1.0))
            # Splink adjusts neither the null level nor the else level, nor a level of weight 0.
            if tf_column and tf_weight != 0 and not is_null and condition != "ELSE":
                entry.tf_column = tf_column
                entry.tf_weight = tf_weight
                entry.tf_minimum_u = float(level.get("tf_minimum_u_value", 0.0))
                entry.tf_log2_u_exact = math.log2(_u_of_exact_match(comparison, level, tf_column, where))
                columns.add(tf_column)
            rendered.levels.append(entry)
        comparisons.append(rendered)
    rules = [_blocking_rule(rule) for rule in model["blocking_rules_to_generate_predictions"]]
    columns |= {column for rule in rules for pair in rule for column in pair}
    return RenderedModel(
        version=model_version(model_json),
        per_record=model.get(PRIOR_PER_RECORD_KEY),
        prior=float(model["probability_two_random_records_match"]),
        blocking_rules=rules,
        comparisons=comparisons,
        columns=sorted(columns - {UNIQUE_ID}),
    )


def _literal(value: Any) -> str:
    """A Jinja literal: JSON strings and numbers are Jinja's too; numbers go as text, to reach SQL as written."""
    if isinstance(value, float):
        return json.dumps(repr(value))
    if value is None:
        return "none"
    return json.dumps(value)


def macro_file(rendered: RenderedModel, source: str = "cdp/identity/splink_model.json") -> str:
    """The text of macros/identity/matching_model.sql."""
    lines = [
        f"{{#- GENERATED by `{RENDER_COMMAND}` (also run by `cdp train`) from {source}: do not edit.",
        "    The trained Splink model's pieces for the SQL matching path (cdp/identity/sql_model.py):",
        "    tests/python/test_sql_matching.py fails when this file and the model differ. -#}",
        "",
        "{% macro matching_model() -%}",
        "{{ return({",
        f"    'version': {_literal(rendered.version)},",
        "    'expected_matches_per_record': " + _literal(rendered.per_record) + ",",
        f"    'probability_two_random_records_match': {_literal(rendered.prior)},",
        "    'columns': [" + ", ".join(_literal(column) for column in rendered.columns) + "],",
        "    'array_columns': [" + ", ".join(_literal(column) for column in rendered.array_columns) + "],",
        "    'tf_columns': [" + ", ".join(_literal(column) for column in rendered.tf_columns) + "],",
        "    'blocking_rules': [",
    ]
    for rule in rendered.blocking_rules:
        lines.append("        [" + ", ".join(f"[{_literal(left)}, {_literal(right)}]" for left, right in rule) + "],")
    lines += ["    ],", "    'comparisons': ["]
    for comparison in rendered.comparisons:
        lines += ["        {", f"            'name': {_literal(comparison.name)},", "            'levels': ["]
        for level in comparison.levels:
            lines.append(f"                {{'gamma': {level.gamma}, 'label': {_literal(level.label)}, "
                         f"'weight': {_literal(level.weight)},")
            if level.tf_column:
                lines.append(f"                 'tf_column': {_literal(level.tf_column)}, "
                             f"'tf_weight': {_literal(level.tf_weight)}, "
                             f"'tf_minimum_u': {_literal(level.tf_minimum_u)}, "
                             f"'tf_log2_u_exact': {_literal(level.tf_log2_u_exact)},")
            for dialect in DIALECTS:
                key = "condition" if level.portable[dialect] else "not_portable"
                lines.append(f"                 '{key}_{dialect}': {_literal(level.conditions[dialect])},")
            lines[-1] = lines[-1].rstrip(",") + "},"
        lines += ["            ],", "        },"]
    lines += ["    ],", "}) }}", "{%- endmacro %}", ""]
    return "\n".join(lines)


def write_macro(model_path: Path | str | None = None, out: Path = MACRO_PATH) -> RenderedModel:
    """Render the model (the committed one unless `model_path`) into the macro file."""
    rendered = render(model_bytes(model_path))
    out.write_text(macro_file(rendered))
    return rendered
