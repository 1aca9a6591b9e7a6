"""Where the review desk writes its decisions, chosen by configuration (`cdp review --decisions`):

- `SeedFile`: appended to `seeds/identity_overrides.csv` (DuckDB, and any project reviewed like code), under a
  lock (one in the process, `flock` across processes) and a re-read of the file;
- `WarehouseTable`: inserted into the review desk's table on Snowflake (source `review.identity_override_decisions`,
  which the build reads with the seed), so that reviewers need no git. One MERGE inserts the decision only when no
  row has its ID or its pair; Snowflake runs one MERGE on a table at a time, so of two reviewers deciding the same
  pair at once exactly one inserts.

Both apply the same conflict rule (`find_conflict`: a decision whose ID or pair is already decided, in the seed or
the table, is refused and nothing is written) to a `Decision` the desk has already validated.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

# The seed's columns, in its order (seeds/identity_overrides.csv); the table has the same (its source's YAML).
OVERRIDE_COLUMNS = ("override_id", "action", "left_source_system", "left_source_record_id", "right_source_system",
                    "right_source_record_id", "decided_by", "reason", "decided_at")
# The source the build reads the table through (models/staging/review/_review__sources.yml).
DECISIONS_SOURCE = ("review", "identity_override_decisions")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


class DecisionError(ValueError):
    """A decision the desk refuses, with what to do; `status` is the HTTP status the app answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Decision:
    """One validated decision, as the seed row (or table row) it becomes."""

    override_id: str
    action: str
    left_source_system: str
    left_source_record_id: str
    right_source_system: str
    right_source_record_id: str
    decided_by: str
    reason: str
    decided_at: str

    def row(self) -> list[str]:
        return [getattr(self, column) for column in OVERRIDE_COLUMNS]

    @property
    def records(self) -> tuple[str, str]:
        """The pair's identity record IDs, in order."""
        return record_pair(self.__dict__)


def record_pair(row: Mapping[str, Any]) -> tuple[str, str]:
    """A decision row's two identity record IDs (as the build forms them), smaller first."""
    left = f"{row['left_source_system']}:{row['left_source_record_id']}"
    right = f"{row['right_source_system']}:{row['right_source_record_id']}"
    return (left, right) if left <= right else (right, left)


def find_conflict(rows: Iterable[Mapping[str, str]], decision: Decision) -> Mapping[str, str] | None:
    """The decision already made on `decision`'s pair or under its ID, if any: the conflict rule of every store."""
    for row in rows:
        if row["override_id"] == decision.override_id or record_pair(row) == decision.records:
            return row
    return None


def conflict_error(row: Mapping[str, str], how_to_change: str) -> DecisionError:
    return DecisionError(f"already decided: override {row['override_id']} ({row['action']}) by {row['decided_by']} "
                         f"at {row['decided_at']}. Nothing written; to change it, {how_to_change}", 409)


class DecisionStore(Protocol):
    """Where decisions are read from and appended to."""

    location: str  # where, in words (the desk says where decisions go)

    def rows(self) -> list[dict[str, str]]:
        """Every decision in force or superseded, as seed rows (text)."""
        ...

    def append(self, decision: Decision) -> None:
        """Write `decision`, or raise a DecisionError (409) naming the decision it conflicts with."""
        ...


