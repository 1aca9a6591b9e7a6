"""Marketing Cloud: all-subscribers list and the send / open / click / unsubscribe tracking extracts.

Subscriber keys are mostly GUIDs, often the CRM contact ID, and sometimes (a legacy practice) the email
address itself. A heavy segment receives an email almost every other day, so a frequency cap has people
to catch (27+ emails in 60 days across their subscriber keys).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cdp.generator.common import (
    loaded_at,
    log_duplicates,
    pick,
    uniform_ts,
    with_duplicates,
)
from cdp.generator.context import NULL_TS, US_PER_DAY, Context
from cdp.generator.formats import numbered_ids, to_objects, uuid_ids
from cdp.generator.population import SYSTEMS, Population
from cdp.generator.records import Profile, emails_in_use, id_whitespace, person_fields

RICH_SYSTEMS = ("salesforce", "commerce", "club", "lms", "travel", "data_lake")
"""Systems whose addresses a subscriber's address is taken from (Marketing Cloud is fed by them)."""
PROFILE = Profile("marketing_cloud", ("first", "last", "email"), protect=("email",))
TRACKING_DAYS = 180
JOURNEYS: dict[str, tuple[str, ...]] = {
    "Welcome": ("Welcome 1 - Hello", "Welcome 2 - Disciplines", "Welcome 3 - First course offer"),
    "Newsletter": ("Newsletter - Weekly", "Newsletter - Monthly highlights"),
    "Course reminder": ("Course reminder - Next level", "Course reminder - Certification expiring"),
    "Travel inspiration": ("Travel - Destination of the month", "Travel - Last minute"),
    "Club renewal": ("Club renewal - 30 days", "Club renewal - Last chance"),
    "Abandoned cart": ("Abandoned cart - Reminder", "Abandoned cart - Discount"),
}
JOURNEY_WEIGHTS = {
    "Newsletter": 0.5,
    "Course reminder": 0.12,
    "Travel inspiration": 0.15,
    "Club renewal": 0.06,
    "Abandoned cart": 0.17,
}
HEAVY_SHARE = 0.04
BASE_RATE_PER_DAY = 0.07
HEAVY_RATE_PER_DAY = 0.6
UNSUB_REASONS = ("Too many emails", "No longer interested", "Never signed up", "Other")


def _subscriber_keys(
    ctx: Context,
    rng: np.random.Generator,
    person: np.ndarray,
    dup: np.ndarray,
    email: np.ndarray,
    contact_of: np.ndarray,
    isolated: np.ndarray,
) -> np.ndarray:
    n = len(person)
    keys = to_objects(uuid_ids(np.arange(n), rng, 0x5EED, upper=True))
    # A CRM contact ID as key is a cross-reference too: never for people whose records share none.
    crm = ~dup & ~isolated & (contact_of[person] != None) & (rng.random(n) < 0.45)  # noqa: E711
    keys[crm] = contact_of[person[crm]]
    by_email = ~crm & (rng.random(n) < ctx.rate("subscriber_key_email"))
    taken: set[str] = set()
    for i in np.flatnonzero(by_email):
        if email[i] in taken or "@" not in email[i]:
            by_email[i] = False
            continue
        taken.add(email[i])
        keys[i] = email[i]
    ctx.log("marketing_cloud", keys[by_email], "subscriber_key_email")
    return keys


