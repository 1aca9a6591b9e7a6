"""Where the review desk writes its decisions: the overrides seed, or (Snowflake) the review desk's table, which the
build reads with the seed (source review.identity_override_decisions, int_identity_overrides__resolved; the union is
the dbt unit test overrides_are_read_from_the_seed_and_the_review_desks_table).

The table's path runs against an emulator of its own (fakesnow on loopback, as test_snowflake_emulator.py): dbt's
on-run-start hook creates the table there, and the desk's writer inserts into it through the Snowflake connector,
with the seed's validation and conflict rule.
"""

from __future__ import annotations

import csv
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, run_dbt
from test_review import REVIEWER, make_desk, overrides, world_copy

from cdp.project import BuiltDatabase, relations
from cdp.review.decisions import (
    DECISIONS_SOURCE,
    OVERRIDE_COLUMNS,
    Decision,
    DecisionError,
    SeedFile,
    WarehouseTable,
    decisions_table,
    warehouse_table,
)

DATABASE = "REVIEWDECISIONS"


def _decision(override_id: str, left: tuple[str, str], right: tuple[str, str], action: str = "force_separate",
              reason: str = "two people: another first name") -> Decision:
    return Decision(override_id, action, *left, *right, REVIEWER, reason, "2026-12-01 10:00:00")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An emulator of its own on which dbt's on-run-start hook has run (for the decisions table alone): yields a
    folder for its files."""
    from cdp.snowflake import emulator as fakesnow

    folder = tmp_path_factory.mktemp("review_emulator")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = {name: os.environ.get(name) for name in ("CDP_EMULATOR_PORT", "CDP_EMULATOR_DATABASE")}
    os.environ.update({"CDP_EMULATOR_PORT": str(port), "CDP_EMULATOR_DATABASE": DATABASE})
    fakesnow.start(port, folder / "emulator.pid", folder / "emulator.log")
    try:
        yield folder
    finally:
        fakesnow.stop(folder / "emulator.pid")
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run_hook(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        [str(Path(sys.executable).with_name("cdp")), "emulator", "dbt", "--", "run-operation",
         "create_review_decisions_table", "--target", "emulator", "--target-path", str(folder / "target"),
         "--log-path", str(folder)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def table(emulator: Path) -> str:
    """The decisions table, as dbt's hook created it on the emulator."""
    done = _run_hook(emulator)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return warehouse_table(ROOT, "emulator", None).table


def _seed(tmp_path: Path, *rows: Decision) -> SeedFile:
    path = tmp_path / "identity_overrides.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(OVERRIDE_COLUMNS)
        writer.writerows(row.row() for row in rows)
    return SeedFile(path)


def _count(table: str, override_id_prefix: str) -> int:
    from cdp.snowflake.connection import connect

    connection = connect("emulator")
    try:
        return connection.cursor().execute(f"select count(*) from {table} where override_id like %(prefix)s",
                                           {"prefix": override_id_prefix + "%"}).fetchone()[0]
    finally:
        connection.close()


def test_the_hook_creates_the_table_where_the_desk_writes(table: str, emulator: Path) -> None:
    # the project's own schema (<target schema>_review of the emulator target), never a raw one
    assert table.lower() == f"{DATABASE}.marts_review.{DECISIONS_SOURCE[1]}".lower()
    from cdp.snowflake.connection import connect

    connection = connect("emulator")
    try:
        columns = [row[0].lower() for row in connection.cursor().execute(
            f"select column_name from {DATABASE}.information_schema.columns where lower(table_schema) = "
            "'marts_review' and lower(table_name) = %(name)s order by ordinal_position",
            {"name": DECISIONS_SOURCE[1]}).fetchall()]
    finally:
        connection.close()
    assert columns == list(OVERRIDE_COLUMNS)
    # a second run leaves the table, and the decisions in it, as they are
    store = warehouse_table(ROOT, "emulator", None)
    store.append(_decision("hook-1", ("crm", "1"), ("club", "M1")))
    done = _run_hook(emulator)
    assert done.returncode == 0, done.stdout[-3000:]
    assert _count(table, "hook-") == 1


def test_the_table_takes_a_decision_and_refuses_a_second_on_its_pair(table: str, tmp_path: Path) -> None:
    seed = _seed(tmp_path, _decision("seed-1", ("crm", "9"), ("club", "M9"), action="force_link"))
    store = warehouse_table(ROOT, "emulator", seed)
    first = _decision("pair-1", ("crm", "0'2"), ("club", "M2"), reason="it's two people; a shared family email")
    store.append(first)
    written = [row for row in store.rows() if row["override_id"].startswith(("pair-", "seed-"))]
    assert written == [dict(zip(OVERRIDE_COLUMNS, row.row(), strict=True))
                       for row in (_decision("seed-1", ("crm", "9"), ("club", "M9"), action="force_link"), first)]
    refused = [
        _decision("pair-2", ("club", "M2"), ("crm", "0'2"), action="force_link"),  # the same pair, the other way
        _decision("pair-1", ("crm", "3"), ("club", "M3")),  # the same ID
        _decision("pair-3", ("club", "M9"), ("crm", "9")),  # a pair the seed decided
    ]
    for decision in refused:
        with pytest.raises(DecisionError, match="already decided") as raised:
            store.append(decision)
        assert raised.value.status == 409
    assert _count(table, "pair-") == 1
    assert seed.rows() == [dict(zip(OVERRIDE_COLUMNS, _decision("seed-1", ("crm", "9"), ("club", "M9"),
                                                                action="force_link").row(), strict=True))]


