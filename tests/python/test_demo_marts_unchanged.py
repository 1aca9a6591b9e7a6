"""The marts of the demo data hold what the committed fingerprint says: nothing changes what they compute unnoticed.

`fixtures/demo_marts_fingerprint.json` was written from the build of the demo data (`make test`'s: 3,000 people, seed
42) by the project as it stood before its intermediate and mart layers were reorganised, and rewritten three times
since: when amounts began to be converted into one reporting currency (only the money columns and what derives from
them changed: revenue, monetary scores, lifetime value, upgrade likelihood, the segments they decide); when the
generator gave people learnable behaviour and the churn and upgrade scores became trained models (only behavioural
marts changed: order dates and club tiers in unified_profiles; scores, segments, next-best-actions and the exports
carrying them; the identity marts did not); and when the matching model was retrained with comparisons that mean the
same on DuckDB and Snowflake (a few pairs scored on the other side of the threshold: 3,106 unified individuals
instead of 3,108, and what follows from them). The build `make test` makes now must hold the same rows in every
mart. A change that means to alter what the marts hold rewrites the fixture in the same commit (`python
tests/python/marts_fingerprint.py data/test/cdp.duckdb tests/python/fixtures/demo_marts_fingerprint.json` after `make
test`'s build) and says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from marts_fingerprint import differences, fingerprint

FIXTURE = Path(__file__).parent / "fixtures" / "demo_marts_fingerprint.json"


def test_fingerprint_sees_a_changed_value_a_lost_row_and_a_new_table(tmp_path: Path) -> None:
    database = tmp_path / "toy.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create table profiles as select * from (values ('u1', 'Ann', 1.0000001), ('u2', 'Bo', 2.5)) "
                    "as t(unified_individual_id, first_name, score)")
        con.execute("create table links as select 'r1' as identity_record_id, now() as linked_at")
    before = fingerprint(database)
    with duckdb.connect(str(database)) as con:
        con.execute("update links set linked_at = now() + interval 1 day")  # a build stamp: not a difference
        con.execute("update profiles set score = score + 1e-9")  # below the rounding: not a difference
    assert differences(before, fingerprint(database)) == []
    with duckdb.connect(str(database)) as con:
        con.execute("update profiles set first_name = 'Anne' where unified_individual_id = 'u1'")
    assert differences(before, fingerprint(database)) == [
        "profiles: rows 2 -> 2; columns differing: ['first_name']"]
    with duckdb.connect(str(database)) as con:
        con.execute("delete from profiles where unified_individual_id = 'u2'")
        con.execute("create table extra as select 1 as x")
    assert differences(before, fingerprint(database)) == [
        "extra: new", "profiles: rows 2 -> 1; columns differing: ['first_name', 'score', 'unified_individual_id']"]


def test_demo_marts_hold_what_they_held_before_the_redesign(built_data: Path) -> None:
    expected = json.loads(FIXTURE.read_text())
    assert len(expected) >= 20 and sum(table["rows"] for table in expected.values()) > 10_000
    actual = fingerprint(built_data / "cdp.duckdb")
    assert differences(expected, actual) == []
