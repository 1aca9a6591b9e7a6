"""The generator's behaviour (cdp/generator/behaviour.py): who lapses and upgrades, when orders happen; drawn from a
stream of its own, so that it changes when things happen and never who anyone is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from cdp.generator import behaviour as behaviour_module
from cdp.generator import generate
from cdp.generator.behaviour import Behaviour, bend_times, upgrade_days
from cdp.generator.context import NULL_TS, US_PER_DAY, Context

AS_OF = dt.date(2026, 11, 1)
PEOPLE = 400
SEED = 11
BEHAVIOURAL = {"club/member.parquet": {"tier"}, "club/tier_history.parquet": None,
               "commerce/orders.parquet": None, "commerce/payment.parquet": None,
               "commerce/order_line.parquet": None}
"""What behaviour may change: the member's current tier, tier periods, orders and what hangs off them."""


def _traits(commitment: list[float], lapse_us: list[int], upgrade_draw: list[float] | None = None) -> Behaviour:
    n = len(commitment)
    return Behaviour(np.asarray(commitment), np.asarray(lapse_us, dtype=np.int64),
                     np.asarray(upgrade_draw if upgrade_draw is not None else [0.5] * n), np.full(n, 0.5))


def test_bend_times_keeps_order_and_bounds_and_stops_at_a_lapse() -> None:
    low, high = 0, 1_000 * US_PER_DAY
    times = np.sort(np.random.default_rng(1).integers(low, high, 50))
    person = np.zeros(50, dtype=np.int64)
    committed = bend_times(_traits([1.5], [NULL_TS]), person, times, np.full(50, low), high)
    casual = bend_times(_traits([-1.5], [NULL_TS]), person, times, np.full(50, low), high)
    lapse = 400 * US_PER_DAY
    lapsed = bend_times(_traits([0.0], [lapse]), person, times, np.full(50, low), high)
    for bent in (committed, casual, lapsed):
        assert (np.diff(bent) >= 0).all() and bent.min() >= low and bent.max() < high
    assert np.median(committed) > np.median(times) > np.median(casual)
    assert lapsed.max() <= lapse
    upgraded = bend_times(_traits([0.0], [NULL_TS]), person, times, np.full(50, low), high, {0: 600 * US_PER_DAY})
    assert upgraded.max() <= 600 * US_PER_DAY and np.median(upgraded) > 0.75 * 600 * US_PER_DAY
    neutral = bend_times(_traits([0.0], [NULL_TS]), person, times, np.full(50, low), high)
    assert np.abs(neutral - times).max() <= 1


def test_upgrades_follow_a_certification_and_never_a_lapse() -> None:
    as_of_day = 20_000
    traits = _traits([0.0, 0.0, 0.0, 0.0], [NULL_TS, NULL_TS, (as_of_day - 300) * US_PER_DAY, NULL_TS],
                     upgrade_draw=[0.0, 0.0, 0.0, 1.0])
    person = np.arange(4)
    days = upgrade_days(traits, person, np.array([True, True, True, True]), np.full(4, as_of_day - 2_000),
                        as_of_day, {1: np.array([as_of_day - 200])})
    lo, hi = behaviour_module.UPGRADE_AFTER_CERTIFICATION
    assert as_of_day - behaviour_module.UPGRADE_DAYS <= days[0] < as_of_day
    assert as_of_day - 200 + lo <= days[1] <= as_of_day - 200 + hi
    assert days[2] == -1  # lapsed before the day it would have come
    assert days[3] == -1  # not drawn to upgrade


def _neutral(ctx: Context, people: int) -> Behaviour:
    return Behaviour(np.zeros(people), np.full(people, NULL_TS, dtype=np.int64), np.ones(people), np.zeros(people))


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    behaving = tmp_path_factory.mktemp("behaving")
    generate(behaving, PEOPLE, SEED, AS_OF, progress=False)
    neutral = tmp_path_factory.mktemp("neutral")
    with pytest.MonkeyPatch.context() as patch:
        for module in ("cdp.generator.systems.club", "cdp.generator.systems.commerce"):
            patch.setattr(f"{module}.behaviour", _neutral)
        generate(neutral, PEOPLE, SEED, AS_OF, progress=False)
    return behaving, neutral


def test_behaviour_changes_only_behavioural_columns(worlds: tuple[Path, Path]) -> None:
    behaving, neutral = worlds
    files = sorted(path.relative_to(behaving) for path in behaving.rglob("*.parquet"))
    assert len(files) > 25
    changed = set()
    for relative in files:
        table, other = pq.read_table(behaving / relative), pq.read_table(neutral / relative)
        key = str(relative).removeprefix("raw/")
        if table.equals(other):
            continue
        changed.add(key)
        assert key in BEHAVIOURAL, f"behaviour changed {relative}, which it must not touch"
        allowed = BEHAVIOURAL[key]
        if allowed is not None:
            assert table.num_rows == other.num_rows
            differing = {name for name in table.column_names if not table.column(name).equals(other.column(name))}
            assert differing <= allowed, f"{relative}: {differing - allowed} changed"
    assert {"club/tier_history.parquet", "commerce/orders.parquet"} <= changed


def test_upgraded_members_hold_the_higher_tier(worlds: tuple[Path, Path]) -> None:
    behaving, _ = worlds
    history = pq.read_table(behaving / "raw/club/tier_history.parquet").to_pylist()
    members = {row["member_id"]: row for row in pq.read_table(behaving / "raw/club/member.parquet").to_pylist()}
    current = {row["member_id"].strip(): row for row in history if row["valid_to"] is None}
    recent = [row for row in current.values() if row["change_reason"] == "upgrade"
              and row["valid_from"] >= AS_OF - dt.timedelta(days=behaviour_module.UPGRADE_DAYS)]
    assert len(recent) >= 5
    for row in recent:
        member = next(m for key, m in members.items() if key.strip() == row["member_id"].strip())
        assert member["tier"] == row["tier"]
