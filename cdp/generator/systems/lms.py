"""Learning management system: learners (often a personal email), enrollments, completions, certifications."""

from __future__ import annotations

import numpy as np

from cdp.generator import content
from cdp.generator.common import (
    event_loaded_at,
    loaded_at,
    log_duplicates,
    pick,
    recent_created,
    updated_after,
    with_duplicates,
)
from cdp.generator.context import NULL_TS, US_PER_DAY, Context
from cdp.generator.formats import numbered_ids, to_objects
from cdp.generator.noise import LMS_SYSTEM_EMAIL_RATE
from cdp.generator.population import DISCIPLINES, Population
from cdp.generator.records import Profile, id_whitespace, person_fields

PROFILE = Profile("lms", ("first", "last", "email", "dob", "country"), alt_email_rate=LMS_SYSTEM_EMAIL_RATE)
ENROLLMENT_STATUS = ("enrolled", "in_progress", "completed", "withdrawn")


def generate_lms(ctx: Context, pop: Population) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Write the LMS tables; return, per person, one certification ID they hold (or None), and the days on which
    each certified person's certifications were issued (sorted)."""
    rng = ctx.rng("lms")
    person, dup = with_duplicates(rng, pop.in_system("lms"), ctx.rate("duplicate_record"))
    n = len(person)
    ids = to_objects(numbered_ids("LRN-", 1_000_000 + rng.choice(8_999_999, n, replace=False), 7))
    log_duplicates(ctx, "lms", ids, person, dup)
    created = recent_created(ctx, rng, n)
    updated = updated_after(ctx, rng, created)
    fields = person_fields(ctx, pop, PROFILE, ids, person, updated, rng)
    country = pop.country[person]
    english = rng.random(n) < 0.15
    language = np.array([{"FR": "fr", "DE": "de"}.get(c, "en") for c in country], dtype=object)
    language[english] = "en"
    ctx.write(
        "lms.learner",
        {
            "learner_id": id_whitespace(ctx, "lms", ids, rng),
            "email": fields["email"],
            "first_name": fields["first"],
            "last_name": fields["last"],
            "date_of_birth": fields["dob"],
            "country": fields["country"],
            "preferred_language": language,
            "created_at": created,
            "updated_at": updated,
            "_loaded_at": loaded_at(ctx, rng, "lms", updated),
        },
    )
    ctx.add_records("lms", ids, person, fields["email_clean"], fields["email"])

    # Enrollments: mostly the learner's favourite discipline, levels climbing over time.
    per = 1 + rng.poisson(1.2, n)
    learner = np.repeat(np.arange(n), per)
    m = len(learner)
    rank = np.arange(m) - np.repeat(np.cumsum(per) - per, per)
    own = rng.random(m) < 0.75
    disc_idx = np.where(
        own,
        np.array([DISCIPLINES.index(d) for d in pop.discipline[person[learner]]], dtype=np.int64),
        rng.integers(0, len(DISCIPLINES), m),
    )
    level = np.minimum(rank + 1 + (rng.random(m) < 0.15), 4)
    codes = np.array(
        [f"{content.DISCIPLINE_CODE[DISCIPLINES[d]]}-{lv}01" for d, lv in zip(disc_idx, level, strict=True)],
        dtype=object,
    )
    enrolled = np.minimum(
        created[learner] + (rank * 60 + rng.integers(0, 200, m)) * US_PER_DAY, ctx.as_of_us - 2 * US_PER_DAY
    )
    status = pick(rng, ENROLLMENT_STATUS, m, p=(0.15, 0.2, 0.55, 0.1))
    status[enrolled > ctx.as_of_us - 14 * US_PER_DAY] = "enrolled"
    ctx.write(
        "lms.enrollment",
        {
            "enrollment_id": to_objects(numbered_ids("ENR-", rng.permutation(m) + 10_000_000, 8)),
            "learner_id": ids[learner],
            "course_code": codes,
            "status": status,
            "enrolled_at": enrolled,
            "_loaded_at": loaded_at(ctx, rng, "lms", enrolled),
        },
    )

    done = np.flatnonzero(status == "completed")
    completed = np.minimum(
        enrolled[done] + rng.integers(2, 60, len(done)) * US_PER_DAY, ctx.as_of_us - US_PER_DAY
    )
    ctx.write(
        "lms.course_completion",
        {
            "completion_id": to_objects(numbered_ids("CMP-", rng.permutation(len(done)) + 20_000_000, 8)),
            "learner_id": ids[learner[done]],
            "course_code": codes[done],
            "score": np.round(60 + rng.beta(4, 1.5, len(done)) * 40, 1),
            "completed_at": completed,
            "_loaded_at": loaded_at(ctx, rng, "lms", completed),
        },
    )

    certified = rng.random(len(done)) < 0.85
    cert_rows = done[certified]
    issued = completed[certified] + rng.integers(0, 3, len(cert_rows)) * US_PER_DAY
    issued = np.minimum(issued, ctx.as_of_us - 3_600_000_000)
    disc = np.array(DISCIPLINES, dtype=object)[disc_idx[cert_rows]]
    valid_years = np.array([content.CERT_VALID_YEARS[d] or 0 for d in disc])
    expires = np.where(valid_years > 0, issued + valid_years * 365 * US_PER_DAY, NULL_TS)
    cert_numbers = rng.choice(9_000_000, len(cert_rows), replace=False) + 1_000_000
    cert_ids = np.array(
        [
            f"{content.DISCIPLINE_CODE[d]}{lv}-{num}"
            for d, lv, num in zip(disc, level[cert_rows], cert_numbers, strict=True)
        ],
        dtype=object,
    )
    ctx.write(
        "lms.certification",
        {
            "certification_id": cert_ids,
            "learner_id": ids[learner[cert_rows]],
            "course_code": codes[cert_rows],
            "discipline": disc,
            "level": level[cert_rows].astype(np.int64),
            "issued_at": issued,
            "expires_at": expires,
            "_loaded_at": event_loaded_at(ctx, rng, "lms", issued),
        },
    )
    ctx.say(f"lms: {n:,} learners, {m:,} enrollments, {len(cert_rows):,} certifications")
    cert_of = np.full(pop.n, None, dtype=object)
    cert_of[person[learner[cert_rows]]] = cert_ids
    cert_person = person[learner[cert_rows]]
    order = np.lexsort((issued, cert_person))
    issued_days: dict[int, np.ndarray] = {}
    for who, day in zip(cert_person[order].tolist(), (issued[order] // US_PER_DAY).tolist(), strict=True):
        issued_days.setdefault(who, []).append(day)
    return cert_of, {who: np.asarray(days, dtype=np.int64) for who, days in issued_days.items()}