def test_an_absent_table_is_a_clear_error(emulator: Path) -> None:
    from cdp.snowflake.connection import connect

    store = WarehouseTable(lambda: connect("emulator"), f"{DATABASE}.nowhere_review.{DECISIONS_SOURCE[1]}")
    with pytest.raises(DecisionError, match="does not exist: build the project on that target"):
        store.append(_decision("absent-1", ("crm", "1"), ("club", "M1")))
    with pytest.raises(DecisionError, match="does not exist"):
        store.rows()


def test_the_desk_validates_and_writes_to_the_table(table: str, tmp_path: Path) -> None:
    """The desk over a built world, with its decisions going to the emulator's table: a decision lands there (not
    in the seed) with who, why and when; a malformed one and a second one on the pair write nothing."""
    project = world_copy(tmp_path)
    desk = make_desk(project)
    desk.store = warehouse_table(project, "emulator", SeedFile(desk.overrides))
    item = next(item for item in desk.queue(group="possible_match")["items"] if item["is_pair"])
    with pytest.raises(DecisionError, match="a reason is required"):
        desk.decide(item["review_item_id"], "link", "  ")
    with pytest.raises(DecisionError, match="unknown decision"):
        desk.decide(item["review_item_id"], "merge", "x")
    decision = desk.decide(item["review_item_id"], "link", "same person:\n the email changed")
    assert _count(table, decision.override_id) == 1 and overrides(project) == []
    (row,) = [row for row in desk.store.rows() if row["override_id"] == decision.override_id]
    assert row["decided_by"] == REVIEWER and row["reason"] == "same person: the email changed"
    assert row["action"] == "force_link" and row["decided_at"] == decision.decided_at
    # the desk reads its decisions back from the table: the item counts as decided, a second decision is refused
    assert next(i for i in desk.queue()["items"] if i["review_item_id"] == item["review_item_id"])["decision"]
    with pytest.raises(DecisionError, match="already decided"):
        desk.decide(item["review_item_id"], "separate", "two people")
    assert _count(table, decision.override_id) == 1 and overrides(project) == []
    # the warehouse builds with the table's decisions; the desk's DuckDB rebuild would not read them
    with pytest.raises(DecisionError, match="the warehouse's next build reads"):
        desk.rebuild()


def test_the_desks_table_name_follows_the_sources_rule() -> None:
    """decisions_table() states the source's default (the target's database, <target schema>_review) in Python:
    held equal to what dbt made of models/staging/review/_review__sources.yml for the DuckDB target."""
    manifest = relations(ROOT).manifest
    source = manifest["sources"][f"source.cdp_identity.{'.'.join(DECISIONS_SOURCE)}"]
    assert source["schema"] == "main_review"  # the DuckDB profile's schema is main
    assert decisions_table(ROOT, source["database"], "main") == (
        f"{source['database']}.{source['schema']}.{source['identifier']}")


def test_the_build_reads_the_table_and_handles_its_bad_rows_as_the_seeds(tmp_path: Path) -> None:
    """On DuckDB the table exists too (empty, the hook made it): rows put there are read by the build with the
    seed's handling. A good decision applies, an unknown action and a record that does not exist are reported and
    not applied (with the warning naming the override); an ID used twice fails the staging model's test, as in the
    seed, and nothing downstream is built on it."""
    project = world_copy(tmp_path)
    database = project / "cdp.duckdb"
    manifest = relations(project).manifest
    source = manifest["sources"][f"source.cdp_identity.{'.'.join(DECISIONS_SOURCE)}"]
    table = f"{source['schema']}.{source['identifier']}"
    with duckdb.connect(str(database)) as con:
        db = BuiltDatabase(con, relations(project))
        (left, right), = con.execute(f"""
            select list(source_system || '|' || source_record_id order by identity_record_id)[1:2]
            from {db.table('int_identity_records__linked')}""").fetchone()
        left, right = tuple(left.split("|")), tuple(right.split("|"))
        for decision in (_decision("desk-good", left, right), _decision("desk-bad", left, right, action="merge"),
                         _decision("desk-gone", left, ("crm", "no-such-record"))):
            con.execute(f"insert into {table} values (?, ?, ?, ?, ?, ?, ?, ?, ?)", decision.row())

    def build() -> subprocess.CompletedProcess[str]:
        return run_dbt(["build", "--select", "stg_review__identity_override_decisions",
                        "int_identity_overrides__resolved", "--project-dir", str(project)],
                       project / "data" / "raw", database)

    built = build()
    assert built.returncode == 0, built.stdout[-3000:]
    assert 'WARNING identity override "desk-bad"' in built.stdout
    with duckdb.connect(str(database), read_only=True) as con:
        db = BuiltDatabase(con, relations(project))
        statuses = dict(con.execute(f"select override_id, override_status from "
                                    f"{db.table('int_identity_overrides__resolved')}").fetchall())
    assert statuses == {"desk-good": "applied", "desk-bad": "invalid_action", "desk-gone": "record_not_found"}

    with duckdb.connect(str(database)) as con:
        con.execute(f"insert into {table} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    _decision("desk-good", left, ("crm", "other")).row())
    built = build()
    assert built.returncode != 0
    assert "FAIL 1 unique_stg_review__identity_override_decisions_override_id" in built.stdout, built.stdout[-3000:]
    assert re.search(r"SKIP relation \S*int_identity_overrides__resolved", built.stdout), built.stdout[-3000:]
