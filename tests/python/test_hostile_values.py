"""Hostile values in a raw feed, end to end on a small generated world: padded emails are kept, control
characters leave names, card numbers never reach a mart.

Two club members are added to the generated club feed, each a person of their own (fresh name, email and
address, so that their own values survive into their profile):
- Zed: email wrapped in a tab and CR/LF, NUL inside the first name, an unhashed (Luhn-valid) card number in
  the card-hash column, another card number typed into the street;
- Yve: a 100,000-character email and a first name padded with no-break spaces.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, run_dbt

CARD_IN_HASH_COLUMN = "5555-5555-5555-4444"
CARD_IN_STREET = "4012 8888 8888 1881"
CARD_DIGIT_RUNS = {re.sub(r"\D", "", card) for card in (CARD_IN_HASH_COLUMN, CARD_IN_STREET)}
LONG_EMAIL = "y" * 100_000 + "@example.org"


@pytest.fixture(scope="module")
def hostile_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    subprocess.run([str(ROOT / ".venv" / "bin" / "cdp"), "generate", "--people", "60", "--seed", "7", "--out",
                    str(root), "--quiet"], cwd=ROOT, check=True)
    member = root / "raw" / "club" / "member.parquet"
    con = duckdb.connect()
    con.execute(f"create table member as select * from read_parquet('{member}')")
    con.execute(
        """
        insert into member by name
        select * replace (
            'ZZ-HOSTILE-1' as member_id, 'Zed' || chr(0) as first_name, 'Quuxworth' as last_name,
            chr(9) || 'Zed.Quuxworth@Example.org' || chr(13) || chr(10) as email, null as phone,
            '1 Card Lane ' || $street_card as street, $hash_card as payment_card_hash, null as certification_id,
            'Quuxville' as city, null as postal_code, date '1931-02-03' as date_of_birth
        ) from member limit 1
        """,
        {"street_card": CARD_IN_STREET, "hash_card": CARD_IN_HASH_COLUMN},
    )
    con.execute(
        """
        insert into member by name
        select * replace (
            'ZZ-HOSTILE-2' as member_id, chr(160) || 'Yve' || chr(160) as first_name, 'Zyzzogeton' as last_name,
            $email as email, null as phone, null as payment_card_hash, null as certification_id,
            '9 Zyzz Row' as street, 'Zyzzville' as city, null as postal_code, date '1932-03-04' as date_of_birth
        ) from member limit 1
        """,
        {"email": LONG_EMAIL},
    )
    con.execute(f"copy member to '{member}' (format parquet)")
    con.close()
    database = root / "cdp.duckdb"
    for args in (["seed"], ["run", "--select", "+unified_profiles", "+unified_links", "+source_rejected_values",
                            "+source_identifier_quality"]):
        result = run_dbt(args, root / "raw", database)
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return database


def _query(database: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _profile(database: Path, member_id: str) -> dict:
    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute(
            "select profiles.* from main.unified_profiles as profiles join main.unified_links as links "
            "using (unified_individual_id) where links.identity_record_id = ?", [f"club:{member_id}"]
        )
        rows = cursor.fetchall()
        names = [column[0] for column in cursor.description]
    finally:
        con.close()
    assert len(rows) == 1, f"{member_id}: {len(rows)} profiles"
    return dict(zip(names, rows[0], strict=True))


def test_padded_email_is_kept_and_control_characters_leave_names(hostile_world: Path) -> None:
    zed = _profile(hostile_world, "ZZ-HOSTILE-1")
    assert zed["email"] == "zed.quuxworth@example.org"
    assert zed["first_name"] == "Zed"
    assert _profile(hostile_world, "ZZ-HOSTILE-2")["first_name"] == "Yve"


def test_over_long_email_is_rejected_with_its_reason(hostile_world: Path) -> None:
    assert _profile(hostile_world, "ZZ-HOSTILE-2")["email"] is None
    assert _query(hostile_world, "select rejection_reason from main.source_rejected_values "
                  "where source_record_id = 'ZZ-HOSTILE-2' and column_name = 'email'") == [("too long",)]


def test_card_number_in_card_hash_column_is_rejected_and_counted(hostile_world: Path) -> None:
    assert _query(hostile_world, "select source_system, source_table, rejection_reason "
                  "from main.source_rejected_values "
                  "where source_record_id = 'ZZ-HOSTILE-1' and column_name = 'payment_card_hash'") == [
        ("club", "member", "card number")]
    (count,) = _query(hostile_world, "select sum(card_number_rejected_count) from main.source_identifier_quality "
                      "where source_system = 'club'")[0]
    assert count == 1


def test_card_number_in_street_is_scrubbed_before_profiles(hostile_world: Path) -> None:
    assert _profile(hostile_world, "ZZ-HOSTILE-1")["street"] == "1 Card Lane [card number removed]"


def test_no_card_number_in_any_mart_or_staging_table(hostile_world: Path) -> None:
    """Every text column of every table the build wrote (raw feeds are views over the files, not tables)."""
    columns = _query(hostile_world, "select c.table_schema, c.table_name, c.column_name "
                     "from information_schema.columns as c join information_schema.tables as t "
                     "using (table_catalog, table_schema, table_name) "
                     "where t.table_type = 'BASE TABLE' and c.data_type = 'VARCHAR'")
    assert columns
    found = []
    con = duckdb.connect(str(hostile_world), read_only=True)
    try:
        for schema, table, column in columns:
            digits = f"regexp_replace(\"{column}\", '[^0-9]', '', 'g')"
            for card in CARD_DIGIT_RUNS:
                hits = con.execute(f'select count(*) from "{schema}"."{table}" where {digits} like ?',
                                   [f"%{card}%"]).fetchone()[0]
                if hits:
                    found.append(f"{schema}.{table}.{column}")
    finally:
        con.close()
    assert not found, f"a card number reached: {', '.join(sorted(set(found)))}"