def generate_marketing_cloud(ctx: Context, pop: Population, contact_of: np.ndarray) -> None:
    """Write the subscriber list and the tracking extracts."""
    rng = ctx.rng("marketing_cloud")
    person, dup = with_duplicates(rng, pop.in_system("marketing_cloud"), ctx.rate("duplicate_record"))
    n = len(person)
    joined = ctx.as_of_us - (rng.beta(1.0, 1.6, n) * 3 * 365 * US_PER_DAY).astype(np.int64) - US_PER_DAY
    placeholder = np.array([f"tmp{i}" for i in range(n)], dtype=object)
    preferred = emails_in_use(ctx, RICH_SYSTEMS, person, rng)
    fields = person_fields(ctx, pop, PROFILE, placeholder, person, joined, rng, preferred)
    email = fields["email"]
    # A second subscriber key of a person keeps the address of the first one (the usual MC duplicate).
    clean = fields["email_clean"]
    first_email: dict[int, tuple[str, str]] = {}
    for i in np.argsort(dup, kind="stable"):
        if pop.isolated[person[i]]:
            continue
        if dup[i] and int(person[i]) in first_email:
            email[i], clean[i] = first_email[int(person[i])]
        first_email.setdefault(int(person[i]), (email[i], clean[i]))
    keys = _subscriber_keys(ctx, rng, person, dup, fields["email_clean"], contact_of, pop.isolated[person])
    log_duplicates(ctx, "marketing_cloud", placeholder, person, dup)
    _rename_log(ctx, placeholder, keys)
    status = pick(rng, ("active", "unsubscribed", "held", "bounced"), n, p=(0.85, 0.08, 0.04, 0.03))
    unsub = np.where(status == "unsubscribed", uniform_ts(rng, joined, ctx.as_of_us - US_PER_DAY, n), NULL_TS)
    updated = np.where(unsub != NULL_TS, unsub, joined)
    ctx.write(
        "marketing_cloud.subscriber",
        {
            "subscriber_key": id_whitespace(ctx, "marketing_cloud", keys, rng),
            "email_address": email,
            "first_name": fields["first"],
            "last_name": fields["last"],
            "status": status,
            "date_joined": joined,
            "date_unsubscribed": unsub,
            "_loaded_at": loaded_at(ctx, rng, "marketing_cloud", updated),
        },
    )
    ctx.add_records("marketing_cloud", keys, person, fields["email_clean"], fields["email"])
    _tracking(ctx, pop, rng, person, keys, email, status, joined, unsub)


def _rename_log(ctx: Context, placeholder: np.ndarray, keys: np.ndarray) -> None:
    """Noise was logged before the subscriber keys existed; swap the placeholders for the keys."""
    ctx.rename_logged("marketing_cloud", dict(zip(placeholder.tolist(), keys.tolist(), strict=True)))


