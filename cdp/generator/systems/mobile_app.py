"""Mobile app: registered users (app login), devices (installations) and app events.

Devices of known people sign in at some point (often after a few anonymous events); devices of app-only
people never do. A few family devices carry the app logins of several people; their truth person is the
main user, who has most of the signed-in events.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cdp.generator.common import (
    event_loaded_at,
    loaded_at,
    log_duplicates,
    pick_arrow,
    recent_created,
    uniform_ts,
    with_duplicates,
)
from cdp.generator.context import Context
from cdp.generator.formats import numbered_ids, to_objects, uuid_ids
from cdp.generator.population import KIND_APP_ONLY, KIND_KNOWN, Population
from cdp.generator.records import Profile, emails_in_use, id_whitespace, person_fields
from cdp.generator.systems.marketing_cloud import RICH_SYSTEMS

PROFILE = Profile("mobile_app", ("first", "last", "email"), protect=("email",))
EVENT_NAMES = (
    "app_open",
    "view_course",
    "view_destination",
    "search",
    "add_to_cart",
    "purchase",
    "view_profile",
)
EVENT_WEIGHTS = (0.35, 0.18, 0.14, 0.12, 0.1, 0.03, 0.08)
SCREENS = {
    "app_open": "home",
    "view_course": "course_detail",
    "view_destination": "destination_detail",
    "search": "search",
    "add_to_cart": "cart",
    "purchase": "checkout",
    "view_profile": "profile",
    "sign_in": "sign_in",
}


def generate_mobile_app(ctx: Context, pop: Population) -> np.ndarray:
    """Write users, devices and events; return, per person, their app login (or None)."""
    rng = ctx.rng("mobile_app")
    app_people = pop.in_system("mobile_app")
    known = app_people[pop.kind[app_people] == KIND_KNOWN]
    person, dup = with_duplicates(rng, known, ctx.rate("duplicate_record"))
    n = len(person)
    ids = to_objects(numbered_ids("U", rng.choice(89_999_999, n, replace=False) + 10_000_000, 8))
    log_duplicates(ctx, "mobile_app", ids, person, dup)
    logins = pop.app_login[person].copy()
    taken = set(pop.app_login.tolist())
    suffix = rng.integers(2, 9, n)
    for i in np.flatnonzero(dup):
        candidate, k = f"{logins[i]}{suffix[i]}", 0
        while candidate in taken:
            k += 1
            candidate = f"{logins[i]}{suffix[i]}{k}"
        taken.add(candidate)
        logins[i] = candidate
    created = recent_created(ctx, rng, n)
    last_login = uniform_ts(rng, created, ctx.as_of_us - 3_600_000_000, n)
    preferred = emails_in_use(ctx, (*RICH_SYSTEMS, "marketing_cloud"), person, rng)
    fields = person_fields(ctx, pop, PROFILE, ids, person, created, rng, preferred)
    ctx.write(
        "mobile_app.app_user",
        {
            "user_id": id_whitespace(ctx, "mobile_app", ids, rng),
            "app_login": logins,
            "email": fields["email"],
            "first_name": fields["first"],
            "last_name": fields["last"],
            "created_at": created,
            "last_login_at": last_login,
            "_loaded_at": loaded_at(ctx, rng, "mobile_app", last_login),
        },
    )
    ctx.add_records("mobile_app", ids, person, fields["email_clean"], fields["email"])
    login_of = np.full(pop.n, None, dtype=object)
    main = ~dup
    login_of[person[main]] = logins[main]
    _devices(ctx, pop, rng, known, app_people[pop.kind[app_people] == KIND_APP_ONLY], login_of)
    return login_of


def _devices(
    ctx: Context,
    pop: Population,
    rng: np.random.Generator,
    known: np.ndarray,
    anonymous: np.ndarray,
    login_of: np.ndarray,
) -> None:
    per = rng.choice([1, 2, 3], size=len(known), p=[0.75, 0.2, 0.05])
    owner = np.concatenate([np.repeat(known, per), anonymous])
    signed = np.concatenate([np.ones(int(per.sum()), dtype=bool), np.zeros(len(anonymous), dtype=bool)])
    order = np.argsort(rng.random(len(owner)), kind="stable")
    owner, signed = owner[order], signed[order]
    d = len(owner)
    device_ids = uuid_ids(np.arange(d), rng, 0xDE71CE)
    device_obj = to_objects(device_ids)

    count = 3 + rng.poisson(12, d)
    dev = np.repeat(np.arange(d), count)
    m = len(dev)
    first_seen = recent_created(ctx, rng, d)
    at = uniform_ts(rng, first_seen[dev], ctx.as_of_us - 60_000_000, m)
    sort = np.lexsort((at, dev))
    at = at[sort]
    rank = np.arange(m) - np.repeat(np.cumsum(count) - count, count)
    late = signed & (rng.random(d) < ctx.rate("late_login"))
    anon_prefix = np.where(late, 1 + np.minimum(rng.poisson(2.0, d), count - 2), 0)
    ctx.log("mobile_app", device_obj[late], "late_login", anon_prefix[late].astype(str))
    main_login = np.where(signed, login_of[owner], None)
    login = np.where(signed[dev] & (rank >= anon_prefix[dev]), main_login[dev], None)

    shared = signed & (count - anon_prefix >= 4) & (rng.random(d) < ctx.rate("shared_device"))
    other = _co_users(pop, rng, owner, shared, login_of)
    shared &= other >= 0
    after = rank - anon_prefix[dev]
    co_event = shared[dev] & (after > 0) & (after % 4 == 3)
    login = np.where(co_event, login_of[np.maximum(other, 0)][dev], login)
    ctx.log("mobile_app", device_obj[shared], "shared_device", pop.person_id[other[shared]])

    names = np.array(EVENT_NAMES, dtype=object)[rng.choice(len(EVENT_NAMES), size=m, p=EVENT_WEIGHTS)]
    names[signed[dev] & (after == 0)] = "sign_in"
    names[co_event & (after == 3)] = "sign_in"
    screen = np.array([SCREENS[x] for x in EVENT_NAMES + ("sign_in",)], dtype=object)
    lookup = {x: i for i, x in enumerate(EVENT_NAMES + ("sign_in",))}
    name_idx = np.array([lookup[x] for x in names], dtype=np.int64)
    ctx.write(
        "mobile_app.app_event",
        {
            "event_id": uuid_ids(np.arange(m), rng, 0xA77E),
            "device_id": device_ids.take(pa.array(dev)),
            "app_login": pa.array(login.tolist(), type=pa.string()),
            "event_name": pa.array(list(EVENT_NAMES + ("sign_in",)), type=pa.string()).take(
                pa.array(name_idx)
            ),
            "screen_name": pa.array(screen.tolist(), type=pa.string()).take(pa.array(name_idx)),
            "event_at": at,
            "_loaded_at": event_loaded_at(ctx, rng, "mobile_app", at),
        },
    )
    ends = np.cumsum(count) - 1
    starts = ends - count + 1
    platform = rng.random(d) < 0.55
    ctx.write(
        "mobile_app.device",
        {
            "device_id": device_ids,
            "platform": np.where(platform, "ios", "android").astype(object),
            "os_version": np.where(
                platform,
                pick_arrow(rng, ("17.6", "18.1", "18.4", "26.0"), d).to_numpy(zero_copy_only=False),
                pick_arrow(rng, ("13", "14", "15", "16"), d).to_numpy(zero_copy_only=False),
            ),
            "app_version": pick_arrow(
                rng, ("4.8.2", "4.9.0", "5.0.1", "5.1.0", "5.2.3"), d, p=(0.05, 0.1, 0.2, 0.3, 0.35)
            ),
            "first_seen_at": at[starts],
            "last_seen_at": at[ends],
            "_loaded_at": loaded_at(ctx, rng, "mobile_app", at[ends]),
        },
    )
    ctx.add_records("mobile_app", device_obj, owner, np.full(d, None, dtype=object))
    ctx.say(f"mobile_app: {len(login_of[login_of != None]):,} users, {d:,} devices, {m:,} events")  # noqa: E711


def _co_users(
    pop: Population, rng: np.random.Generator, owner: np.ndarray, shared: np.ndarray, login_of: np.ndarray
) -> np.ndarray:
    """A second app user for every shared device: a household member when possible, else someone nearby."""
    users = np.flatnonzero(login_of != None)  # noqa: E711
    other = np.full(len(owner), -1, dtype=np.int64)
    by_household: dict[str, list[int]] = {}
    for p in users.tolist():
        by_household.setdefault(pop.household_id[p], []).append(p)
    for i in np.flatnonzero(shared):
        mates = [p for p in by_household.get(pop.household_id[owner[i]], []) if p != owner[i]]
        if mates:
            other[i] = mates[0]
            continue
        candidate = int(users[rng.integers(0, len(users))]) if len(users) > 1 else -1
        other[i] = candidate if candidate != owner[i] else -1
    return other
