"""Membership club: members (member ID, declared certification, dues card) and their tier history."""

from __future__ import annotations

import numpy as np

from cdp.generator.behaviour import BEHAVIOUR_STREAM, behaviour, upgrade_days
from cdp.generator.common import (
    first_per_person,
    loaded_at,
    log_duplicates,
    pick,
    uniform_ts,
    with_duplicates,
)
from cdp.generator.context import US_PER_DAY, Context
from cdp.generator.formats import numbered_ids, to_objects
from cdp.generator.population import Population, own_cards
from cdp.generator.records import Profile, id_whitespace, person_fields

PROFILE = Profile("club", ("first", "last", "email", "phone", "dob", "street", "postal", "city", "country"))
TIERS = ("bronze", "silver", "gold", "platinum")


def generate_club(
    ctx: Context, pop: Population, cert_of: np.ndarray, certified_days: dict[int, np.ndarray] | None = None
) -> np.ndarray:
    """Write the club tables; return, per person, their member ID (or None). ``certified_days``: the days each
    person's certifications were issued (upgrades tend to follow one, cdp/generator/behaviour.py)."""
    rng = ctx.rng("club")
    person, dup = with_duplicates(rng, pop.in_system("club"), ctx.rate("duplicate_record"))
    n = len(person)
    ids = to_objects(numbered_ids("M", rng.choice(8_999_999, n, replace=False) + 1_000_000, 7))
    log_duplicates(ctx, "club", ids, person, dup)
    joined = ctx.as_of_us - (rng.random(n) * 8 * 365 * US_PER_DAY).astype(np.int64) - 10 * US_PER_DAY
    updated = uniform_ts(
        rng, np.maximum(joined, ctx.as_of_us - 365 * US_PER_DAY), ctx.as_of_us - 3_600_000_000, n
    )
    fields = person_fields(ctx, pop, PROFILE, ids, person, updated, rng)
    isolated = pop.isolated[person]
    cert = np.where((rng.random(n) < 0.45) & ~isolated, cert_of[person], None)
    card = np.where(rng.random(n) < 0.85, pop.card_hash[person], None)
    own = isolated & (card != None)  # noqa: E711
    card[own] = own_cards(rng, int(own.sum()))
    tier_idx = rng.choice(4, size=n, p=[0.45, 0.3, 0.18, 0.07])
    status = pick(rng, ("active", "lapsed", "cancelled"), n, p=(0.75, 0.17, 0.08))
    joined_day = joined // US_PER_DAY
    as_of_day = ctx.as_of_us // US_PER_DAY
    years = (as_of_day - joined_day) // 365 + 1
    renewal = np.where(
        status == "active", joined_day + years * 365, joined_day + np.maximum(years - 1, 1) * 365
    )
    member_table = {
        "member_id": id_whitespace(ctx, "club", ids, rng),
        "first_name": fields["first"],
        "last_name": fields["last"],
        "email": fields["email"],
        "phone": fields["phone"],
        "date_of_birth": fields["dob"],
        "street": fields["street"],
        "postal_code": fields["postal"],
        "city": fields["city"],
        "country": fields["country"],
        "certification_id": cert,
        "payment_card_hash": card,
        "tier": np.array(TIERS, dtype=object)[tier_idx],
        "status": status,
        "joined_date": joined_day,
        "renewal_date": renewal,
        "updated_at": updated,
        "_loaded_at": loaded_at(ctx, rng, "club", updated),
    }
    ctx.add_records("club", ids, person, fields["email_clean"], fields["email"])

    changes = np.minimum(rng.poisson(0.9, n), np.maximum(years - 1, 0))
    rows = changes + 1
    member = np.repeat(np.arange(n), rows)
    rank = np.arange(len(member)) - np.repeat(np.cumsum(rows) - rows, rows)
    steps_back = np.repeat(rows, rows) - 1 - rank
    start_tier = np.clip(tier_idx[member] - steps_back, 0, 3)
    tier = np.where(steps_back == 0, tier_idx[member], start_tier)
    period = np.maximum((as_of_day - joined_day[member]) // np.repeat(rows, rows), 1)
    valid_from = joined_day[member] + rank * period
    last = steps_back == 0
    valid_to = np.where(last, np.iinfo(np.int64).min, valid_from + period - 1)
    prev_tier = np.concatenate([[0], tier[:-1]])
    reason = np.where(
        rank == 0,
        "join",
        np.where(tier > prev_tier, "upgrade", np.where(tier < prev_tier, "downgrade", "renewal")),
    )
    period_loaded = loaded_at(ctx, rng, "club", valid_from * US_PER_DAY)

    # Upgrades follow the person's commitment (cdp/generator/behaviour.py): a new period one tier up, the current
    # one closed the day before; its load time from the behaviour's own stream.
    current = np.flatnonzero(last)
    up_day = upgrade_days(
        behaviour(ctx, pop.n), person[member[current]], (status[member[current]] == "active")
        & (tier[current] < len(TIERS) - 1), valid_from[current], int(as_of_day), certified_days or {},
    )
    up = up_day >= 0
    valid_to[current[up]] = up_day[up] - 1
    new_member = member[current[up]]
    member = np.concatenate([member, new_member])
    tier = np.concatenate([tier, tier[current[up]] + 1])
    valid_from = np.concatenate([valid_from, up_day[up]])
    valid_to = np.concatenate([valid_to, np.full(int(up.sum()), np.iinfo(np.int64).min)])
    reason = np.concatenate([reason, np.full(int(up.sum()), "upgrade")])
    up_rng = ctx.rng("club", BEHAVIOUR_STREAM)
    period_loaded = np.concatenate(
        [period_loaded, loaded_at(ctx, up_rng, "club", up_day[up] * US_PER_DAY)]
    )
    tier_idx[new_member] += 1
    for who, day in zip(person[new_member].tolist(), up_day[up].tolist(), strict=True):
        ctx.upgraded_at[who] = min(ctx.upgraded_at.get(who, day * US_PER_DAY), day * US_PER_DAY)
    member_table["tier"] = np.array(TIERS, dtype=object)[tier_idx]
    ctx.write("club.member", member_table)
    ctx.write(
        "club.tier_history",
        {
            "tier_history_id": to_objects(numbered_ids("TH", np.arange(len(member)) + 1, 8)),
            "member_id": ids[member],
            "tier": np.array(TIERS, dtype=object)[tier],
            "valid_from": valid_from,
            "valid_to": valid_to,
            "change_reason": reason.astype(object),
            "_loaded_at": period_loaded,
        },
    )
    ctx.say(f"club: {n:,} members, {len(member):,} tier periods, {int(up.sum()):,} upgrades")
    return first_per_person(person, ids, pop.n)
