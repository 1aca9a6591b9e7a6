"""The SQL matching path (var matching_engine: sql): the committed Splink model rendered into a dbt SQL model.

The renderer (cdp/identity/sql_model.py) writes macros/identity/matching_model.sql from the model JSON; the SQL
model int_identity_edges__probabilistic.sql computes Splink's predict with it. On the demo data it must find exactly
Splink's pairs, with the same match weights and explanations, and score incrementally as the Python model does.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt

from cdp.identity.incremental import model_version
from cdp.identity.matching import model_bytes
from cdp.identity.sql_model import MACRO_PATH, NotPortableError, macro_file, render, render_condition

EDGES = "intermediate.int_identity_edges__probabilistic"
SQL_ENGINE = ["--vars", "{matching_engine: sql}"]


def _model() -> dict:
    return json.loads(model_bytes())


def test_the_committed_macro_is_the_rendering_of_the_committed_model() -> None:
    assert MACRO_PATH.exists(), "run `cdp render-matching-sql`"
    assert MACRO_PATH.read_text() == macro_file(render(model_bytes())), \
        "macros/identity/matching_model.sql differs from the committed model: run `cdp render-matching-sql`"


def test_the_rendering_follows_every_piece_of_the_model() -> None:
    """A change to a weight, a label, a condition, a rule or the prior changes the macro (and the version)."""
    base = _model()
    original = macro_file(render(json.dumps(base).encode()))
    edits = []
    edited = copy.deepcopy(base)
    edited["comparisons"][1]["comparison_levels"][1]["m_probability"] *= 0.5
    edits.append(edited)
    edited = copy.deepcopy(base)
    edited["comparisons"][0]["comparison_levels"][2]["label_for_charts"] = "renamed"
    edits.append(edited)
    edited = copy.deepcopy(base)
    edited["blocking_rules_to_generate_predictions"].pop()
    edits.append(edited)
    edited = copy.deepcopy(base)
    edited["cdp_expected_matches_per_record"] = 2.0
    edits.append(edited)
    for edited in edits:
        assert macro_file(render(json.dumps(edited).encode())) != original


def test_levels_are_numbered_as_splink_numbers_them() -> None:
    """Null level -1, the else level 0, the others counting up from the last towards the first."""
    rendered = render(model_bytes())
    for comparison, source in zip(rendered.comparisons, _model()["comparisons"], strict=True):
        levels = source["comparison_levels"]
        gammas = [level.gamma for level in comparison.levels]
        non_null = [level for level in levels if not level.get("is_null_level")]
        assert gammas == [-1 if level.get("is_null_level") else len(non_null) - 1 - non_null.index(level)
                          for level in levels]
        assert gammas[-1] == 0 and comparison.levels[-1].conditions["duckdb"] == "ELSE"


@pytest.mark.parametrize(("condition", "function"), [
    ('damerau_levenshtein("city_l", "city_r") <= 1', "damerau_levenshtein"),
    ('jaro_winkler_similarity("city_l", "city_r") >= 0.9', "jaro_winkler_similarity"),
    ('len(list_intersect("first_name_variants_l", "first_name_variants_r")) > 0', "list_intersect"),
])
def test_a_condition_without_a_snowflake_function_of_the_same_meaning_is_refused(condition: str,
                                                                                 function: str) -> None:
    with pytest.raises(NotPortableError) as raised:
        render_condition(condition, "snowflake", "comparison address, level 'near city'")
    message = str(raised.value)
    assert "comparison address" in message and "'near city'" in message and f"{function}()" in message


def test_portable_conditions_are_transpiled_for_snowflake() -> None:
    assert render_condition('levenshtein("city_l", "city_r") <= 1', "snowflake", "x") == \
        "EDITDISTANCE(city_l, city_r) <= 1"
    # In parentheses: the emulator's translation of ARRAYS_OVERLAP is an OR that `and` would otherwise split.
    assert render_condition('"b_l" = "b_r" and list_has_any("a_l", "a_r")', "snowflake", "x") == \
        "b_l = b_r AND (ARRAYS_OVERLAP(a_l, a_r))"
    # DuckDB runs the model's own SQL.
    assert render_condition('damerau_levenshtein("c_l", "c_r") <= 1', "duckdb", "x") == \
        'damerau_levenshtein("c_l", "c_r") <= 1'


def test_a_level_not_portable_is_written_as_its_error_not_as_sql() -> None:
    """The macro file keeps the message where the condition would be: compiling on Snowflake stops with it."""
    model = _model()
    level = model["comparisons"][1]["comparison_levels"][3]
    level["sql_condition"] = 'damerau_levenshtein("postal_code_l", "postal_code_r") <= 1'
    text = macro_file(render(json.dumps(model).encode()))
    assert "'not_portable_snowflake': \"comparison date_of_birth, level" in text
    assert "EDITDISTANCE" not in text.split("'not_portable_snowflake'")[1].split("\n")[0]


def test_a_blocking_rule_that_is_not_column_equalities_is_refused() -> None:
    model = _model()
    model["blocking_rules_to_generate_predictions"].append(
        {"blocking_rule": 'levenshtein(l."city", r."city") <= 1', "sql_dialect": "duckdb"})
    with pytest.raises(ValueError, match="only equalities"):
        render(json.dumps(model).encode())


def test_a_level_without_trained_probabilities_is_refused() -> None:
    model = _model()
    del model["comparisons"][2]["comparison_levels"][2]["u_probability"]
    with pytest.raises(ValueError, match="comparison email.*u_probability"):
        render(json.dumps(model).encode())


# --- The SQL model on the demo data, against Splink's ------------------------------------------------------------


def _pairs(con: duckdb.DuckDBPyConnection, table: str) -> dict[tuple[str, str], tuple]:
    rows = con.execute(
        "select identity_record_id_l, identity_record_id_r, match_weight, match_probability, explanation, "
        f"is_partial_name, has_exact_identifier, model_version, is_current from {table}").fetchall()
    return {(row[0], row[1]): row[2:] for row in rows}


def _levels(explanation: str) -> dict[str, str]:
    return {name: part["level"] for name, part in json.loads(explanation).items()}


@pytest.fixture(scope="module")
def sql_built(built_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo database (built with Splink, the DuckDB default) with the SQL model built into it."""
    database = tmp_path_factory.mktemp("sql_matching") / "cdp.duckdb"
    shutil.copy(built_data / "cdp.duckdb", database)
    done = run_dbt(["run", "--select", "int_identity_edges__probabilistic", "--full-refresh", *SQL_ENGINE],
                   built_data / "raw", database)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "int_identity_edges__probabilistic: no stored pairs: every record is scored" in done.stdout
    return database


