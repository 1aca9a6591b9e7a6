"""Website tag events: one anonymous cookie ID per browser, a login (email or app login) after sign-in.

A person-bearing web record is a distinct ``anonymous_id``. Cookies of known people sign in at some
point, often after a few anonymous page views; cookies of web-only people never do.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cdp.generator.common import event_loaded_at, pick_arrow, recent_created, uniform_ts
from cdp.generator.context import Context
from cdp.generator.formats import to_objects, uuid_ids
from cdp.generator.population import KIND_KNOWN, Population

EVENT_TYPES = ("page_view", "search", "add_to_cart", "form_submit", "sign_in")
PAGES = (
    "/",
    "/courses",
    "/courses/diving",
    "/courses/climbing",
    "/courses/sailing",
    "/courses/surfing",
    "/courses/skiing",
    "/courses/trail-running",
    "/travel",
    "/travel/destinations",
    "/shop",
    "/shop/cart",
    "/club",
    "/club/join",
    "/account",
    "/blog/gear-guide",
    "/search",
)
REFERRERS = (
    "google.com",
    "instagram.com",
    "facebook.com",
    "newsletter.example-outdoor.com",
    "bing.com",
    "youtube.com",
    "t.co",
)
AGENTS = ("Chrome", "Safari", "Mobile Safari", "Firefox", "Edge", "Samsung Internet", "Chrome Mobile")


def generate_web(ctx: Context, pop: Population, email_of: np.ndarray, login_of: np.ndarray) -> None:
    """Write ``web.event``; ``email_of`` / ``login_of``: the email and app login a person signs in with."""
    rng = ctx.rng("web")
    visitors = pop.in_system("web")
    known = pop.kind[visitors] == KIND_KNOWN
    per = np.where(known, rng.choice([1, 2, 3], size=len(visitors), p=[0.6, 0.28, 0.12]), 1)
    owner = np.repeat(visitors, per)
    owner = owner[np.argsort(rng.random(len(owner)), kind="stable")]
    signed = pop.kind[owner] == KIND_KNOWN
    c = len(owner)
    cookie_ids = uuid_ids(np.arange(c), rng, 0xC00C1E)
    cookie_obj = to_objects(cookie_ids)
    use_app = (login_of[owner] != None) & (rng.random(c) < 0.35)  # noqa: E711
    identity = np.where(use_app, login_of[owner], email_of[owner])
    identity = np.where(identity == None, pop.email[owner], identity)  # noqa: E711

    count = 2 + rng.poisson(8, c)
    cookie = np.repeat(np.arange(c), count)
    m = len(cookie)
    first_seen = recent_created(ctx, rng, c)
    at = _sorted_within(cookie, uniform_ts(rng, first_seen[cookie], ctx.as_of_us - 30_000_000, m))
    rank = np.arange(m) - np.repeat(np.cumsum(count) - count, count)
    late = signed & (rng.random(c) < ctx.rate("late_login"))
    anon_prefix = np.where(late, 1 + np.minimum(rng.poisson(2.0, c), count - 2), 0)
    ctx.log("web", cookie_obj[late], "late_login", anon_prefix[late].astype(str))
    logged_in = signed[cookie] & (rank >= anon_prefix[cookie])
    user_login = np.where(logged_in, identity[cookie], None)
    kind = rng.choice(4, size=m, p=[0.72, 0.12, 0.1, 0.06])
    kind[signed[cookie] & (rank == anon_prefix[cookie])] = 4
    ctx.write(
        "web.event",
        {
            "event_id": uuid_ids(np.arange(m), rng, 0x3E7E),
            "anonymous_id": cookie_ids.take(pa.array(cookie)),
            "user_login": pa.array(user_login.tolist(), type=pa.string()),
            "event_type": pa.array(list(EVENT_TYPES), type=pa.string()).take(pa.array(kind)),
            "page_path": pick_arrow(rng, PAGES, m),
            "referrer": pick_arrow(
                rng, (*REFERRERS, None), m, p=(0.3, 0.1, 0.08, 0.07, 0.05, 0.05, 0.05, 0.3)
            ),
            "user_agent": pick_arrow(rng, AGENTS, c).take(pa.array(cookie)),
            "event_at": at,
            "_loaded_at": event_loaded_at(ctx, rng, "web", at),
        },
    )
    ctx.add_records("web", cookie_obj, owner, np.full(c, None, dtype=object))
    ctx.say(f"web: {c:,} cookies, {m:,} events")


def _sorted_within(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sort ``values`` within each run of equal ``group`` (``group`` is already sorted)."""
    return values[np.lexsort((values, group))]
