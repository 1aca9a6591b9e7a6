"""The review desk without the web: the queue, one item, a decision, the rebuild.

The desk reads the built DuckDB database read-only, one short connection per question (a rebuild needs the file's
write lock, which any open connection would hold off), and finds every model through the project's manifest
(`cdp.project.relations`), never a hard-coded schema. A decision is validated against the database and against the
decisions already made, and written where the build reads overrides (`cdp.review.decisions`): appended to
`seeds/identity_overrides.csv` of the project (or the path given, `--overrides`), or, on Snowflake, inserted into
the review desk's table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from cdp.project import BuiltDatabase, MergePolicy, merge_policy, relations
from cdp.review.decisions import (  # noqa: F401 (OVERRIDE_COLUMNS: the desk's names, as before the stores)
    OVERRIDE_COLUMNS,
    TIMESTAMP_FORMAT,
    Decision,
    DecisionError,
    DecisionStore,
    SeedFile,
    record_pair,
)

# What a reviewer can decide on an item: the override action each choice writes (skip writes nothing).
ACTIONS = {"link": "force_link", "separate": "force_separate"}
# A reason longer than this is refused (the seed is read by people too).
MAX_REASON_LENGTH = 500
# The selection a rebuild runs: the overrides seed and everything downstream of it.
REBUILD_SELECTION = "identity_overrides+"
# Fields of int_identity_records__linked not shown as a record's fields (keys, and the build's own timestamps).
HIDDEN_FIELDS = ("identity_record_id", "unified_individual_id", "unified_id_minted_at", "linked_at", "graph_changed_at")
EXPORT_MODELS = ("export_marketing_cloud_audience", "export_crm_contacts")


class DatabaseBusy(RuntimeError):
    """The database file is locked by a writer (a rebuild running)."""


@dataclass(frozen=True)
class RebuildResult:
    command: list[str]
    returncode: int
    summary: str
    output_tail: str
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def score_band(probability: float | None) -> str:
    """The tenth of the probability scale a score falls in ('0.6-0.7'), or 'unscored'."""
    if probability is None:
        return "unscored"
    low = min(int(probability * 10), 9) / 10
    return f"{low:.1f}-{low + 0.1:.1f}"


def review_group(review_type: str) -> str:
    """possible_match, cut, guard or override: the queue's filter groups (review_type without its detail)."""
    return review_type.split("_", 1)[0] if review_type.startswith(("cut_", "guard_", "override_")) else review_type


def pair_key(left: str, right: str) -> tuple[str, str]:
    return (left, right) if left <= right else (right, left)


def pair_item_id(left: str, right: str) -> str:
    """The ID of a pair a reviewer opened outside the queue (stable: a hash of the ordered pair)."""
    return "pair-" + hashlib.sha256("|".join(pair_key(left, right)).encode()).hexdigest()[:24]


def _clean_reason(reason: str) -> str:
    """The reason on one line (the seed is a CSV a person also reads): runs of whitespace become one space."""
    return re.sub(r"\s+", " ", reason or "").strip()


