"""Travel booking engine: one person-bearing record per booking, keyed by a PNR-style reference."""

from __future__ import annotations

import numpy as np

from cdp.generator import content, locales
from cdp.generator.common import loaded_at, recent_created, updated_after
from cdp.generator.context import US_PER_DAY, Context
from cdp.generator.formats import pnr_codes, to_objects
from cdp.generator.population import DISCIPLINES, Population, own_cards
from cdp.generator.records import Profile, id_whitespace, person_fields

PROFILE = Profile("travel", ("first", "last", "email", "phone", "dob"), phone_variant=2)


def generate_travel(ctx: Context, pop: Population, member_of: np.ndarray) -> None:
    """Write ``travel.booking``: every traveller books one or more trips."""
    rng = ctx.rng("travel")
    travellers = pop.in_system("travel")
    per = 1 + rng.poisson(0.6, len(travellers))
    person = np.repeat(travellers, per)
    person = person[np.argsort(rng.random(len(person)), kind="stable")]
    n = len(person)
    ids = to_objects(pnr_codes(rng.choice(30_000_000, n, replace=False), int(rng.integers(0, 2**30))))
    booked = recent_created(ctx, rng, n)
    updated = updated_after(ctx, rng, booked)
    fields = person_fields(ctx, pop, PROFILE, ids, person, updated, rng)
    dests = content.destination_codes()
    by_disc = {d: [code for code, dd in dests if dd == d] for d in DISCIPLINES}
    fav = rng.random(n) < 0.7
    disc = np.where(fav, pop.discipline[person], np.array(DISCIPLINES, dtype=object)[rng.integers(0, 6, n)])
    dest = np.array(
        [by_disc[d][int(u * len(by_disc[d]))] for d, u in zip(disc, rng.random(n), strict=True)], dtype=object
    )
    departure = booked // US_PER_DAY + rng.integers(14, 240, n)
    nights = rng.integers(4, 15, n)
    as_of_day = ctx.as_of_us // US_PER_DAY
    status = np.where(departure + nights < as_of_day, "completed", "confirmed").astype(object)
    status[rng.random(n) < 0.07] = "cancelled"
    travellers_n = 1 + rng.poisson(0.9, n)
    isolated = pop.isolated[person]
    member = np.where((rng.random(n) < 0.5) & ~isolated, member_of[person], None)
    card = np.where(rng.random(n) < 0.8, pop.card_hash[person], pop.card_hash2[person])
    card = np.where(card == None, pop.card_hash[person], card)  # noqa: E711
    card[isolated] = own_cards(rng, int(isolated.sum()))
    card[rng.random(n) < 0.05] = None
    ctx.write(
        "travel.booking",
        {
            "booking_reference": id_whitespace(ctx, "travel", ids, rng),
            "lead_first_name": fields["first"],
            "lead_last_name": fields["last"],
            "email": fields["email"],
            "phone": fields["phone"],
            "date_of_birth": fields["dob"],
            "member_id": member,
            "payment_card_hash": card,
            "destination_code": dest,
            "departure_date": departure,
            "return_date": departure + nights,
            "travellers": travellers_n.astype(np.int64),
            "total_amount": np.round(travellers_n * nights * rng.uniform(120, 420, n), 2),
            "currency": np.array([locales.CURRENCY[c] for c in pop.country[person]], dtype=object),
            "status": status,
            "booked_at": booked,
            "updated_at": updated,
            "_loaded_at": loaded_at(ctx, rng, "travel", updated),
        },
    )
    ctx.add_records("travel", ids, person, fields["email_clean"], fields["email"])
    ctx.say(f"travel: {n:,} bookings")
