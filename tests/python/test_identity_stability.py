"""Unified IDs survive re-runs, and merges and splits follow the stable-ID rules, end to end through dbt."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt

IDENTITY_MODELS = [
    "--select", "+unified_links", "+unified_id_changes", "--exclude-resource-type", "test",
    "--exclude-resource-type", "unit_test",
]


def _ids(database: Path) -> dict[str, str]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return dict(con.execute("select identity_record_id, unified_individual_id from main.unified_links").fetchall())
    finally:
        con.close()


def _changes(database: Path) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(
            "select previous_unified_individual_id, unified_individual_id, change_type, records_moved "
            "from main.unified_id_changes order by changed_at, 1, 2"
        ).fetchall()
    finally:
        con.close()


def test_rebuilding_the_same_data_changes_no_unified_id(built_data: Path) -> None:
    database = built_data / "cdp.duckdb"
    before, changes_before = _ids(database), _changes(database)
    result = run_dbt(["build", *IDENTITY_MODELS], built_data / "raw", database)
    assert result.returncode == 0, result.stdout[-3000:]
    assert _ids(database) == before
    assert _changes(database) == changes_before


CONTACT_COLUMNS = (
    "id, account_id, first_name, last_name, email, phone, mobile_phone, birthdate, mailing_street, mailing_city, "
    "mailing_postal_code, mailing_country, lead_source, member_number_c, certification_number_c, "
    "has_opted_out_of_email, is_deleted, created_date, last_modified_date, _loaded_at"
)


def _write_contacts(raw: Path, rows: list[tuple[str, ...]]) -> None:
    """Salesforce contacts: (id, first name, last name, email, club member number or None[, load time])."""

    def row(i: str, first: str, last: str, email: str, member: str | None, loaded: str = "2026-10-31") -> str:
        member_number = f"'{member}'" if member else "null"
        return (
            f"('{i}', null, '{first}', '{last}', '{email}', null, null, null, null, null, null, 'US', "
            f"null, {member_number}, null, false, false, timestamp '2026-01-01', timestamp '2026-10-01', "
            f"timestamp '{loaded}')"
        )

    values = ", ".join(row(*r) for r in rows)
    path = raw / "salesforce" / "contact.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(f"copy (select * from (values {values}) as t({CONTACT_COLUMNS})) to '{path}' (format parquet)")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tiny_world")
    return root / "raw", root / "cdp.duckdb"


# Anna under her personal address, with her club member number; and under her work address, without it:
# nothing proves they are one person, so they start as two unified individuals.
ANNA_HOME = ("003A", "anna", "berg", "anna.berg@example.org", "M100")
ANNA_WORK = ("003B", "anna", "berg", "a.berg@work.example.com", None)
# A later record (loaded a day later) with her work address and her member number ties the two together.
ANNA_BRIDGE = ("003C", "anna", "berg", "a.berg@work.example.com", "M100", "2026-11-01")


def test_merge_keeps_the_oldest_id_and_split_keeps_the_largest_part(tiny: tuple[Path, Path]) -> None:
    raw, database = tiny
    _write_contacts(raw, [ANNA_HOME, ANNA_WORK])
    first = run_dbt(["build", *IDENTITY_MODELS], raw, database)
    assert first.returncode == 0, first.stdout[-3000:]
    ids = _ids(database)
    home_id, work_id = ids["salesforce:003A"], ids["salesforce:003B"]
    assert home_id != work_id
    assert _changes(database) == []

    # Run 2: the bridge joins both; the merged individual keeps the older ID (both were minted in the same
    # run, so the smaller one) and the other is logged as merged into it.
    _write_contacts(raw, [ANNA_HOME, ANNA_WORK, ANNA_BRIDGE])
    second = run_dbt(["build", *IDENTITY_MODELS], raw, database)
    assert second.returncode == 0, second.stdout[-3000:]
    ids = _ids(database)
    survivor, retired = sorted([home_id, work_id])
    assert set(ids.values()) == {survivor}
    assert (retired, survivor, "merge") in [c[:3] for c in _changes(database)]

    # Run 3: the bridge is gone and the individual splits into two parts of one record each; the tie goes to
    # the part with the smaller record (003A), which keeps the ID; 003B gets a newly minted one, logged as a split.
    # A row deleted from a raw table (the system reloaded it without the row) reaches the incremental staging
    # model when that model is fully refreshed.
    _write_contacts(raw, [ANNA_HOME, ANNA_WORK])
    refreshed = run_dbt(["run", "--full-refresh", "--select", "stg_salesforce__contacts"], raw, database)
    assert refreshed.returncode == 0, refreshed.stdout[-3000:]
    third = run_dbt(["build", *IDENTITY_MODELS], raw, database)
    assert third.returncode == 0, third.stdout[-3000:]
    ids = _ids(database)
    assert ids["salesforce:003A"] == survivor
    new_id = ids["salesforce:003B"]
    assert new_id not in (home_id, work_id)
    assert (survivor, new_id, "split", 1) in _changes(database)

    # Run 4: nothing changed, nothing moves.
    fourth = run_dbt(["build", *IDENTITY_MODELS], raw, database)
    assert fourth.returncode == 0, fourth.stdout[-3000:]
    assert _ids(database) == ids