class Desk:
    """The queue and the decisions over one built database and one place decisions are written: the overrides file
    (`overrides`, default the project's seed), or `store` (e.g. the review desk's table on Snowflake)."""

    def __init__(self, project_dir: Path, database: Path, reviewer: str | None, overrides: Path | None = None,
                 dbt: str | None = None, env: Mapping[str, str] | None = None,
                 store: DecisionStore | None = None) -> None:
        self.project_dir = Path(project_dir).resolve()
        self.database = Path(database).resolve()
        self.reviewer = (reviewer or "").strip() or None
        self.overrides = Path(overrides) if overrides else self.project_dir / "seeds" / "identity_overrides.csv"
        dbt_default = Path(sys.executable).with_name("dbt")
        self.dbt = dbt or str(dbt_default)
        self.env = dict(env or {})
        self.relations = relations(self.project_dir)
        self.policy: MergePolicy = merge_policy(self.project_dir)
        self._rebuild_lock = threading.Lock()
        self.last_rebuild: RebuildResult | None = None
        self.store: DecisionStore = store or SeedFile(self.overrides)

    # ------------------------------------------------------------ reading the database

    @contextmanager
    def _db(self) -> Iterator[BuiltDatabase]:
        try:
            con = duckdb.connect(str(self.database), read_only=True)
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise DatabaseBusy(f"{self.database} is being written (a rebuild is running): try again when it "
                                   "has finished") from None
            raise
        try:
            yield BuiltDatabase(con, self.relations)
        finally:
            con.close()

    @staticmethod
    def _dicts(con: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        relation = con.execute(sql, list(params))
        names = [column[0] for column in relation.description]
        return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]

    def decided_pairs(self) -> dict[tuple[str, str], dict[str, str]]:
        """The decisions made (the store's) by record pair (identity record IDs as the build forms them)."""
        return {record_pair(row): row for row in self.store.rows()}

    def queue(self, group: str | None = None, system: str | None = None, band: str | None = None) -> dict[str, Any]:
        """The queue's items sorted by what a decision is worth (records and segment memberships of the unified
        individuals involved), with the filters' choices and the counts of open and decided items."""
        with self._db() as db:
            items = self._dicts(db.con, f"""
                with queue as (select * from {db.table('identity_review_queue')}),
                links as (select * from {db.table('int_identity_records__linked')}),
                sizes as (
                    select unified_individual_id, count(*) as record_count from links group by unified_individual_id
                ),
                memberships as (
                    select unified_individual_id, count(*) as segment_count
                    from {db.table('segment_memberships')} group by unified_individual_id
                ),
                individuals as (
                    select
                        queue.review_item_id,
                        left_links.source_system as source_system_l,
                        right_links.source_system as source_system_r,
                        left_links.unified_individual_id as current_individual_l,
                        right_links.unified_individual_id as current_individual_r
                    from queue
                    left outer join links as left_links on queue.identity_record_id_l = left_links.identity_record_id
                    left outer join links as right_links
                        on queue.identity_record_id_r = right_links.identity_record_id
                ),
                final as (
                    select
                        queue.*,
                        individuals.source_system_l,
                        individuals.source_system_r,
                        individuals.current_individual_l,
                        individuals.current_individual_r,
                        coalesce(left_sizes.record_count, 0) + case
                            when individuals.current_individual_r is distinct from individuals.current_individual_l
                                then coalesce(right_sizes.record_count, 0) else 0 end as records_affected,
                        coalesce(left_members.segment_count, 0) + case
                            when individuals.current_individual_r is distinct from individuals.current_individual_l
                                then coalesce(right_members.segment_count, 0) else 0 end as segments_affected
                    from queue
                    inner join individuals on queue.review_item_id = individuals.review_item_id
                    left outer join sizes as left_sizes
                        on individuals.current_individual_l = left_sizes.unified_individual_id
                    left outer join sizes as right_sizes
                        on individuals.current_individual_r = right_sizes.unified_individual_id
                    left outer join memberships as left_members
                        on individuals.current_individual_l = left_members.unified_individual_id
                    left outer join memberships as right_members
                        on individuals.current_individual_r = right_members.unified_individual_id
                )
                select * from final
                order by records_affected + segments_affected desc, match_probability desc nulls last, review_item_id
            """)
        decided = self.decided_pairs()
        for item in items:
            item["group"] = review_group(item["review_type"])
            item["band"] = score_band(item["match_probability"])
            item["is_pair"] = bool(item["identity_record_id_l"] and item["identity_record_id_r"])
            item["decision"] = (decided.get(pair_key(item["identity_record_id_l"], item["identity_record_id_r"]))
                                if item["is_pair"] else None)
        choices = {
            "groups": sorted({item["group"] for item in items}),
            "systems": sorted({s for item in items for s in (item["source_system_l"], item["source_system_r"]) if s}),
            "bands": sorted({item["band"] for item in items}),
        }
        shown = [item for item in items
                 if (not group or item["group"] == group)
                 and (not system or system in (item["source_system_l"], item["source_system_r"]))
                 and (not band or item["band"] == band)]
        return {
            "items": shown,
            "choices": choices,
            "open_count": sum(1 for item in items if not item["decision"]),
            "decided_count": sum(1 for item in items if item["decision"]),
            "override_count": len(decided),
        }

    def next_open(self, after: str | None = None) -> str | None:
        """The open item after `after` in the queue's order (the first open one without it)."""
        items = [item for item in self.queue()["items"] if not item["decision"]]
        ids = [item["review_item_id"] for item in items]
        if after in ids:
            rest = ids[ids.index(after) + 1:]
            return rest[0] if rest else None
        return ids[0] if ids else None

    def item(self, review_item_id: str) -> dict[str, Any] | None:
        """One item: its row, every record involved (side by side, with the fields that differ), the waterfall of
        the match weight, and what each decision would do."""
        with self._db() as db:
            rows = self._dicts(db.con, f"select * from {db.table('identity_review_queue')} where review_item_id = ?",
                               [review_item_id])
            if not rows:
                return None
            return self._describe(db, rows[0])

    def pair(self, left: str, right: str) -> dict[str, Any]:
        """Any two records a reviewer names (a merge nobody flagged: a customer's complaint, a support case),
        described as a queue item; a DecisionError when either record does not exist."""
        left, right = (left or "").strip(), (right or "").strip()
        if not left or not right or left == right:
            raise DecisionError("name two different records (identity record IDs such as crm:0031)")
        with self._db() as db:
            found = {row[0] for row in db.con.execute(
                f"select identity_record_id from {db.table('int_identity_records__linked')} "
                "where identity_record_id in (?, ?)", [left, right]).fetchall()}
            missing = [record for record in (left, right) if record not in found]
            if missing:
                raise DecisionError(f"no record {', '.join(missing)} in the database", 404)
            scored = None
            if db.exists("identity_edges"):
                scored = db.con.execute(
                    f"select explanation, match_probability from {db.table('identity_edges')} "
                    "where identity_record_id_l in (?, ?) and identity_record_id_r in (?, ?) "
                    "order by match_probability desc nulls last limit 1", [left, right, left, right]).fetchone()
            first, second = pair_key(left, right)
            return self._describe(db, {
                "review_item_id": pair_item_id(first, second), "review_type": "pair",
                "identity_record_id_l": first, "identity_record_id_r": second,
                "review_reason": "a pair the reviewer opened", "detail": scored[0] if scored else None,
                "match_probability": scored[1] if scored else None,
            })

    def _describe(self, db: BuiltDatabase, item: dict[str, Any]) -> dict[str, Any]:
        links = db.table("int_identity_records__linked")
        ids = [i for i in (item["identity_record_id_l"], item["identity_record_id_r"]) if i]
        records = self._dicts(db.con, f"select * from {links} where identity_record_id in (select unnest(?))",
                              [ids])
        order = {record_id: position for position, record_id in enumerate(ids)}
        if item["review_type"].startswith("guard_") and db.exists("identity_blocked_identifiers"):
            # every record holding the identifier value held back
            holders = self._dicts(db.con, f"""
                select links.* from {links} as links
                where links.identity_record_id in (
                    select identity_record_id from {db.table('identity_blocked_identifiers')}
                    where identifier_value = ?
                )""", [item["detail"]])
            records += [r for r in holders if r["identity_record_id"] not in order]
        elif item["review_type"].startswith("cut_"):
            # every record of the unified individuals the cut edge's records belong to (up to 12)
            individuals = sorted({r["unified_individual_id"] for r in records})
            others = self._dicts(db.con, f"""
                select * from {links} where unified_individual_id in (select unnest(?))
                order by unified_individual_id, identity_record_id limit 12""", [individuals])
            records += [r for r in others if r["identity_record_id"] not in order]
        records.sort(key=lambda r: (order.get(r["identity_record_id"], len(order)), r["identity_record_id"]))
        item["records"] = records
        item["fields"] = self._fields(records)
        item["waterfall"] = self._waterfall(db, item)
        item["impact"] = self._impact(db, item, records)
        item["group"] = review_group(item["review_type"])
        item["band"] = score_band(item["match_probability"])
        item["is_pair"] = len(ids) == 2
        item["decision"] = (self.decided_pairs().get(pair_key(*ids)) if item["is_pair"] else None)
        return item

    @staticmethod
    def _fields(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not records:
            return []
        fields = []
        for name in records[0]:
            if name in HIDDEN_FIELDS:
                continue
            values = [record.get(name) for record in records]
            present = {str(value).strip().lower() for value in values if value not in (None, "")}
            fields.append({"name": name, "cells": values, "differs": len(present) > 1})
        return fields

    def _waterfall(self, db: BuiltDatabase, item: dict[str, Any]) -> dict[str, Any] | None:
        """Each comparison's contribution to the match weight, from the start (the prior: the match weight less the
        contributions) to the total; None when the item has no scored explanation."""
        try:
            explanation = json.loads(item["detail"] or "")
        except (TypeError, ValueError):
            return None
        if not isinstance(explanation, dict):
            return None
        steps = [(name, value.get("level"), float(value["match_weight"])) for name, value in explanation.items()
                 if isinstance(value, dict) and isinstance(value.get("match_weight"), int | float)]
        if not steps:
            return None
        weight = None
        if db.exists("int_identity_edges__probabilistic"):
            found = db.con.execute(
                f"select match_weight from {db.table('int_identity_edges__probabilistic')} "
                "where identity_record_id_l = ? and identity_record_id_r = ? and is_current",
                [item["identity_record_id_l"], item["identity_record_id_r"]],
            ).fetchone()
            weight = found[0] if found else None
        contributions = sum(step[2] for step in steps)
        prior = (weight - contributions) if weight is not None else 0.0
        rows, running = [], prior
        if weight is not None:
            rows.append({"name": "prior (two random records)", "level": "", "weight": prior, "start": 0.0,
                         "end": prior})
        for name, level, value in steps:
            rows.append({"name": name, "level": level, "weight": value, "start": running, "end": running + value})
            running += value
        low = min(0.0, *(min(r["start"], r["end"]) for r in rows))
        high = max(0.0, *(max(r["start"], r["end"]) for r in rows))
        span = (high - low) or 1.0
        for row in rows:
            row["left"] = (min(row["start"], row["end"]) - low) / span * 100
            row["width"] = max(abs(row["end"] - row["start"]) / span * 100, 0.4)
        return {"rows": rows, "total": running, "zero": (0 - low) / span * 100}

    def _impact(self, db: BuiltDatabase, item: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
        """What linking or keeping apart the item's two records would change now: unified individuals, records,
        segments, export rows."""
        by_id = {r["identity_record_id"]: r for r in records}
        left, right = by_id.get(item["identity_record_id_l"]), by_id.get(item["identity_record_id_r"] or "")
        individuals = sorted({r["unified_individual_id"] for r in (left, right) if r})
        sizes = dict(db.con.execute(
            f"select unified_individual_id, count(*) from {db.table('int_identity_records__linked')} "
            "where unified_individual_id in (select unnest(?)) group by unified_individual_id", [individuals],
        ).fetchall())
        segments: dict[str, list[str]] = {i: [] for i in individuals}
        for individual, segment in db.con.execute(
                f"select unified_individual_id, segment_name from {db.table('segment_memberships')} "
                "where unified_individual_id in (select unnest(?)) order by segment_name", [individuals]).fetchall():
            segments[individual].append(segment)
        exports: dict[str, int] = {}
        for model in EXPORT_MODELS:
            if model in self.relations and db.exists(model):
                exports[model] = db.con.execute(
                    f"select count(*) from {db.table(model)} where unified_individual_id in (select unnest(?))",
                    [individuals]).fetchone()[0]
        impact: dict[str, Any] = {"individuals": [{"id": i, "records": sizes.get(i, 0), "segments": segments[i]}
                                                  for i in individuals], "exports": exports}
        if not (left and right):
            impact["link"] = impact["separate"] = None
            return impact
        if len(individuals) == 2:
            first, second = individuals
            moved = sorted(set(segments[first]) ^ set(segments[second]))
            impact["link"] = (f"merges {first} ({sizes.get(first, 0)} records) and {second} "
                              f"({sizes.get(second, 0)} records) into one unified individual of "
                              f"{sizes.get(first, 0) + sizes.get(second, 0)} records; segment memberships that "
                              f"change: {', '.join(moved) or 'none'}; export rows recomputed: "
                              f"{sum(exports.values())}")
            impact["separate"] = ("the records are already apart: nothing changes now, and later builds keep them "
                                  "apart")
        else:
            (only,) = individuals
            impact["link"] = "the records are already one unified individual: nothing changes now"
            impact["separate"] = (f"splits {only} ({sizes.get(only, 0)} records): the graph cuts the weakest edges "
                                  f"between the two records; its segments ({', '.join(segments[only]) or 'none'}) "
                                  f"and {sum(exports.values())} export rows are recomputed for both sides")
        return impact

    # ------------------------------------------------------------ deciding

    def decide(self, review_item_id: str, choice: str, reason: str, now: dt.datetime | None = None,
               pair: tuple[str, str] | None = None) -> Decision:
        """Validate a decision on a queue item (or on `pair`, a pair the reviewer opened, whose ID is
        `pair_item_id`) and write it to the desk's store; a clear DecisionError writes nothing."""
        if not self.reviewer:
            raise DecisionError("no reviewer configured: start the desk with --reviewer NAME (or set CDP_REVIEWER); "
                                "every decision records who made it", 403)
        if choice not in ACTIONS:
            raise DecisionError(f"unknown decision {choice!r}: choose one of {', '.join(ACTIONS)} (or skip)")
        reason = _clean_reason(reason)
        if not reason:
            raise DecisionError("a reason is required: say why, for whoever reads the decision later")
        if len(reason) > MAX_REASON_LENGTH:
            raise DecisionError(f"the reason is {len(reason)} characters long: keep it within {MAX_REASON_LENGTH}")
        with self._db() as db:
            if review_item_id.startswith("pair-") and pair is not None:
                rows = [pair_key(*pair)] if pair_item_id(*pair) == review_item_id else []
            else:
                rows = db.con.execute(
                    f"select identity_record_id_l, identity_record_id_r from {db.table('identity_review_queue')} "
                    "where review_item_id = ?", [review_item_id]).fetchall()
            if not rows:
                raise DecisionError(f"no review item {review_item_id!r} in the queue (it may have been decided and "
                                    "rebuilt away): reload the queue", 404)
            left_id, right_id = rows[0]
            if not (left_id and right_id):
                raise DecisionError("this item names one record, not a pair: a link or keep-apart decision needs two "
                                    "records (skip it, or decide the pairs it concerns)")
            records = db.con.execute(
                f"select identity_record_id, source_system, source_record_id "
                f"from {db.table('int_identity_records__linked')} where identity_record_id in (?, ?)",
                [left_id, right_id]).fetchall()
        found = {row[0]: row for row in records}
        missing = [record for record in (left_id, right_id) if record not in found]
        if missing:
            raise DecisionError(f"record(s) {', '.join(missing)} no longer exist in the database: nothing written",
                                409)
        left, right = found[left_id], found[right_id]
        decided_at = (now or dt.datetime.now(dt.UTC)).strftime(TIMESTAMP_FORMAT)
        decision = Decision(f"review-{review_item_id.removeprefix('pair-')[:16]}", ACTIONS[choice], left[1], left[2],
                            right[1], right[2], self.reviewer, reason, decided_at)
        self.store.append(decision)
        return decision

    # ------------------------------------------------------------ rebuilding

    def rebuild_command(self) -> list[str]:
        return [self.dbt, "build", "--select", REBUILD_SELECTION, "--project-dir", str(self.project_dir)]

    def rebuild(self, records: Sequence[str] = ()) -> RebuildResult:
        """`dbt build --select identity_overrides+` with the project's environment, then the unified IDs of
        `records` after it. Only over the DuckDB database the desk reads: decisions written to a warehouse's table
        are read by that warehouse's next build, which the desk does not run."""
        if not isinstance(self.store, SeedFile):
            raise DecisionError(f"decisions go to {self.store.location}, which the warehouse's next build reads "
                                "(dbt build --select identity_overrides+ there); the desk rebuilds only its DuckDB "
                                "database", 409)
        if not self._rebuild_lock.acquire(blocking=False):
            raise DecisionError("a rebuild is already running: wait for it to finish", 409)
        try:
            env = {**os.environ, "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(self.project_dir)),
                   **self.env, "CDP_DUCKDB_PATH": str(self.database)}
            done = subprocess.run(self.rebuild_command(), cwd=self.project_dir, env=env, capture_output=True,
                                  text=True, check=False)
            lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in (done.stdout + done.stderr).splitlines()]
            summary = next((line.split("  ", 1)[-1].strip() for line in reversed(lines) if "Done. PASS=" in line),
                           "dbt did not finish: see its output")
            result = RebuildResult(self.rebuild_command(), done.returncode, summary, "\n".join(lines[-25:]),
                                   self.unified_ids(records) if records else [])
            self.last_rebuild = result
            return result
        finally:
            self._rebuild_lock.release()

    def unified_ids(self, records: Sequence[str]) -> list[dict[str, Any]]:
        with self._db() as db:
            return self._dicts(db.con, f"""
                select identity_record_id, source_system, source_record_id, unified_individual_id
                from {db.table('int_identity_records__linked')}
                where identity_record_id in (select unnest(?)) order by identity_record_id""", [list(records)])

    def decided_records(self) -> list[str]:
        """The records the decisions name (what a rebuild shows the unified IDs of)."""
        return sorted({record for row in self.store.rows() for record in record_pair(row)})
