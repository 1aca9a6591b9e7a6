"""Incremental scoring: which records the probabilistic matcher must score again, and what becomes of the
pairs scored before.

`int_identity_match_inputs__tracked` stamps every matching input with the time it last changed (new, edited or
gone). The probabilistic edges model keeps, on each pair it stores, the watermark of that clock it had reached
and the version of the trained model that scored it. On the next run, only records changed after the stored
watermark are scored: among themselves and against all other current records (Splink's `predict_within` and
`predict_between`, with term frequencies and the prior taken from all records, so a new pair scores as a full
run would score it). Pairs touching a changed record are scored again or retired. A new trained model, or no
stored pairs at all, means scoring everything.

Pairs between two unchanged records keep the score they got; as records are added, a full run would give them
slightly different term frequencies (a value's share of all records), so an incremental build can differ from a
full build on the same data by those drifted scores. The drift is bounded: when the records new, changed or gone
since the oldest stored score reach `rescore_all_share` of the current records, the run scores every record again,
and its pairs are those of a full run. A share of 0 rescores everything on every run (`make realign`).
`dbt build --full-refresh` rescores everything too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

TRACKED_SCHEMA = pa.schema([
    ("identity_record_id", pa.string()), ("is_current", pa.bool_()), ("input_changed_at", pa.timestamp("us")),
])
STORED_PAIR_SCHEMA = pa.schema([
    ("identity_record_id_l", pa.string()), ("identity_record_id_r", pa.string()),
    ("match_weight", pa.float64()), ("match_probability", pa.float64()), ("explanation", pa.string()),
    ("is_partial_name", pa.bool_()), ("has_exact_identifier", pa.bool_()),
    ("model_version", pa.string()), ("input_watermark", pa.timestamp("us")),
])
OUTPUT_SCHEMA = pa.schema([*STORED_PAIR_SCHEMA, ("is_current", pa.bool_())])


def model_version(model_json: bytes) -> str:
    """A short, stable fingerprint of the trained model's JSON."""
    return hashlib.sha256(model_json).hexdigest()[:16]


PAIR_KEYS = ["identity_record_id_l", "identity_record_id_r"]


@dataclass
class RescoringPlan:
    changed: set[str] | None  # None: score every record
    watermark: dt.datetime | None  # the tracker's clock this run reaches
    reason: str
    retired: pa.Table | None = None  # stored pairs (STORED_PAIR_SCHEMA) to score again or retire

    @property
    def retired_pairs(self) -> set[tuple[str, str]]:
        if self.retired is None:
            return set()
        return set(zip(*(self.retired.column(key).to_pylist() for key in PAIR_KEYS), strict=True))


def _pairs_touching(pairs: pa.Table, records: set[str]) -> pa.Table:
    """The pairs with either record in `records` (Arrow compute: a million stored pairs take well under a second)."""
    value_set = pa.array(sorted(records), pa.string())
    return pairs.filter(pc.or_(pc.is_in(pairs.column(PAIR_KEYS[0]), value_set=value_set),
                               pc.is_in(pairs.column(PAIR_KEYS[1]), value_set=value_set)))


def plan_rescoring(tracked: pa.Table, stored: pa.Table | None, version: str,
                   rescore_all_share: float = 1.0) -> RescoringPlan:
    """What this run must score, given the tracker and the pairs stored by earlier runs (None on a first run
    or a full refresh). `rescore_all_share`: score every record when the records changed since the oldest stored
    score (the drift its term frequencies have not seen) reach this share of the current records; 0 always."""
    changed_at = tracked.column("input_changed_at")
    watermark = pc.max(changed_at).as_py() if tracked.num_rows else None
    if stored is None or stored.num_rows == 0:
        return RescoringPlan(None, watermark, "no stored pairs: every record is scored")
    versions = set(pc.unique(stored.column("model_version")).to_pylist())
    if versions != {version}:
        return RescoringPlan(None, watermark, "the trained model changed: every record is scored", stored)
    drifted = _changed_since(tracked, pc.min(stored.column("input_watermark")).as_py())
    current = max(1, pc.sum(tracked.column("is_current").cast(pa.int64())).as_py() or 0)
    if rescore_all_share <= 0 or len(drifted) >= rescore_all_share * current:
        return RescoringPlan(None, watermark,
                             f"{len(drifted):,} of {current:,} records new, changed or gone since the oldest stored "
                             f"score (rescore_all_share {rescore_all_share:g}): every record is scored", stored)
    changed = _changed_since(tracked, pc.max(stored.column("input_watermark")).as_py())
    return RescoringPlan(changed, watermark, f"{len(changed):,} records new, changed or gone",
                         _pairs_touching(stored, changed))


def _changed_since(tracked: pa.Table, watermark: dt.datetime | None) -> set[str]:
    """The records whose input changed (arrived, was edited or left) after the watermark."""
    if watermark is None:
        return set()
    changed_at = tracked.column("input_changed_at")
    since = pc.greater(changed_at, pa.scalar(watermark, changed_at.type))
    return set(tracked.filter(since).column("identity_record_id").to_pylist())


def assemble(scored: pa.Table, plan: RescoringPlan, version: str) -> pa.Table:
    """The rows this run writes (merged into the stored pairs by pair): every pair it scored, current; and the
    retired pairs it did not score again, no longer current."""
    count = scored.num_rows
    rows = scored.append_column("model_version", pa.array([version] * count, pa.string()))
    rows = rows.append_column("input_watermark", pa.array([plan.watermark] * count, pa.timestamp("us")))
    rows = rows.append_column("is_current", pa.array([True] * count, pa.bool_()))
    rows = rows.select(OUTPUT_SCHEMA.names).cast(OUTPUT_SCHEMA)
    if plan.retired is None or plan.retired.num_rows == 0:
        return rows
    gone = plan.retired.select(STORED_PAIR_SCHEMA.names).cast(STORED_PAIR_SCHEMA)
    gone = gone.join(scored.select(PAIR_KEYS), keys=PAIR_KEYS, join_type="left anti")
    gone = gone.select(STORED_PAIR_SCHEMA.names)
    gone = gone.append_column("is_current", pa.array([False] * gone.num_rows, pa.bool_()))
    return pa.concat_tables([rows, gone.cast(OUTPUT_SCHEMA)])
