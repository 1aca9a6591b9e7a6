"""Data lake: the legacy customer master (2018-2023, older names and emails) and historical events."""

from __future__ import annotations

import datetime as dt

import numpy as np

from cdp.generator.common import HISTORY_START, loaded_at, log_duplicates, pick, uniform_ts, with_duplicates
from cdp.generator.context import Context, epoch_us
from cdp.generator.formats import numbered_ids, to_objects
from cdp.generator.noise import LEGACY_DUPLICATE_RATE
from cdp.generator.population import Population
from cdp.generator.records import Profile, id_whitespace, person_fields

PROFILE = Profile(
    "data_lake",
    ("first", "last", "email", "phone", "dob", "postal", "city", "country"),
    phone_variant=1,
    country_names=True,
)
LEGACY_START = HISTORY_START
LEGACY_END = dt.date(2023, 12, 31)
EVENT_TYPES = ("purchase", "store_visit", "email_open", "email_click", "event_attendance")
EVENT_CHANNEL = {
    "purchase": ("store", "web"),
    "store_visit": ("store",),
    "email_open": ("email",),
    "email_click": ("email",),
    "event_attendance": ("event",),
}


def generate_data_lake(ctx: Context, pop: Population) -> None:
    """Write the legacy customer master and the historical events."""
    rng = ctx.rng("data_lake")
    person, dup = with_duplicates(rng, pop.in_system("data_lake"), LEGACY_DUPLICATE_RATE)
    n = len(person)
    ids = to_objects(numbered_ids("LC", rng.choice(9_000_000, n, replace=False) + 100_000, 8))
    log_duplicates(ctx, "data_lake", ids, person, dup)
    start, end = epoch_us(LEGACY_START), epoch_us(LEGACY_END)
    created = uniform_ts(rng, start, end, n)
    fields = person_fields(ctx, pop, PROFILE, ids, person, created, rng)
    ctx.write(
        "data_lake.legacy_customer",
        {
            "legacy_customer_id": id_whitespace(ctx, "data_lake", ids, rng),
            "email": fields["email"],
            "first_name": fields["first"],
            "last_name": fields["last"],
            "phone": fields["phone"],
            "birth_date": fields["dob"],
            "postal_code": fields["postal"],
            "city": fields["city"],
            "country": fields["country"],
            "legacy_system": pick(
                rng, ("pos", "old_webshop", "events_crm", "newsletter_tool"), n, p=(0.4, 0.35, 0.15, 0.1)
            ),
            "created_at": created,
            "_loaded_at": loaded_at(ctx, rng, "data_lake", np.full(n, ctx.as_of_us - 200 * 86_400_000_000)),
        },
    )
    ctx.add_records("data_lake", ids, person, fields["email_clean"], fields["email"])

    per = rng.poisson(4.0, n)
    owner = np.repeat(np.arange(n), per)
    m = len(owner)
    event_at = uniform_ts(rng, created[owner], end, m)
    kind = pick(rng, EVENT_TYPES, m, p=(0.35, 0.2, 0.25, 0.1, 0.1))
    channel = np.array(
        [EVENT_CHANNEL[k][int(u * len(EVENT_CHANNEL[k]))] for k, u in zip(kind, rng.random(m), strict=True)],
        dtype=object,
    )
    by_email = (rng.random(m) < 0.3) & (fields["email_clean"][owner] != None)  # noqa: E711
    ctx.write(
        "data_lake.historical_event",
        {
            "event_id": to_objects(numbered_ids("HE", np.arange(m) + 1, 10)),
            "legacy_customer_id": np.where(by_email, None, ids[owner]),
            "email": np.where(by_email, fields["email_clean"][owner], None),
            "event_type": kind,
            "channel": channel,
            "amount": np.where(kind == "purchase", np.round(rng.lognormal(4.2, 0.8, m), 2), np.nan),
            "event_at": event_at,
            "_loaded_at": loaded_at(ctx, rng, "data_lake", np.full(m, ctx.as_of_us - 200 * 86_400_000_000)),
        },
    )
    ctx.say(f"data_lake: {n:,} legacy customers, {m:,} historical events")
