"""Small vectorised helpers shared by the system modules: time stamps, duplicates, categorical picks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from cdp.generator.context import US_PER_DAY, Context

HOUR_US = 3_600_000_000
CURRENT_FEED_DAYS = 730
"""Current feeds (everything but the data lake) cover about the last two years."""

HISTORY_START = dt.date(2018, 1, 1)
"""Start of the oldest feed (the data lake's legacy customer master): what the world remembers from."""

CADENCE_US: dict[str, int] = {
    "salesforce": 6 * HOUR_US,
    "commerce": 6 * HOUR_US,
    "consent": 6 * HOUR_US,
    "travel": 6 * HOUR_US,
    "marketing_cloud": 24 * HOUR_US,
    "lms": 24 * HOUR_US,
    "club": 24 * HOUR_US,
    "content": 24 * HOUR_US,
    "data_lake": 24 * HOUR_US,
    "web": HOUR_US,
    "mobile_app": HOUR_US,
}
"""How far behind ``as_of`` the last load of each feed may be (its freshness cadence)."""


def uniform_ts(rng: np.random.Generator, low: np.ndarray | int, high: np.ndarray | int, n: int) -> np.ndarray:
    """Uniform time stamps (microseconds) in ``[low, high)``, element-wise."""
    low = np.asarray(low, dtype=np.int64)
    high = np.maximum(np.asarray(high, dtype=np.int64), low + 1)
    return low + (rng.random(n) * (high - low)).astype(np.int64)


def recent_created(
    ctx: Context, rng: np.random.Generator, n: int, days: int = CURRENT_FEED_DAYS
) -> np.ndarray:
    """Creation time stamps over the last ``days`` days, slightly skewed towards recent ones."""
    age = (rng.beta(1.0, 1.3, n) * days * US_PER_DAY).astype(np.int64)
    return ctx.as_of_us - US_PER_DAY // 24 - age


def updated_after(ctx: Context, rng: np.random.Generator, created: np.ndarray) -> np.ndarray:
    """Last-update time stamps between creation and a little before ``as_of``."""
    end = ctx.as_of_us - HOUR_US
    return np.minimum(uniform_ts(rng, created, end, len(created)), end)


def loaded_at(ctx: Context, rng: np.random.Generator, system: str, updated: np.ndarray) -> np.ndarray:
    """``_loaded_at`` of snapshot-style tables: within the feed cadence before ``as_of``, after the update."""
    cadence = CADENCE_US[system]
    batch = ctx.as_of_us - 1 - (rng.random(len(updated)) * cadence).astype(np.int64)
    lag = (rng.random(len(updated)) * 15 * 60_000_000).astype(np.int64)
    return np.minimum(np.maximum(batch, updated + lag), ctx.as_of_us - 1)


def event_loaded_at(ctx: Context, rng: np.random.Generator, system: str, event_at: np.ndarray) -> np.ndarray:
    """``_loaded_at`` of event tables: the event time plus the feed's delivery lag."""
    cadence = CADENCE_US[system]
    lag = (rng.random(len(event_at)) * cadence).astype(np.int64) + 1_000_000
    return np.minimum(event_at + lag, ctx.as_of_us - 1)


def with_duplicates(
    rng: np.random.Generator, people: np.ndarray, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Records for ``people``: one each, plus a second record for a share ``rate`` of them.

    Returns the person index of every record and a flag marking the second (duplicate) records.
    """
    dup = people[rng.random(len(people)) < rate]
    person = np.concatenate([people, dup])
    flag = np.concatenate([np.zeros(len(people), dtype=bool), np.ones(len(dup), dtype=bool)])
    order = np.argsort(rng.random(len(person)), kind="stable")
    return person[order], flag[order]


def pick(
    rng: np.random.Generator, values: Sequence[object], n: int, p: Sequence[float] | None = None
) -> np.ndarray:
    """``n`` picks from ``values`` as an object array."""
    arr = np.array(values, dtype=object)
    if p is not None:
        weights = np.asarray(p, dtype=np.float64)
        return arr[rng.choice(len(arr), size=n, p=weights / weights.sum())]
    return arr[rng.integers(0, len(arr), n)]


def pick_arrow(
    rng: np.random.Generator, values: Sequence[str], n: int, p: Sequence[float] | None = None
) -> pa.Array:
    """``n`` picks from ``values`` as an Arrow string array (fast for event tables)."""
    if p is not None:
        weights = np.asarray(p, dtype=np.float64)
        idx = rng.choice(len(values), size=n, p=weights / weights.sum())
    else:
        idx = rng.integers(0, len(values), n)
    return pa.array(list(values), type=pa.string()).take(pa.array(idx))


def first_per_person(person: np.ndarray, values: np.ndarray, n_people: int) -> np.ndarray:
    """For every person, the value of their first record (None when they have none)."""
    out = np.full(n_people, None, dtype=object)
    order = np.arange(len(person))[::-1]
    out[person[order]] = values[order]
    return out


def days(ts_us: np.ndarray) -> np.ndarray:
    """Micro-second time stamps to integer days."""
    return np.asarray(ts_us, dtype=np.int64) // US_PER_DAY


def log_duplicates(ctx: Context, system: str, ids: np.ndarray, person: np.ndarray, dup: np.ndarray) -> None:
    """Log the second records of people who got two records in one system (detail: the other record's ID)."""
    original = np.full(int(person.max()) + 1 if len(person) else 0, None, dtype=object)
    original[person[~dup]] = ids[~dup]
    ctx.log(system, ids[dup], "duplicate_record", original[person[dup]])
