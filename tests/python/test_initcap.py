"""Display-case names (macros/profiles/initcap.sql) on DuckDB: the same output as before on ordinary names, and
work linear in the name's length.

A 100 KB name once made `unified_profiles` take 42.8 s instead of 0.6 s: the macro upper- or lower-cased the
name one character at a time, each `substr()` walking the string from its start (quadratic). The macro is
compiled by dbt here (`dbt compile --inline`) and run on names of 200,000 characters. The check on work is a
generous bound, not a benchmark: the linear macro takes milliseconds, the quadratic one minutes, and the query
is interrupted after BOUND_SECONDS, a thousand times more than the linear macro needs.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt

BOUND_SECONDS = 30
LONG = 200_000


@pytest.fixture(scope="module")
def initcap_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The DuckDB SQL of cdp_initcap(name), as dbt compiles it."""
    folder: Path = tmp_path_factory.mktemp("initcap")
    result = run_dbt(
        ["compile", "--quiet", "--output", "json", "--inline", "select {{ cdp_initcap('name') }} as display_name"],
        raw_dir=folder / "raw", database=folder / "cdp.duckdb",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = json.loads(result.stdout[result.stdout.index("{"):])["compiled"]
    return compiled.strip().removeprefix("select").strip().removesuffix("as display_name").strip()


def _display_case(sql: str, names: list[str | None]) -> list[str | None]:
    con = duckdb.connect()
    con.execute("create table names (position integer, name varchar)")
    con.executemany("insert into names values (?, ?)", list(enumerate(names)))
    timer = threading.Timer(BOUND_SECONDS, con.interrupt)
    timer.start()
    try:
        rows = con.execute(f"select {sql} from names order by position").fetchall()
    except duckdb.InterruptException:
        pytest.fail(f"display-casing {len(names)} names of up to {max(len(n or '') for n in names):,} characters "
                    f"took more than {BOUND_SECONDS} s: the macro is not linear in the name's length")
    finally:
        timer.cancel()
        con.close()
    return [row[0] for row in rows]


def test_ordinary_names_unchanged(initcap_sql: str) -> None:
    names = ["mary-jane o'neil", "MCDONALD", "anne  marie", "d’arcy", "van der berg", "x", "", None, "jean-luc3rd"]
    assert _display_case(initcap_sql, names) == [
        "Mary-Jane O'Neil", "Mcdonald", "Anne  Marie", "D’Arcy", "Van Der Berg", "X", "", None, "Jean-Luc3Rd",
    ]


def test_accented_letters_stay_inside_their_word(initcap_sql: str) -> None:
    assert _display_case(initcap_sql, ["zoë MÜLLER-łukasz", "ÉLODIE"]) == ["Zoë Müller-Łukasz", "Élodie"]


def test_linear_on_long_names(initcap_sql: str) -> None:
    one_word = "a" * LONG
    many_words = "ab-" * (LONG // 3)
    assert _display_case(initcap_sql, [one_word, many_words]) == ["A" + "a" * (LONG - 1), "Ab-" * (LONG // 3)]
