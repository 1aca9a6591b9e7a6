"""Behaviour the predictive insights can learn from: who keeps buying, who lapses, who upgrades their membership.

Every person has one latent trait, their *commitment* (a standard normal draw), and two behavioural fates drawn
from it. All of it comes from a random stream of its own (`ctx.rng("people", BEHAVIOUR_STREAM)`), and it changes
only when things happen (order times, club tiers), never who someone is or how many records, orders or events they
have: the identity records and every other draw of the generator stay byte-identical. Nothing downstream sees the
trait; the trained insight models see only ordinary behavioural aggregates (counts, recency, tiers), and learn
what those say about it.

- **Lapse (churn)**: a person lapses with probability `sigmoid(-1.0 - 1.2 * commitment)`, on a day uniform over the
  last `LAPSE_DAYS` days; they place no store order after it.
- **Order timing**: the commerce module draws each account's order times uniformly over the account's life
  `[low, high)`; `bend_times` then moves an order at position `u` of that life to `low + (end - low) * u **
  exp(-ORDER_BEND * commitment)`, where `end` is the lapse day for a person who lapsed during the account's life
  and `high` otherwise: committed people's orders crowd towards the present, uncommitted people's towards the past,
  and a lapsed person's orders all fall before the lapse, the same orders in the same order. A member who upgrades
  (below) buys ahead of it: their orders fall before the upgrade, crowding towards it (`u ** UPGRADE_ORDER_BEND`).
- **Upgrade**: an active club member below the top tier moves up one tier with probability `sigmoid(-0.8 + 2.0 *
  commitment)`, unless they lapsed before the day: in the last `UPGRADE_DAYS` days (not before their current tier
  began), 7 to 75 days after their latest certification of that span (`UPGRADE_AFTER_CERTIFICATION`; a new
  qualification earns the next tier), or on a day uniform over the span when they have none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cdp.generator.context import NULL_TS, US_PER_DAY, Context

BEHAVIOUR_STREAM = 1
"""Sub-stream of the "people" random stream that the behavioural traits are drawn from (stream 0 is the people's)."""
LAPSE_DAYS = 540
ORDER_BEND = 0.7
UPGRADE_ORDER_BEND = 0.25
"""How strongly an upgrading member's orders crowd towards the upgrade (the exponent of their bend)."""
UPGRADE_DAYS = 365
UPGRADE_AFTER_CERTIFICATION = (7, 75)
"""Days from a certification to the upgrade it brings (the range; where in it from the person's draw)."""


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class Behaviour:
    """Per person: commitment, lapse time (NULL_TS when the person does not lapse), upgrade chance and timing."""

    commitment: np.ndarray
    lapse_us: np.ndarray
    upgrade_draw: np.ndarray
    upgrade_position: np.ndarray

    def upgrades(self, person: np.ndarray) -> np.ndarray:
        """Whether each person (array of population indices) upgrades, before their lapse or not."""
        return self.upgrade_draw[person] < _sigmoid(-0.8 + 2.0 * self.commitment[person])


def behaviour(ctx: Context, people: int) -> Behaviour:
    """The behavioural traits of a population of ``people`` (the same for the same seed, whoever asks)."""
    rng = ctx.rng("people", BEHAVIOUR_STREAM)
    commitment = rng.standard_normal(people)
    lapses = rng.random(people) < _sigmoid(-1.0 - 1.2 * commitment)
    lapse_age = (rng.random(people) * LAPSE_DAYS * US_PER_DAY).astype(np.int64)
    lapse_us = np.where(lapses, ctx.as_of_us - lapse_age, NULL_TS)
    return Behaviour(commitment, lapse_us, rng.random(people), rng.random(people))


def bend_times(
    traits: Behaviour,
    person: np.ndarray,
    times: np.ndarray,
    low: np.ndarray,
    high: int | np.ndarray,
    upgraded_at: dict[int, int] | None = None,
) -> np.ndarray:
    """Move time stamps drawn uniformly in ``[low, high)`` by each ``person``'s commitment, lapse and upgrade (see
    the module docstring); a monotone map per person and interval, so order within one account is kept."""
    times = np.asarray(times, dtype=np.int64)
    low = np.asarray(low, dtype=np.int64)
    high = np.broadcast_to(np.asarray(high, dtype=np.int64), times.shape)
    span = high - low
    ok = span > 0
    u = np.clip((times - low) / np.where(ok, span, 1), 0.0, 1.0)
    lapse = traits.lapse_us[person]
    upgrade = np.array([(upgraded_at or {}).get(who, NULL_TS) for who in person.tolist()], dtype=np.int64)
    upgrading = (upgrade != NULL_TS) & (upgrade > low) & (upgrade < high)
    lapsing = (lapse != NULL_TS) & (lapse > low) & (lapse < high)
    end = np.where(upgrading, upgrade, np.where(lapsing, lapse, high))
    exponent = np.where(upgrading, UPGRADE_ORDER_BEND, np.exp(-ORDER_BEND * traits.commitment[person]))
    bent = low + ((end - low) * u**exponent).astype(np.int64)
    return np.where(ok, np.minimum(bent, high - 1), times)


def upgrade_days(
    traits: Behaviour,
    person: np.ndarray,
    eligible: np.ndarray,
    tier_since_day: np.ndarray,
    as_of_day: int,
    certified_days: dict[int, np.ndarray],
) -> np.ndarray:
    """The day each member row upgrades one tier (-1: no upgrade): eligible rows of upgrading people, before any
    lapse, in the last UPGRADE_DAYS days after their current tier began: UPGRADE_AFTER_CERTIFICATION days after the
    latest certification issued in that span that leaves room for it, else on a day uniform over the span."""
    start = np.maximum(tier_since_day + 1, as_of_day - UPGRADE_DAYS)
    day = start + (traits.upgrade_position[person] * np.maximum(as_of_day - 1 - start, 0)).astype(np.int64)
    delay = UPGRADE_AFTER_CERTIFICATION[0] + (
        traits.upgrade_position[person] * (UPGRADE_AFTER_CERTIFICATION[1] - UPGRADE_AFTER_CERTIFICATION[0])
    ).astype(np.int64)
    for row, who in enumerate(person.tolist()):
        days = certified_days.get(who)
        if days is None:
            continue
        fitting = days[(days >= start[row]) & (days + delay[row] < as_of_day - 1)]
        if len(fitting):
            day[row] = fitting[-1] + delay[row]
    lapse = traits.lapse_us[person]
    lapsed_before = (lapse != NULL_TS) & (lapse // US_PER_DAY <= day)
    upgrade = eligible & traits.upgrades(person) & (start < as_of_day - 1) & ~lapsed_before
    return np.where(upgrade, day, -1)
