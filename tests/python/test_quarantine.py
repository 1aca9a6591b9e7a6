"""Bad raw rows are quarantined, not fatal; load times keep their UTC offset; dedup ties are deterministic.

A small generated world gets, in one system's file each, an amount that is not a number, a birth date that is not a
date and a blank primary key. The build goes on without those rows, names them in source_rejected_rows (file, row,
column, value, reason), and stages them on the next ordinary run once they are corrected: in place (same
`_loaded_at`) or re-delivered with a later `_loaded_at`. Separate worlds check a `_loaded_at` delivered as text with
a UTC offset, equal-load-time duplicates written in two orders, and an identity override with an unknown action.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, run_dbt
from test_identity_incremental import _append, _replace

from cdp.bench import stamp_later_load

PEOPLE, SEED = 60, 31
NO_TESTS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
STAGING = ["build", "--select", "+staging", "+source_rejected_rows", *NO_TESTS]
FIXED_MEMBER_ID = "M-FIXED-0001"


def _with_text_column(table: pa.Table, name: str, values: dict[int, str] | None = None) -> pa.Table:
    """`table` with column `name` as text (as an ingestion tool loading strings delivers it), some rows replaced."""
    column = [None if v is None else str(v) for v in table.column(name).to_pylist()]
    for row, value in (values or {}).items():
        column[row] = value
    return table.set_column(table.schema.get_field_index(name), name, pa.array(column, pa.string()))


def _query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def _copy_world(world: Path, to: Path) -> Path:
    shutil.copytree(world, to)
    return to / "raw"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("quarantine_world")
    subprocess.run([str(ROOT / ".venv" / "bin" / "cdp"), "generate", "--people", str(PEOPLE), "--seed", str(SEED),
                    "--out", str(root / "world"), "--quiet"], check=True)
    return root / "world"


@pytest.fixture(scope="module")
def quarantined(world: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Three bad rows in three systems, a build, the rows corrected, and an ordinary (incremental) build."""
    root = tmp_path_factory.mktemp("quarantined")
    raw = _copy_world(world, root / "world")
    database = root / "cdp.duckdb"
    paths = {"orders": raw / "commerce" / "orders.parquet", "contact": raw / "salesforce" / "contact.parquet",
             "member": raw / "club" / "member.parquet"}
    orders, contacts, members = (pq.read_table(paths[name]) for name in ("orders", "contact", "member"))
    # One row of each, of a key delivered once: without it, the key is not staged at all.
    order_row, contact_row, member_row = (_once_delivered_row(table, key) for table, key in (
        (orders, "order_id"), (contacts, "id"), (members, "member_id")))
    bad = {"order": orders.column("order_id")[order_row].as_py(), "contact": contacts.column("id")[contact_row].as_py(),
           "order_row": order_row + 1, "contact_row": contact_row + 1, "member_row": member_row + 1}
    expected = {"stg_commerce__orders": _distinct_keys(orders, "order_id") - 1,
                "stg_salesforce__contacts": _distinct_keys(contacts, "id") - 1,
                "stg_club__members": _distinct_keys(members, "member_id") - 1,
                "stg_lms__learners": _distinct_keys(pq.read_table(raw / "lms" / "learner.parquet"), "learner_id"),
                "stg_web__events": _distinct_keys(pq.read_table(raw / "web" / "event.parquet"), "event_id")}
    pq.write_table(_with_text_column(orders, "total_price", {order_row: "abc"}), paths["orders"])
    pq.write_table(_with_text_column(contacts, "birthdate", {contact_row: "not a date"}), paths["contact"])
    pq.write_table(_replace(members, member_row, member_id="   "), paths["member"])
    first = run_dbt(STAGING, raw, database)
    counts = {table: _query(database, f"select count(*) from staging.{table}")[0][0] for table in expected} \
        if first.returncode == 0 else {}
    rejected = _query(database, "select source_system, source_table, location, row_key, row_number, column_name, "
                                "rejected_value, reject_reason, run_id from main.source_rejected_rows") \
        if first.returncode == 0 else []
    # Corrected: the order and the member in place (same `_loaded_at`), the contact re-delivered later (the bad
    # version stays in the append-only file).
    pq.write_table(_with_text_column(orders, "total_price", {order_row: "12.5"}), paths["orders"])
    pq.write_table(_replace(members, member_row, member_id=FIXED_MEMBER_ID), paths["member"])
    text_contacts = _with_text_column(contacts, "birthdate", {contact_row: "not a date"})
    redelivered = _append(text_contacts, contact_row, birthdate="1980-02-03")
    pq.write_table(stamp_later_load(redelivered, redelivered.num_rows - 1), paths["contact"])
    second = run_dbt(STAGING, raw, database)
    return {"database": database, "paths": paths, "bad": bad, "first": first, "second": second,
            "counts": counts, "expected": expected, "rejected": rejected}


