"""Deletion is a permanent fact about a person, and unified IDs never vanish unlogged, end to end through dbt.

Small worlds built in steps (the Salesforce writer and the ID readers of test_identity_stability): a deletion
request by record must suppress the same person's unlinked record carrying the same email; a steward's split
of a deleted person must not bring either part back; a request typed with a tab, a CRLF or a capitalised system
name must match; a request matching nobody must be a visible warning; `cdp erase` must delete the person's
staging rows and a rebuild must still suppress them; an ID whose records are all gone must be logged `retired`,
and a --full-refresh must keep every ID and the log.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from conftest import ROOT, run_dbt
from test_identity_stability import ANNA_BRIDGE, ANNA_HOME, ANNA_WORK, _changes, _ids, _write_contacts

from cdp.identity.stable_ids import PREVIOUS_SCHEMA, id_updates

# What activation and the marts publish: models and the column naming the person in each.
PUBLISHED = ["unified_profiles", "calculated_insights", "segment_memberships", "export_marketing_cloud_audience",
             "export_crm_contacts", "email_suppressions", "export_source_duplicates",
             "certification_completion_triggers"]
MODELS = ["--select", "+unified_links", "+unified_id_changes", *(f"+{m}" for m in PUBLISHED),
          "+identity_review_queue", "+deletion_request_status",
          "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
LOADED = "2026-10-31"

OMAR = ("003Z", "omar", "said", "omar.said@example.net", None)
LENA = ("003L", "lena", "holm", "lena.holm@example.com", None)


def _write_subscribers(raw: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """Marketing Cloud subscribers: (subscriber key, email, first name, last name)."""
    table = pa.table({
        "subscriber_key": [r[0] for r in rows], "email_address": [r[1] for r in rows],
        "first_name": [r[2] for r in rows], "last_name": [r[3] for r in rows],
        "status": ["active"] * len(rows), "date_joined": [dt.datetime(2025, 1, 1)] * len(rows),
        "date_unsubscribed": pa.array([None] * len(rows), pa.timestamp("us")),
        "_loaded_at": [dt.datetime.fromisoformat(LOADED)] * len(rows),
    })
    _write(raw / "marketing_cloud" / "subscriber.parquet", table)


def _write_requests(raw: Path, rows: list[tuple[str, str | None, str | None, str | None]]) -> None:
    """Deletion requests: (request ID, source system, source record ID, email), exactly as typed."""
    table = pa.table({
        "request_id": [r[0] for r in rows], "source_system": pa.array([r[1] for r in rows], pa.string()),
        "source_record_id": pa.array([r[2] for r in rows], pa.string()),
        "email": pa.array([r[3] for r in rows], pa.string()), "status": ["received"] * len(rows),
        "requested_at": [dt.datetime(2026, 10, 1)] * len(rows),
        "_loaded_at": [dt.datetime.fromisoformat(LOADED)] * len(rows),
    })
    _write(raw / "consent" / "deletion_request.parquet", table)


def _write(path: Path, table: pa.Table) -> None:
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


def _build(raw: Path, database: Path, *extra: str) -> None:
    done = run_dbt(["build", *MODELS, *extra], raw, database)
    assert done.returncode == 0, done.stdout[-3000:]


def _query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def _published(database: Path, uid: str) -> list[str]:
    """The published models that hold the unified individual `uid`."""
    return [model for model in PUBLISHED
            if _query(database, f"select count(*) from main.{model} where unified_individual_id = '{uid}'")[0][0]]


def _published_records(database: Path, records: list[str]) -> dict[str, list[str]]:
    """For each record, the published models holding the individual it belongs to now."""
    ids = _ids(database)
    return {record: _published(database, ids[record]) for record in records if _published(database, ids[record])}


def _audience_keys(database: Path) -> set[str]:
    return {key for (key,) in _query(database, "select subscriber_key from main.export_marketing_cloud_audience")}


@pytest.fixture(scope="module")
def deleted_anna(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Anna (three Salesforce records: home and bridge share her member number, bridge and work her work email)
    asked to be deleted by her home record; a Marketing Cloud subscriber with her home email but another first
    name is not linked to her. Omar is nobody's concern."""
    root = tmp_path_factory.mktemp("deleted_anna")
    raw, database = root / "raw", root / "cdp.duckdb"
    _write_contacts(raw, [ANNA_HOME, ANNA_WORK, ANNA_BRIDGE, OMAR])
    _write_subscribers(raw, [("SK-MARIA", "anna.berg@example.org", "Maria", "Lind"),
                             ("SK-OMAR", "omar.said@example.net", "Omar", "Said")])
    _write_requests(raw, [("DR-ANNA", "salesforce", "003A", None)])
    _build(raw, database)
    return raw, database


