"""Consent platform: opt-in / opt-out events captured by the systems, and right-to-be-forgotten requests.

Most rows name a real record (system + record ID) and/or its email. A documented share names a record or
an email that exists nowhere (``unmatched_reference`` in the noise log, keyed by the consent row's ID).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cdp.generator.common import event_loaded_at, loaded_at, pick, recent_created, uniform_ts
from cdp.generator.context import US_PER_DAY, Context, normalise_email
from cdp.generator.formats import numbered_ids, to_objects
from cdp.generator.noise import DELETION_REQUEST_RATE, DELETION_UNMATCHED_RATE
from cdp.generator.population import KIND_KNOWN, Population

CONSENT_SYSTEMS = ("salesforce", "marketing_cloud", "commerce", "lms", "club", "mobile_app", "travel")
CAPTURED_VIA = {
    "opt_in": ("signup_form", "checkout", "preference_centre", "app_settings", "event_registration"),
    "opt_out": ("unsubscribe_link", "preference_centre", "app_settings", "customer_service"),
}


def _unknown_ids(system: str, n: int, offset: int) -> np.ndarray:
    stem = {
        "salesforce": "003XX",
        "marketing_cloud": "DELETED-",
        "commerce": "99",
        "lms": "LRN-X",
        "club": "MX",
        "mobile_app": "UX",
        "travel": "ZZ",
    }[system]
    return np.array([f"{stem}{offset + i:07d}" for i in range(n)], dtype=object)


def generate_consent(ctx: Context, pop: Population) -> pa.Table:
    """Write consent events and deletion requests; return the deletion-request truth table."""
    rng = ctx.rng("consent")
    systems, rec_ids, emails = [], [], []
    for system in CONSENT_SYSTEMS:
        recs = ctx.system_records(system)
        keep = rng.random(len(recs.ids)) < 0.3
        if system == "mobile_app":
            keep &= np.array([str(x).startswith("U") for x in recs.ids], dtype=bool)
        reps = np.where(keep, 1 + (rng.random(len(recs.ids)) < 0.3), 0)
        idx = np.repeat(np.arange(len(recs.ids)), reps)
        systems.append(np.full(len(idx), system, dtype=object))
        rec_ids.append(recs.ids[idx])
        emails.append(recs.email[idx])
    system_col = np.concatenate(systems)
    record_col = np.concatenate(rec_ids).astype(object)
    email_col = np.concatenate(emails).astype(object)
    n = len(system_col)
    order = np.argsort(rng.random(n), kind="stable")
    system_col, record_col, email_col = system_col[order], record_col[order], email_col[order]
    findable = np.array(
        [e is not None and normalise_email(e) in ctx.written_emails for e in email_col], dtype=bool
    )
    email_only = findable & (rng.random(n) < 0.1)
    no_email = ~email_only & ((rng.random(n) < 0.3) | ~findable)
    record_col[email_only] = None
    email_col[no_email] = None
    email_col[np.array([e is not None and "@" not in e for e in email_col], dtype=bool)] = None
    ids = to_objects(numbered_ids("CE", np.arange(n) + 1, 9))
    unmatched = rng.random(n) < ctx.rate("unmatched_reference")
    for i, k in enumerate(np.flatnonzero(unmatched)):
        if record_col[k] is not None:
            record_col[k] = _unknown_ids(system_col[k], 1, 10_000 + i)[0]
        if email_col[k] is not None or record_col[k] is None:
            email_col[k] = f"former.subscriber{10_000 + i}@example.org"
    ctx.log("consent", ids[unmatched], "unmatched_reference", "consent.consent_event")
    status = np.where(rng.random(n) < 0.7, "opt_in", "opt_out").astype(object)
    via = np.array(
        [CAPTURED_VIA[s][int(u * len(CAPTURED_VIA[s]))] for s, u in zip(status, rng.random(n), strict=True)],
        dtype=object,
    )
    captured = recent_created(ctx, rng, n)
    ctx.write(
        "consent.consent_event",
        {
            "consent_event_id": ids,
            "source_system": system_col,
            "source_record_id": record_col,
            "email": email_col,
            "channel": np.where(rng.random(n) < 0.85, "email", "sms").astype(object),
            "status": status,
            "captured_via": via,
            "captured_at": captured,
            "_loaded_at": event_loaded_at(ctx, rng, "consent", captured),
        },
    )
    truth = _deletions(ctx, pop, rng)
    ctx.say(f"consent: {n:,} consent events, {truth.num_rows:,} deletion requests")
    return truth


def _deletions(ctx: Context, pop: Population, rng: np.random.Generator) -> pa.Table:
    everything = [ctx.system_records(s) for s in CONSENT_SYSTEMS]
    rec_system = np.concatenate(
        [np.full(len(r.ids), s, dtype=object) for s, r in zip(CONSENT_SYSTEMS, everything, strict=True)]
    )
    rec_ids = np.concatenate([r.ids for r in everything])
    rec_person = np.concatenate([r.person for r in everything])
    rec_email = np.concatenate([r.email for r in everything])
    has_record = np.zeros(pop.n, dtype=bool)
    has_record[rec_person] = True
    candidates = np.flatnonzero(has_record & (pop.kind == KIND_KNOWN))
    chosen = candidates[rng.random(len(candidates)) < DELETION_REQUEST_RATE]
    if len(chosen) == 0 and len(candidates):
        chosen = candidates[:1]
    k = len(chosen)
    first_rec = np.full(pop.n, -1, dtype=np.int64)
    rev = np.arange(len(rec_person))[::-1]
    first_rec[rec_person[rev]] = rev
    pick_rec = first_rec[chosen]
    findable = np.array(
        [e is not None and normalise_email(e) in ctx.written_emails for e in rec_email[pick_rec]], dtype=bool
    )
    by_email = findable & (rng.random(k) < 0.5)
    system = np.where(by_email, None, rec_system[pick_rec])
    record = np.where(by_email, None, rec_ids[pick_rec])
    email = np.where(by_email, rec_email[pick_rec], None)
    person = pop.person_id[chosen].astype(object)
    unmatched = rng.random(k) < DELETION_UNMATCHED_RATE
    if k and not unmatched.any():
        unmatched[0] = True
    for i in np.flatnonzero(unmatched):
        if by_email[i]:
            email[i] = f"deleted.user{i:05d}@example.net"
        else:
            record[i] = _unknown_ids(system[i], 1, 50_000 + i)[0]
        person[i] = None
    ids = to_objects(numbered_ids("DR", np.arange(k) + 1, 7))
    ctx.log("consent", ids[unmatched], "unmatched_reference", "consent.deletion_request")
    requested = recent_created(ctx, rng, k, days=365)
    status = pick(rng, ("received", "in_progress", "completed"), k, p=(0.2, 0.2, 0.6))
    ctx.write(
        "consent.deletion_request",
        {
            "request_id": ids,
            "source_system": system,
            "source_record_id": record,
            "email": email,
            "status": status,
            "requested_at": requested,
            "_loaded_at": loaded_at(ctx, rng, "consent", requested + uniform_ts(rng, 0, US_PER_DAY, k)),
        },
    )
    return pa.table(
        {
            "request_id": pa.array(ids.tolist(), pa.string()),
            "person_id": pa.array(person.tolist(), pa.string()),
        }
    )