def _distinct_keys(table: pa.Table, key: str) -> int:
    return len({str(v).strip() for v in table.column(key).to_pylist() if v and str(v).strip()})


def _once_delivered_row(table: pa.Table, key: str) -> int:
    keys = table.column(key).to_pylist()
    return next(row for row, value in enumerate(keys) if value and keys.count(value) == 1)


def test_bad_values_do_not_stop_the_build(quarantined: dict) -> None:
    first = quarantined["first"]
    assert first.returncode == 0, first.stdout[-3000:]


def test_the_rest_of_each_system_and_every_other_system_build(quarantined: dict) -> None:
    assert quarantined["counts"] == quarantined["expected"]


def test_rejected_rows_name_file_row_column_value_and_reason(quarantined: dict) -> None:
    paths, bad = quarantined["paths"], quarantined["bad"]
    rows = {row[:8] for row in quarantined["rejected"]}
    assert rows == {
        ("commerce", "orders", str(paths["orders"]), bad["order"], bad["order_row"], "total_price", "abc",
         "not a number"),
        ("salesforce", "contact", str(paths["contact"]), bad["contact"], bad["contact_row"], "birthdate", "not a date",
         "not a date"),
        ("club", "member", str(paths["member"]), "   ", bad["member_row"], "member_id", "   ", "blank primary key"),
    }
    assert len({row[8] for row in quarantined["rejected"]}) == 1
    output = quarantined["first"].stdout
    assert f"{paths['orders']}, row {bad['order_row']}" in output
    assert "column total_price" in output


def test_corrected_rows_are_staged_by_the_next_ordinary_run(quarantined: dict) -> None:
    second, database, bad = quarantined["second"], quarantined["database"], quarantined["bad"]
    assert second.returncode == 0, second.stdout[-3000:]
    assert _query(database, f"select total_price from staging.stg_commerce__orders where order_id = '{bad['order']}'") \
        == [(12.5,)]
    assert _query(database, "select date_of_birth from staging.stg_salesforce__contacts "
                            f"where contact_id = '{bad['contact']}'") == [(dt.date(1980, 2, 3),)]
    assert _query(database, f"select count(*) from staging.stg_club__members where member_id = '{FIXED_MEMBER_ID}'") \
        == [(1,)]
    # Only the re-delivered contact's old, bad version is still quarantined.
    assert [row[:2] + row[5:8] for row in _query(
        database, "select source_system, source_table, location, row_key, row_number, column_name, rejected_value, "
                  "reject_reason from main.source_rejected_rows")] \
        == [("salesforce", "contact", "birthdate", "not a date", "not a date")]
    # The loads corrected in place have left the re-read queue; the one still holding a bad row has not.
    assert _query(database, "select source_system, source_table from raw_meta.requeued_loads") \
        == [("salesforce", "contact")]