class SeedFile:
    """The overrides seed (or a file of its shape): read, and appended to under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._lock = threading.Lock()
        if not self.path.exists():
            raise FileNotFoundError(f"no overrides file at {self.path}: the build reads its decisions there "
                                    "(give the project with --project-dir or the file with --overrides)")

    def rows(self) -> list[dict[str, str]]:
        with self.path.open(newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != OVERRIDE_COLUMNS:
                raise DecisionError(f"{self.path} does not have the overrides seed's columns "
                                    f"({', '.join(OVERRIDE_COLUMNS)}): nothing written", 500)
            return list(reader)

    def append(self, decision: Decision) -> None:
        with self._lock, self.path.open("r+", newline="") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                found = find_conflict(self.rows(), decision)
                if found is not None:
                    raise conflict_error(found, f"edit {self.path.name} in review")
                handle.seek(0, os.SEEK_END)
                if handle.tell() and not self._ends_with_newline():
                    handle.write("\n")
                csv.writer(handle, lineterminator="\n").writerow(decision.row())
                handle.flush()
                os.fsync(handle.fileno())
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime(TIMESTAMP_FORMAT)
    return str(value)


class WarehouseTable:
    """The review desk's table on Snowflake, through a DB-API connection of the Snowflake connector (`connect()`
    opens one per call: decisions are rare, and a reviewer's desk may stay open for hours). The seed, when given,
    is read too: its decisions are in force on Snowflake as well, so they count for the conflict rule."""

    def __init__(self, connect: Callable[[], Any], table: str, seed: SeedFile | None = None) -> None:
        self._connect = connect
        self.table = table
        self.seed = seed
        self.location = f"the table {table}"
        self._lock = threading.Lock()

    def _execute(self, cursor: Any, sql: str, params: Mapping[str, str]) -> None:
        try:
            cursor.execute(sql, dict(params))
        except Exception as error:  # the connector's ProgrammingError: said with what to do when the table is absent
            if "does not exist" not in str(error):
                raise
            raise DecisionError(f"the review desk's table {self.table} does not exist: build the project on that "
                                "target once (its on-run-start hook create_review_decisions_table creates it), or "
                                "set vars review_database / review_schema to where it is. Nothing written", 500
                                ) from error

    def _table_rows(self, cursor: Any, where: str = "", params: Mapping[str, str] | None = None) -> list[dict]:
        self._execute(cursor, f"select {', '.join(OVERRIDE_COLUMNS)} from {self.table} {where} order by override_id",
                      params or {})
        return [dict(zip(OVERRIDE_COLUMNS, (_text(value) for value in row), strict=True))
                for row in cursor.fetchall()]

    def rows(self) -> list[dict[str, str]]:
        connection = self._connect()
        try:
            table_rows = self._table_rows(connection.cursor())
        finally:
            connection.close()
        return (self.seed.rows() if self.seed else []) + table_rows

    def append(self, decision: Decision) -> None:
        how_to_change = f"a data steward changes it in {self.table} (or the seed, reviewed like code)"
        if self.seed is not None:
            found = find_conflict(self.seed.rows(), decision)
            if found is not None:
                raise conflict_error(found, how_to_change)
        values = ", ".join(f"%({column})s as {column}" for column in OVERRIDE_COLUMNS[:-1])
        params = dict(zip(OVERRIDE_COLUMNS, decision.row(), strict=True))
        same_pair = ("(decided.left_source_system = decision.{a}_source_system "
                     "and decided.left_source_record_id = decision.{a}_source_record_id "
                     "and decided.right_source_system = decision.{b}_source_system "
                     "and decided.right_source_record_id = decision.{b}_source_record_id)")
        merge = f"""
            merge into {self.table} as decided
            using (select {values}, cast(%(decided_at)s as timestamp) as decided_at) as decision
            on decided.override_id = decision.override_id
                or {same_pair.format(a='left', b='right')}
                or {same_pair.format(a='right', b='left')}
            when not matched then insert ({', '.join(OVERRIDE_COLUMNS)})
                values ({', '.join('decision.' + column for column in OVERRIDE_COLUMNS)})"""
        with self._lock:
            connection = self._connect()
            try:
                cursor = connection.cursor()
                self._execute(cursor, merge, params)
                inserted = cursor.fetchone()[0]
                connection.commit()
                if inserted:
                    return
                conflicting = self._table_rows(cursor, "where override_id = %(override_id)s or ("
                                               "left_source_system || ':' || left_source_record_id in "
                                               "(%(left)s, %(right)s) and right_source_system || ':' || "
                                               "right_source_record_id in (%(left)s, %(right)s))",
                                               {"override_id": decision.override_id, "left": decision.records[0],
                                                "right": decision.records[1]})
            finally:
                connection.close()
        found = find_conflict(conflicting, decision)
        if found is None:  # (not expected: the MERGE found one; said plainly rather than passed over)
            raise DecisionError(f"the decision was not written to {self.table}, and no decision there conflicts "
                                "with it: try again", 500)
        raise conflict_error(found, how_to_change)


def decisions_table(project_dir: Path, database: str, schema: str) -> str:
    """database.schema.table of the review desk's table on a target whose connection has `database` and `schema`:
    var review_database / review_schema of the project, else the target's database and <schema>_review (the
    rule of models/staging/review/_review__sources.yml, which tests/python/test_review_decisions.py holds equal)."""
    from cdp.project import project_vars

    settings = project_vars(project_dir)
    return ".".join((settings.get("review_database") or database, settings.get("review_schema") or f"{schema}_review",
                     DECISIONS_SOURCE[1]))


def warehouse_table(project_dir: Path, target: str, seed: SeedFile | None) -> WarehouseTable:
    """The store of a Snowflake target (`snowflake` or `emulator`: cdp/snowflake/connection.py)."""
    from cdp.snowflake.connection import connect, connection_params

    params = connection_params(target)
    table = decisions_table(project_dir, params["database"], params["schema"])
    return WarehouseTable(lambda: connect(target), table, seed)