def test_the_sql_model_finds_splinks_pairs_with_splinks_weights(built_data: Path, sql_built: Path) -> None:
    with duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True) as con:
        splink = _pairs(con, EDGES)
    with duckdb.connect(str(sql_built), read_only=True) as con:
        sql = _pairs(con, EDGES)
    assert len(splink) > 1000
    assert set(sql) == set(splink)
    for pair, (weight, probability, explanation, partial, exact, version, current) in sql.items():
        s_weight, s_probability, s_explanation, s_partial, s_exact, s_version, s_current = splink[pair]
        assert abs(weight - s_weight) < 1e-6, pair
        assert abs(probability - s_probability) < 1e-9, pair
        assert _levels(explanation) == _levels(s_explanation), pair
        assert (partial, exact, version, current) == (s_partial, s_exact, s_version, s_current), pair
    # The explanation's text too: the weights written as DuckDB writes a double.
    assert sum(sql[pair][2] == splink[pair][2] for pair in sql) == len(sql)
    assert {row[5] for row in sql.values()} == {model_version(model_bytes())}


def test_the_sql_model_writes_the_python_models_column_types(sql_built: Path) -> None:
    """The same table either way: switching engines keeps the stored pairs (on_schema_change: fail)."""
    from test_python_model_results import DUCKDB_TYPES

    from cdp.identity.incremental import OUTPUT_SCHEMA

    with duckdb.connect(str(sql_built), read_only=True) as con:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = 'intermediate' "
            "and table_name = 'int_identity_edges__probabilistic' order by ordinal_position").fetchall()
    assert columns == [(field.name, DUCKDB_TYPES[field.type]) for field in OUTPUT_SCHEMA]