def test_deletion_by_record_suppresses_the_unlinked_record_with_the_same_email(
        deleted_anna: tuple[Path, Path]) -> None:
    raw, database = deleted_anna
    ids = _ids(database)
    assert ids["salesforce:003A"] == ids["salesforce:003B"] == ids["salesforce:003C"]
    # The precondition: the subscriber sharing her email is not linked to her (another first name).
    assert ids["marketing_cloud:SK-MARIA"] != ids["salesforce:003A"]
    assert _published_records(database, ["salesforce:003A", "marketing_cloud:SK-MARIA"]) == {}
    audience = _audience_keys(database)
    assert "SK-MARIA" not in audience
    assert "SK-OMAR" in audience  # suppression is not everyone's
    assert _query(database, "select deletion_status, tombstoned_individual_count from main.deletion_request_status"
                            " where deletion_request_id = 'DR-ANNA'") == [("tombstoned", 1)]
    # The tombstones hold no readable value.
    assert _query(database, "select count(*) from intermediate.int_deletion_tombstones__recorded "
                            "where key_hash like '%@%' or key_hash like '%003A%'") == [(0,)]


def test_a_steward_splitting_a_deleted_person_brings_neither_part_back(deleted_anna: tuple[Path, Path]) -> None:
    raw, database = deleted_anna
    deleted_id = _ids(database)["salesforce:003A"]
    with duckdb.connect(str(database)) as con:
        con.execute("insert into reference.identity_overrides values ('OV-1', 'force_separate', 'salesforce', "
                    "'003A', 'salesforce', '003C', 'steward@example.com', 'not the same person', "
                    "timestamp '2026-11-01')")
    _build(raw, database, "--exclude-resource-type", "seed")
    ids = _ids(database)
    home, work = ids["salesforce:003A"], ids["salesforce:003B"]
    assert home != work and ids["salesforce:003C"] == work  # the split happened
    assert work == deleted_id  # the larger part kept the deleted person's ID
    for uid in (home, work):
        assert _published(database, uid) == []
    assert _query(database, "select count(*) from main.identity_review_queue where "
                            f"'{deleted_id}' in (unified_individual_id_l, unified_individual_id_r)") == [(0,)]
    assert "SK-OMAR" in _audience_keys(database)


