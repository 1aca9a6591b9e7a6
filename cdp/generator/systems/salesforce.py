"""Salesforce CRM: contacts (club member and certification numbers typed by staff), opportunities, tasks."""

from __future__ import annotations

import numpy as np

from cdp.generator.common import (
    loaded_at,
    log_duplicates,
    pick,
    recent_created,
    uniform_ts,
    updated_after,
    with_duplicates,
)
from cdp.generator.context import US_PER_DAY, Context
from cdp.generator.formats import salesforce_ids, to_objects
from cdp.generator.population import Population
from cdp.generator.records import Profile, id_whitespace, person_fields

PROFILE = Profile(
    "salesforce",
    ("first", "last", "email", "phone", "mobile", "dob", "street", "city", "postal", "country"),
    country_names=True,
)
LEAD_SOURCES = ("Web", "Event", "Store", "Referral", "Partner", "Phone Inquiry", "Club", "Travel Desk")
STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
OPP_TYPES = ("New Business", "Renewal", "Upgrade")
OPP_TOPICS = ("Group course", "Club membership", "Private coaching", "Expedition", "Equipment package")
TASK_SUBJECTS = (
    "Follow-up call",
    "Send brochure",
    "Course enquiry",
    "Membership renewal",
    "Trip planning call",
)


def generate_salesforce(
    ctx: Context, pop: Population, member_of: np.ndarray, cert_of: np.ndarray
) -> np.ndarray:
    """Write the Salesforce tables; return, per person, their first contact ID (or None)."""
    rng = ctx.rng("salesforce")
    person, dup = with_duplicates(rng, pop.in_system("salesforce"), ctx.rate("duplicate_record"))
    n = len(person)
    ids = to_objects(salesforce_ids("003", rng.permutation(n) + 100_000, int(rng.integers(0, 2**40))))
    log_duplicates(ctx, "salesforce", ids, person, dup)
    household = np.array([int(h[1:]) for h in pop.household_id[person]], dtype=np.int64)
    accounts = to_objects(salesforce_ids("001", household, 7_777_777))
    created = recent_created(ctx, rng, n)
    updated = updated_after(ctx, rng, created)
    fields = person_fields(ctx, pop, PROFILE, ids, person, updated, rng)
    # Staff type the club member and certification numbers in, except for people whose records share none.
    linked = ~pop.isolated[person]
    member = np.where((rng.random(n) < 0.4) & linked, member_of[person], None)
    cert = np.where((rng.random(n) < 0.35) & linked, cert_of[person], None)
    ctx.write(
        "salesforce.contact",
        {
            "id": id_whitespace(ctx, "salesforce", ids, rng),
            "account_id": accounts,
            "first_name": fields["first"],
            "last_name": fields["last"],
            "email": fields["email"],
            "phone": fields["phone"],
            "mobile_phone": fields["mobile"],
            "birthdate": fields["dob"],
            "mailing_street": fields["street"],
            "mailing_city": fields["city"],
            "mailing_postal_code": fields["postal"],
            "mailing_country": fields["country"],
            "lead_source": pick(rng, LEAD_SOURCES, n, p=(0.3, 0.15, 0.15, 0.1, 0.05, 0.1, 0.1, 0.05)),
            "member_number_c": member,
            "certification_number_c": cert,
            "has_opted_out_of_email": rng.random(n) < 0.08,
            "is_deleted": rng.random(n) < 0.015,
            "created_date": created,
            "last_modified_date": updated,
            "_loaded_at": loaded_at(ctx, rng, "salesforce", updated),
        },
    )
    ctx.add_records("salesforce", ids, person, fields["email_clean"], fields["email"])

    per = rng.poisson(0.6, n)
    contact = np.repeat(np.arange(n), per)
    m = len(contact)
    opp_created = uniform_ts(rng, created[contact], ctx.as_of_us - 2 * 3_600_000_000, m)
    opp_updated = updated_after(ctx, rng, opp_created)
    stage = pick(rng, STAGES, m, p=(0.15, 0.15, 0.12, 0.08, 0.3, 0.2))
    closed = np.isin(stage, ["Closed Won", "Closed Lost"])
    topic = pick(rng, OPP_TOPICS, m)
    ctx.write(
        "salesforce.opportunity",
        {
            "id": to_objects(salesforce_ids("006", np.arange(m) + 50_000, 4_242_424)),
            "contact_id": ids[contact],
            "account_id": accounts[contact],
            "name": np.array(
                [f"{fields['last'][c] or 'Contact'} - {t}" for c, t in zip(contact, topic, strict=True)],
                dtype=object,
            ),
            "stage_name": stage,
            "type": pick(rng, OPP_TYPES, m, p=(0.6, 0.25, 0.15)),
            "amount": np.round(rng.lognormal(7.0, 0.8, m), 2),
            "close_date": opp_created // US_PER_DAY + rng.integers(7, 120, m),
            "is_won": stage == "Closed Won",
            "is_closed": closed,
            "created_date": opp_created,
            "last_modified_date": opp_updated,
            "_loaded_at": loaded_at(ctx, rng, "salesforce", opp_updated),
        },
    )

    per_task = rng.poisson(1.1, n)
    who = np.repeat(np.arange(n), per_task)
    k = len(who)
    task_created = uniform_ts(rng, created[who], ctx.as_of_us - 2 * 3_600_000_000, k)
    task_updated = updated_after(ctx, rng, task_created)
    ctx.write(
        "salesforce.task",
        {
            "id": to_objects(salesforce_ids("00T", np.arange(k) + 70_000, 9_191_919)),
            "who_id": ids[who],
            "subject": pick(rng, TASK_SUBJECTS, k),
            "type": pick(rng, ("Call", "Email", "Meeting", "Other"), k, p=(0.4, 0.35, 0.15, 0.1)),
            "status": pick(rng, ("Completed", "Not Started", "In Progress"), k, p=(0.7, 0.2, 0.1)),
            "activity_date": task_created // US_PER_DAY + rng.integers(0, 14, k),
            "created_date": task_created,
            "last_modified_date": task_updated,
            "_loaded_at": loaded_at(ctx, rng, "salesforce", task_updated),
        },
    )
    ctx.say(f"salesforce: {n:,} contacts, {m:,} opportunities, {k:,} tasks")
    first = np.full(pop.n, None, dtype=object)
    order = np.arange(n)[::-1]
    first[person[order]] = ids[order]
    return first