def _run_incremental(built_data: Path, database: Path, *extra: str) -> str:
    done = run_dbt(["run", "--select", "int_identity_edges__probabilistic", *SQL_ENGINE[:1],
                    "{matching_engine: sql" + "".join(f", {e}" for e in extra) + "}"], built_data / "raw", database)
    assert done.returncode == 0, done.stdout[-3000:]
    return done.stdout


@pytest.fixture
def stored(sql_built: Path, tmp_path: Path) -> Path:
    database = tmp_path / "cdp.duckdb"
    shutil.copy(sql_built, database)
    return database


def test_nothing_changed_scores_nothing(built_data: Path, stored: Path) -> None:
    with duckdb.connect(str(stored), read_only=True) as con:
        before = _pairs(con, EDGES)
    log = _run_incremental(built_data, stored)
    assert "int_identity_edges__probabilistic: 0 records new, changed or gone" in log
    with duckdb.connect(str(stored), read_only=True) as con:
        assert _pairs(con, EDGES) == before


def test_an_incremental_run_scores_the_changed_records_as_a_full_run(built_data: Path, stored: Path) -> None:
    """Records restamped as changed are scored again against their blocking partners: their pairs get the full
    run's scores back (here: after being spoiled), a stored pair they no longer form is retired, and the pairs of
    unchanged records keep what they had."""
    with duckdb.connect(str(stored)) as con:
        full = _pairs(con, EDGES)
        ids = [row[0] for row in con.execute(
            "select identity_record_id from intermediate.int_identity_match_inputs order by 1").fetchall()]
        changed = ids[::25]
        con.execute("create temp table changed as select unnest(?) as identity_record_id", [changed])
        con.execute("update intermediate.int_identity_match_inputs__tracked set input_changed_at = "
                    "input_changed_at + interval 1 hour where identity_record_id in (select * from changed)")
        touching = ("(identity_record_id_l in (select * from changed) "
                    "or identity_record_id_r in (select * from changed))")
        spoiled = con.execute(f"update {EDGES} set match_weight = -99 where {touching}").fetchone()[0]
        untouched = next(pair for pair in full if pair[0] not in changed and pair[1] not in changed)
        con.execute(f"update {EDGES} set match_weight = 99 where identity_record_id_l = ? "
                    "and identity_record_id_r = ?", list(untouched))
        ghost = (changed[0], "~no-such-record")
        con.execute(f"insert into {EDGES} select ?, ?, 1, 0.5, '{{}}', false, false, model_version, "
                    f"input_watermark, true from {EDGES} limit 1", list(ghost))
    assert spoiled > 100
    log = _run_incremental(built_data, stored)
    assert f"int_identity_edges__probabilistic: {len(changed)} records new, changed or gone" in log
    with duckdb.connect(str(stored), read_only=True) as con:
        after = _pairs(con, EDGES)
    assert after.pop(ghost)[-1] is False, "the pair no longer formed is retired, not dropped"
    assert after.pop(untouched)[0] == 99, "a pair of unchanged records keeps its stored score"
    full.pop(untouched)
    assert set(after) == set(full)
    assert max(abs(after[pair][0] - full[pair][0]) for pair in full) < 1e-9
    assert all(after[pair][2:] == full[pair][2:] for pair in full)


def test_a_new_trained_model_or_drift_rescores_everything(built_data: Path, stored: Path) -> None:
    with duckdb.connect(str(stored)) as con:
        full = _pairs(con, EDGES)
        con.execute(f"update {EDGES} set model_version = 'older', match_weight = -99")
    log = _run_incremental(built_data, stored)
    assert "int_identity_edges__probabilistic: the trained model changed: every record is scored" in log
    with duckdb.connect(str(stored)) as con:
        after = _pairs(con, EDGES)
        con.execute(f"update {EDGES} set match_weight = -99")
    assert set(after) == set(full) and max(abs(after[pair][0] - full[pair][0]) for pair in full) < 1e-9
    log = _run_incremental(built_data, stored, "rescore_all_share: 0")
    assert "every record is scored" in log and "(rescore_all_share 0)" in log
    with duckdb.connect(str(stored), read_only=True) as con:
        after = _pairs(con, EDGES)
    assert set(after) == set(full) and max(abs(after[pair][0] - full[pair][0]) for pair in full) < 1e-9
