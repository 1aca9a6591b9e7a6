"""Run context shared by every system module: random streams, time frame, writer, truth and noise logs."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cdp.generator import noise, schema

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
NULL_TS = np.iinfo(np.int64).min
"""Sentinel for a null timestamp or date in the integer arrays the generator builds."""

SYSTEM_SALT = {
    "people": 1,
    "content": 2,
    "salesforce": 3,
    "marketing_cloud": 4,
    "lms": 5,
    "commerce": 6,
    "club": 7,
    "mobile_app": 8,
    "web": 9,
    "travel": 10,
    "data_lake": 11,
    "consent": 12,
    "writer": 13,
}


def epoch_us(day: dt.date) -> int:
    """Microseconds since 1970-01-01 (UTC) at midnight of ``day``."""
    return (day - dt.date(1970, 1, 1)).days * US_PER_DAY


@dataclass
class Records:
    """Person-bearing records of one system: trimmed IDs, the person behind each, the clean email used."""

    ids: np.ndarray
    person: np.ndarray
    email: np.ndarray


@dataclass
class Context:
    """Everything a system module needs besides the population."""

    out_dir: Path
    seed: int
    as_of: dt.date
    progress: bool
    rates: dict[str, float] | None = None
    as_of_us: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    written_emails: set[str] = field(default_factory=set)
    upgraded_at: dict[int, int] = field(default_factory=dict)
    """Person -> time stamp of their club upgrade (cdp/generator/behaviour.py), for the systems written after it."""
    records: dict[str, list[Records]] = field(default_factory=dict)
    _noise: list[tuple[str, np.ndarray, str, np.ndarray]] = field(default_factory=list)
    _started: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        self.as_of_us = epoch_us(self.as_of)

    def rng(self, system: str, stream: int = 0) -> np.random.Generator:
        """An independent random stream per system (and sub-stream), so systems do not disturb each other."""
        return np.random.default_rng([self.seed, SYSTEM_SALT[system], stream])

    def rate(self, kind: str) -> float:
        """Rate of a noise kind (with the caller's overrides)."""
        return noise.rate(kind, self.rates)

    def log(
        self, system: str, record_ids: Sequence[str] | np.ndarray, kind: str, detail: object = ""
    ) -> None:
        """Record that noise ``kind`` was applied to the given records of ``system``."""
        ids = np.asarray(record_ids, dtype=object)
        if len(ids) == 0:
            return
        if kind not in noise.RATES:
            raise KeyError(f"undocumented noise kind {kind!r}")
        details = np.asarray(detail, dtype=object)
        if details.ndim == 0:
            details = np.full(len(ids), str(detail), dtype=object)
        self._noise.append((system, ids, kind, details))

    def rename_logged(self, system: str, mapping: dict[str, str]) -> None:
        """Replace provisional record IDs in already logged noise of ``system``."""
        for k, (logged_system, ids, kind, details) in enumerate(self._noise):
            if logged_system == system and len(ids) and ids[0] in mapping:
                renamed = np.array([mapping[x] for x in ids], dtype=object)
                details = np.array([mapping.get(d, d) for d in details], dtype=object)
                self._noise[k] = (system, renamed, kind, details)

    def add_records(
        self,
        system: str,
        ids: np.ndarray,
        person: np.ndarray,
        email: np.ndarray,
        written: np.ndarray | None = None,
    ) -> None:
        """Register person-bearing records (truth rows); ``written``: the emails as exported."""
        self.records.setdefault(system, []).append(
            Records(
                np.asarray(ids, dtype=object),
                np.asarray(person, dtype=np.int64),
                np.asarray(email, dtype=object),
            )
        )
        if written is not None:
            self.written_emails.update(normalise_email(e) for e in written.tolist() if e is not None)

    def system_records(self, system: str) -> Records:
        """All person-bearing records of a system, concatenated."""
        parts = self.records.get(system, [])
        if not parts:
            return Records(
                np.array([], dtype=object), np.array([], dtype=np.int64), np.array([], dtype=object)
            )
        return Records(
            np.concatenate([p.ids for p in parts]),
            np.concatenate([p.person for p in parts]),
            np.concatenate([p.email for p in parts]),
        )

    def say(self, message: str) -> None:
        """Progress line on stderr."""
        if self.progress:
            print(
                f"[cdp generate {time.perf_counter() - self._started:6.1f}s] {message}",
                file=sys.stderr,
                flush=True,
            )

    # ------------------------------------------------------------ writing

    def write(self, table: str, data: dict[str, object]) -> pa.Table:
        """Write one raw table with exactly the contract columns; re-deliver a few rows where promised."""
        arrow = build_table(table, data)
        if table in noise.REDELIVERED_TABLES and arrow.num_rows:
            arrow = self._redeliver(table, arrow)
        system, name = table.split(".")
        path = self.out_dir / "raw" / system / f"{name}.parquet"
        write_parquet(arrow, path)
        self.rows[table] = arrow.num_rows
        return arrow

    def _redeliver(self, table: str, arrow: pa.Table) -> pa.Table:
        rng = self.rng("writer", len(self.rows))
        picked = np.flatnonzero(rng.random(arrow.num_rows) < self.rate("redelivered_row"))
        if len(picked) == 0:
            picked = np.array([0])
        again = arrow.take(pa.array(picked))
        loaded = again.column("_loaded_at").cast(pa.int64()).to_numpy()
        later = loaded + ((self.as_of_us - 1 - loaded) * rng.uniform(0.05, 0.95, len(picked))).astype(
            np.int64
        )
        later = np.maximum(later, loaded + 1)
        again = again.set_column(
            again.schema.get_field_index("_loaded_at"), "_loaded_at", pa.array(later.astype("datetime64[us]"))
        )
        key = again.column(0).to_numpy(zero_copy_only=False)
        self.log(
            table.split(".")[0],
            np.array([str(k).strip() for k in key], dtype=object),
            "redelivered_row",
            table,
        )
        return pa.concat_tables([arrow, again])

    def noise_table(self) -> pa.Table:
        """The noise log as an Arrow table."""
        cols: dict[str, list[np.ndarray]] = {
            "source_system": [],
            "source_record_id": [],
            "noise_kind": [],
            "detail": [],
        }
        for system, ids, kind, details in self._noise:
            cols["source_system"].append(np.full(len(ids), system, dtype=object))
            cols["source_record_id"].append(ids)
            cols["noise_kind"].append(np.full(len(ids), kind, dtype=object))
            cols["detail"].append(details)
        return pa.table(
            {k: pa.array(np.concatenate(v).tolist() if v else [], type=pa.string()) for k, v in cols.items()}
        )


def normalise_email(email: str) -> str:
    """Trimmed, lower-case email: how references to an address are compared."""
    return email.strip().lower()


def _to_arrow(values: object, kind: pa.DataType) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == kind else values.cast(kind)
    arr = np.asarray(values)
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        ints = arr.astype(np.int64)
        mask = ints == NULL_TS
        unit = "datetime64[us]" if pa.types.is_timestamp(kind) else "datetime64[D]"
        return pa.array(np.where(mask, 0, ints).astype(unit), type=kind, mask=mask)
    if arr.dtype == object:
        return pa.array(arr.tolist(), type=kind)
    if arr.dtype.kind == "f":
        return pa.array(arr, type=kind, from_pandas=True)
    return pa.array(arr, type=kind)


def build_table(table: str, data: dict[str, object]) -> pa.Table:
    """Assemble a table in contract order; a missing or extra column is a programming error."""
    target = schema.arrow_schema(table)
    missing = [f.name for f in target if f.name not in data]
    extra = [name for name in data if name not in target.names]
    if missing or extra:
        raise ValueError(f"{table}: missing columns {missing}, unexpected columns {extra}")
    return pa.table([_to_arrow(data[f.name], f.type) for f in target], schema=target)


def write_parquet(arrow: pa.Table, path: Path) -> None:
    """Write a Parquet file deterministically (no pandas metadata, fixed compression)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrow = arrow.replace_schema_metadata(None)
    pq.write_table(arrow, path, compression="zstd", row_group_size=1_000_000)