def test_offset_load_time_after_the_watermark_is_staged_in_utc(world: Path, tmp_path: Path) -> None:
    raw = _copy_world(world, tmp_path / "world")
    database = tmp_path / "cdp.duckdb"
    path = raw / "lms" / "learner.parquet"
    learners = pq.read_table(path)
    latest = max(learners.column("_loaded_at").to_pylist())
    # Delivered as text: the first load without an offset (UTC), ...
    as_text = _with_text_column(learners, "_loaded_at")
    pq.write_table(as_text, path)
    assert run_dbt(["build", "--select", "+stg_lms__learners", *NO_TESTS], raw, database).returncode == 0
    # ... then a learner loaded an hour after the watermark, stamped in New York time (its clock reads 4 hours
    # before the watermark).
    later = latest + dt.timedelta(hours=1)
    local = (later - dt.timedelta(hours=5)).isoformat(sep=" ") + "-05:00"
    pq.write_table(_append(as_text, 0, learner_id="L-OFFSET-1", _loaded_at=local), path)
    result = run_dbt(["build", "--select", "+stg_lms__learners", *NO_TESTS], raw, database)
    assert result.returncode == 0, result.stdout[-3000:]
    assert _query(database, "select loaded_at from staging.stg_lms__learners where learner_id = 'L-OFFSET-1'") \
        == [(later,)]


def test_equal_load_time_duplicates_keep_the_same_survivor_in_any_file_order(world: Path, tmp_path: Path) -> None:
    raw = _copy_world(world, tmp_path / "world")
    path = raw / "salesforce" / "contact.parquet"
    contacts = pq.read_table(path)
    # Every contact twice, same load and modified times, different emails; the file written in two orders.
    copies = contacts.set_column(contacts.schema.get_field_index("email"), "email",
                                 pa.array([f"copy.{row}@example.org" for row in range(contacts.num_rows)]))
    duplicated = pa.concat_tables([contacts, copies])
    survivors = []
    for order, rows in (("forward", list(range(duplicated.num_rows))),
                        ("reversed", list(reversed(range(duplicated.num_rows))))):
        pq.write_table(duplicated.take(rows), path)
        database = tmp_path / order / "cdp.duckdb"
        database.parent.mkdir()
        result = run_dbt(["build", "--select", "+stg_salesforce__contacts", *NO_TESTS], raw, database)
        assert result.returncode == 0, result.stdout[-3000:]
        survivors.append(dict(_query(database, "select contact_id, email from staging.stg_salesforce__contacts")))
    assert len(survivors[0]) == _distinct_keys(contacts, "id")
    assert survivors[0] == survivors[1]


def test_unknown_override_action_is_reported_not_fatal(world: Path, tmp_path: Path) -> None:
    """A copy of the project whose override seed holds a valid override and one with an unknown action."""
    project = tmp_path / "project"
    skipped = {".git", "data", "target", "logs", "bench", "docs", "tests"}
    shutil.copytree(ROOT, project, symlinks=True,
                    ignore=lambda folder, names: [n for n in names if Path(folder) == ROOT and n in skipped])
    shutil.copytree(ROOT / "tests" / "dbt", project / "tests" / "dbt")
    records = pq.read_table(world / "raw" / "club" / "member.parquet").column("member_id").to_pylist()[:3]
    seed = project / "seeds" / "identity_overrides.csv"
    header = seed.read_text().splitlines()[0]
    seed.write_text("\n".join([
        header,
        f"ov-1,force_separate,club,{records[0]},club,{records[1]},steward,test,2026-10-01 00:00:00",
        f"ov-2,merge_please,club,{records[1]},club,{records[2]},steward,test,2026-10-02 00:00:00",
    ]) + "\n")
    database = tmp_path / "cdp.duckdb"
    # The seed and its tests (the action's accepted_values test warns, naming nothing fatal) ...
    seeded = run_dbt(["build", "--select", "identity_overrides"], world / "raw", database, project=project)
    assert seeded.returncode == 0, seeded.stdout[-3000:]
    # ... and everything the review queue needs: the valid override applied, the other reported by name.
    result = run_dbt(["build", "--select", "+identity_review_queue", *NO_TESTS], world / "raw", database,
                     project=project)
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'identity override "ov-2"' in result.stdout and '"merge_please"' in result.stdout
    statuses = dict(_query(database, "select override_id, override_status "
                                     "from intermediate.int_identity_overrides__resolved"))
    assert statuses == {"ov-1": "applied", "ov-2": "invalid_action"}
    assert _query(database, "select count(*) from main.identity_review_queue "
                            "where review_type = 'override_invalid_action'") == [(1,)]