def test_erase_deletes_the_staging_rows_and_a_rebuild_still_suppresses(deleted_anna: tuple[Path, Path]) -> None:
    raw, database = deleted_anna
    records = ("'003A'", "'003B'", "'003C'")
    # Her rows with anything but a key in them (the latest-loaded row of a table is kept as key and load time).
    staged = (f"select count(*) from staging.stg_salesforce__contacts where contact_id in ({', '.join(records)}) "
              "and coalesce(email, first_name, last_name, member_id) is not null")
    assert _query(database, staged) == [(3,)]
    cdp = [str(ROOT / ".venv" / "bin" / "cdp"), "erase", "--database", str(database)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    dry = subprocess.run(cdp, capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "stg_salesforce__contacts: 3" in dry.stdout and "dry run" in dry.stdout
    assert _query(database, staged) == [(3,)]  # a dry run deletes nothing
    done = subprocess.run([*cdp, "--yes"], capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "erased" in done.stdout and "kept:" in done.stdout
    assert _query(database, staged) == [(0,)]
    assert _query(database, "select count(*) from staging.stg_marketing_cloud__subscribers "
                            "where subscriber_key = 'SK-MARIA' and email is not null") == [(0,)]
    # The next incremental run does not read them back from raw.
    _build(raw, database, "--exclude-resource-type", "seed")
    assert _query(database, staged) == [(0,)]
    assert "SK-OMAR" in _audience_keys(database) and "SK-MARIA" not in _audience_keys(database)
    # Everything rebuilt from staging forgot her home email; only the tombstone's hash stands for it.
    assert _query(database, "select count(*) from main.unified_profiles where email = 'anna.berg@example.org'") \
        == [(0,)]
    # A full re-read of raw (the source systems still hold her) brings the rows back, suppressed.
    _build(raw, database, "--exclude-resource-type", "seed", "--full-refresh")
    assert _query(database, staged) == [(3,)]
    ids = _ids(database)
    assert _published_records(database, ["salesforce:003A", "salesforce:003B", "marketing_cloud:SK-MARIA"]) == {}
    assert ids["salesforce:003Z"] and "SK-OMAR" in _audience_keys(database)


def test_a_request_typed_with_tabs_crlf_and_capitals_matches_and_one_matching_nobody_warns(
        tmp_path: Path) -> None:
    raw, database = tmp_path / "raw", tmp_path / "cdp.duckdb"
    _write_contacts(raw, [ANNA_HOME, OMAR, LENA])
    _write_requests(raw, [("DR-CASE", "Salesforce", "\t003A\r\n", None),
                          ("DR-TAB", None, None, "\tOmar.Said@example.net\r\n"),
                          ("DR-GHOST", "salesforce", "003-NOBODY", None)])
    _build(raw, database)
    ids = _ids(database)
    assert _published(database, ids["salesforce:003A"]) == []
    assert _published(database, ids["salesforce:003Z"]) == []
    assert "unified_profiles" in _published(database, ids["salesforce:003L"])
    status = dict(_query(database, "select deletion_request_id, deletion_status from main.deletion_request_status"))
    assert status == {"DR-CASE": "tombstoned", "DR-TAB": "tombstoned", "DR-GHOST": "unmatched"}
    # The warning: a warn-severity test whose failure rows name the request.
    warned = run_dbt(["test", "--select", "assert_every_deletion_request_matches_someone", "--store-failures"],
                     raw, database)
    assert warned.returncode == 0, warned.stdout[-3000:]
    assert "WARN" in warned.stdout
    rows = _query(database, "select deletion_request_id, reason from "
                            "dbt_test__audit.assert_every_deletion_request_matches_someone")
    assert rows == [("DR-GHOST", "no record carries the record or email it names")]


def test_removing_a_system_and_full_refresh_keeps_ids_and_the_log_and_logs_the_retired_id(tmp_path: Path) -> None:
    raw, database = tmp_path / "raw", tmp_path / "cdp.duckdb"
    _write_contacts(raw, [ANNA_HOME, ANNA_WORK])
    _write_subscribers(raw, [("SK-LENA", "lena.holm@example.com", "Lena", "Holm")])
    _build(raw, database)
    _write_contacts(raw, [ANNA_HOME, ANNA_WORK, ANNA_BRIDGE])
    _build(raw, database)
    ids, log = _ids(database), _changes(database)
    assert [c[2] for c in log] == ["merge"]
    lena = ids["marketing_cloud:SK-LENA"]
    # Marketing Cloud's files are removed; a full refresh re-reads every raw table.
    shutil.rmtree(raw / "marketing_cloud")
    _build(raw, database, "--full-refresh")
    after = _ids(database)
    assert "marketing_cloud:SK-LENA" not in after
    assert {record: uid for record, uid in after.items()} == {r: u for r, u in ids.items() if r in after}
    changes = _changes(database)
    assert changes[:len(log)] == log  # the history is kept
    assert (lena, None, "retired", 1) in changes
    assert _query(database, "select count(*) from intermediate.int_identity_unified_ids "
                            f"where unified_individual_id = '{lena}' and is_current") == [(0,)]


def _previous(rows: list[tuple[str, str, bool]]) -> pa.Table:
    minted = dt.datetime(2026, 1, 1)
    return pa.table({"identity_record_id": [r[0] for r in rows], "unified_individual_id": [r[1] for r in rows],
                     "unified_id_minted_at": [minted] * len(rows), "is_current": [r[2] for r in rows]},
                    schema=PREVIOUS_SCHEMA)


def test_an_id_losing_all_its_records_is_retired_and_a_merged_one_is_not() -> None:
    previous = _previous([("a1", "UI-A", True), ("a2", "UI-A", True), ("b1", "UI-B", True), ("c1", "UI-C", True),
                          ("d1", "UI-D", True)])
    # a1, a2 gone (UI-A ends); b1 and c1 merge (UI-C retired into UI-B); d1 unchanged.
    clusters = pa.table({"identity_record_id": ["b1", "c1", "d1"], "cluster_key": ["k1", "k1", "k2"]})
    rows = id_updates(clusters, previous, dt.datetime(2026, 2, 1)).to_pylist()
    retired = sorted(r["identity_record_id"] for r in rows if r["id_change_type"] == "retired")
    assert retired == ["a1", "a2"]
    assert [r["id_change_type"] for r in rows if r["identity_record_id"] == "c1"] == ["merge"]