def _tracking(
    ctx: Context,
    pop: Population,
    rng: np.random.Generator,
    person: np.ndarray,
    keys: np.ndarray,
    email: np.ndarray,
    status: np.ndarray,
    joined: np.ndarray,
    unsub: np.ndarray,
) -> None:
    n = len(person)
    window_end = ctx.as_of_us - US_PER_DAY
    start = np.maximum(joined, ctx.as_of_us - TRACKING_DAYS * US_PER_DAY)
    end = np.where(unsub != NULL_TS, np.minimum(unsub, window_end), window_end)
    end = np.where(np.isin(status, ["held", "bounced"]), start + (end - start) // 2, end)
    span_days = np.maximum(end - start, 0) / US_PER_DAY
    heavy_people = rng.random(pop.n) < HEAVY_SHARE
    rate = np.where(heavy_people[person], HEAVY_RATE_PER_DAY, BASE_RATE_PER_DAY)
    count = rng.poisson(rate * span_days)
    sub = np.repeat(np.arange(n), count)
    m = len(sub)
    sent_at = uniform_ts(rng, start[sub], end[sub], m)
    sent_at = (sent_at // 3_600_000_000) * 3_600_000_000 + rng.integers(0, 600, m) * 1_000_000

    names = list(JOURNEYS)
    in_lms = pop.systems[person[sub], SYSTEMS.index("lms")]
    in_club = pop.systems[person[sub], SYSTEMS.index("club")]
    weights = np.array([[0.0] + [JOURNEY_WEIGHTS[j] for j in names[1:]]] * 1)
    journey = rng.choice(len(names), size=m, p=weights[0] / weights[0].sum())
    journey = np.where(
        (journey == names.index("Course reminder")) & ~in_lms, names.index("Newsletter"), journey
    )
    journey = np.where(
        (journey == names.index("Club renewal")) & ~in_club, names.index("Newsletter"), journey
    )
    journey = np.where(sent_at < joined[sub] + 10 * US_PER_DAY, names.index("Welcome"), journey)
    email_k = (
        rng.random(m) * np.array([len(JOURNEYS[names[j]]) for j in range(len(names))])[journey]
    ).astype(int)
    email_code = journey * 4 + email_k
    flat_names = [e for j in names for e in (list(JOURNEYS[j]) + [""] * (4 - len(JOURNEYS[j])))]
    day = (sent_at - (ctx.as_of_us - TRACKING_DAYS * US_PER_DAY)) // US_PER_DAY
    send_job = 40_000_000 + np.maximum(day, 0) * 100 + email_code
    order = np.argsort(sent_at, kind="stable")
    sub, sent_at, journey, email_code, send_job = (
        sub[order],
        sent_at[order],
        journey[order],
        email_code[order],
        send_job[order],
    )
    send_ids = numbered_ids("", send_job, 8)
    keys_arrow = pa.array(keys.tolist(), type=pa.string())
    sub_arrow = pa.array(sub)
    ctx.write(
        "marketing_cloud.send",
        {
            "event_id": uuid_ids(np.arange(m), rng, 0x5E4D),
            "send_id": send_ids,
            "subscriber_key": keys_arrow.take(sub_arrow),
            "email_address": pa.array(email.tolist(), type=pa.string()).take(sub_arrow),
            "journey_name": pa.array(names, type=pa.string()).take(pa.array(journey)),
            "email_name": pa.array(flat_names, type=pa.string()).take(pa.array(email_code)),
            "event_date": sent_at,
            "_loaded_at": _daily_batch(ctx, rng, sent_at),
        },
    )

    propensity = rng.beta(1.2, 2.5, n)
    opened = rng.random(m) < propensity[sub]
    o_send = np.flatnonzero(opened)
    opens_per = 1 + rng.poisson(0.5, len(o_send))
    o_rows = np.repeat(o_send, opens_per)
    rank = np.arange(len(o_rows)) - np.repeat(np.cumsum(opens_per) - opens_per, opens_per)
    open_at = np.minimum(
        sent_at[o_rows]
        + (rng.exponential(0.6, len(o_rows)) * US_PER_DAY).astype(np.int64)
        + rank * 3_600_000_000,
        window_end,
    )
    ctx.write(
        "marketing_cloud.open",
        {
            "event_id": uuid_ids(np.arange(len(o_rows)), rng, 0x0FE4),
            "send_id": send_ids.take(pa.array(o_rows)),
            "subscriber_key": keys_arrow.take(pa.array(sub[o_rows])),
            "is_unique": rank == 0,
            "event_date": open_at,
            "_loaded_at": _daily_batch(ctx, rng, open_at),
        },
    )

    clicked = o_send[rng.random(len(o_send)) < 0.22]
    c = len(clicked)
    click_at = np.minimum(
        sent_at[clicked] + (rng.exponential(0.8, c) * US_PER_DAY).astype(np.int64) + 60_000_000, window_end
    )
    link = rng.integers(0, 4, c)
    paths = ("courses", "travel", "shop", "club")
    urls = pa.array([f"https://www.example-outdoor.com/{p}?utm_source=mc" for p in paths], type=pa.string())
    ctx.write(
        "marketing_cloud.click",
        {
            "event_id": uuid_ids(np.arange(c), rng, 0xC11C),
            "send_id": send_ids.take(pa.array(clicked)),
            "subscriber_key": keys_arrow.take(pa.array(sub[clicked])),
            "url": urls.take(pa.array(link)),
            "link_name": pa.array([f"cta_{p}" for p in paths], type=pa.string()).take(pa.array(link)),
            "event_date": click_at,
            "_loaded_at": _daily_batch(ctx, rng, click_at),
        },
    )

    quitters = np.flatnonzero((unsub != NULL_TS) & (unsub >= ctx.as_of_us - TRACKING_DAYS * US_PER_DAY))
    last_send = np.full(n, -1, dtype=np.int64)
    before = sent_at <= unsub[sub]
    last_send[sub[before]] = np.flatnonzero(before)
    u_send = last_send[quitters]
    send_for = (
        np.where(
            u_send >= 0,
            np.asarray(send_ids.take(pa.array(np.maximum(u_send, 0))).to_pylist(), dtype=object),
            None,
        )
        if len(quitters)
        else np.array([], dtype=object)
    )
    u_at = np.minimum(unsub[quitters], window_end)
    ctx.write(
        "marketing_cloud.unsubscribe",
        {
            "event_id": uuid_ids(np.arange(len(quitters)), rng, 0x0B5B),
            "send_id": send_for,
            "subscriber_key": keys[quitters],
            "reason": np.where(
                rng.random(len(quitters)) < 0.4, None, pick(rng, UNSUB_REASONS, len(quitters))
            ),
            "event_date": u_at,
            "_loaded_at": _daily_batch(ctx, rng, u_at),
        },
    )
    ctx.say(f"marketing_cloud: {n:,} subscribers, {m:,} sends, {len(o_rows):,} opens, {c:,} clicks")


def _daily_batch(ctx: Context, rng: np.random.Generator, event_at: np.ndarray) -> np.ndarray:
    """Tracking extracts land once a day, early the next morning."""
    next_day = (event_at // US_PER_DAY + 1) * US_PER_DAY
    return np.minimum(next_day + rng.integers(3_600, 3 * 3_600, len(event_at)) * 1_000_000, ctx.as_of_us - 1)
