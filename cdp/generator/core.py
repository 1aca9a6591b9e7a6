"""Orchestration: build the people, run every system in dependency order, write truth and stats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa

from cdp.generator.content import generate_content
from cdp.generator.context import Context, write_parquet
from cdp.generator.population import SYSTEMS, Population, build_population
from cdp.generator.systems.club import generate_club
from cdp.generator.systems.commerce import generate_commerce
from cdp.generator.systems.consent import generate_consent
from cdp.generator.systems.data_lake import generate_data_lake
from cdp.generator.systems.lms import generate_lms
from cdp.generator.systems.marketing_cloud import generate_marketing_cloud
from cdp.generator.systems.mobile_app import generate_mobile_app
from cdp.generator.systems.salesforce import generate_salesforce
from cdp.generator.systems.travel import generate_travel
from cdp.generator.systems.web import generate_web

LOGIN_EMAIL_ORDER = (
    "commerce",
    "salesforce",
    "marketing_cloud",
    "club",
    "lms",
    "travel",
    "mobile_app",
    "data_lake",
)
"""Where to look for the email a person signs in to the website with (their first record found)."""


def generate(
    out_dir: Path,
    people: int,
    seed: int,
    as_of: dt.date,
    progress: bool = True,
    rates: dict[str, float] | None = None,
) -> dict:
    """Generate the synthetic multi-system world into ``out_dir`` and return statistics.

    Writes ``raw/<system>/<table>.parquet`` for every source table plus ``truth/records.parquet``,
    ``truth/noise.parquet``, ``truth/people.parquet`` and ``truth/deletion_requests.parquet``. The same
    arguments always give byte-identical files. ``rates`` overrides noise rates of
    :data:`cdp.generator.noise.RATES` by kind.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    out_dir = Path(out_dir)
    ctx = Context(out_dir=out_dir, seed=seed, as_of=as_of, progress=progress, rates=rates)
    generate_content(ctx)
    pop = build_population(ctx, people)
    ctx.say(f"people: {people:,}")
    cert_of, certified_days = generate_lms(ctx, pop)
    member_of = generate_club(ctx, pop, cert_of, certified_days)
    contact_of = generate_salesforce(ctx, pop, member_of, cert_of)
    generate_commerce(ctx, pop)
    generate_travel(ctx, pop, member_of)
    generate_data_lake(ctx, pop)
    generate_marketing_cloud(ctx, pop, contact_of)
    login_of = generate_mobile_app(ctx, pop)
    generate_web(ctx, pop, _login_emails(ctx, pop), login_of)
    deletion_truth = generate_consent(ctx, pop)
    truth = _truth(ctx, pop)
    write_parquet(truth, out_dir / "truth" / "records.parquet")
    noise_log = ctx.noise_table()
    write_parquet(noise_log, out_dir / "truth" / "noise.parquet")
    write_parquet(_people_table(pop), out_dir / "truth" / "people.parquet")
    write_parquet(deletion_truth, out_dir / "truth" / "deletion_requests.parquet")
    person_records = {s: len(ctx.system_records(s).ids) for s in SYSTEMS}
    ctx.say(f"truth: {truth.num_rows:,} person-bearing records, {noise_log.num_rows:,} noise log rows")
    kinds, counts = np.unique(
        np.asarray(noise_log.column("noise_kind").to_pylist(), dtype=object).astype(str), return_counts=True
    )
    return {
        "people": people,
        "person_records": person_records,
        "rows": dict(sorted(ctx.rows.items())),
        "noise": dict(zip(kinds.tolist(), counts.tolist(), strict=True)),
        "out_dir": str(out_dir),
    }


def _login_emails(ctx: Context, pop: Population) -> np.ndarray:
    email_of = np.full(pop.n, None, dtype=object)
    for system in LOGIN_EMAIL_ORDER[::-1]:
        recs = ctx.system_records(system)
        ok = np.array([e is not None for e in recs.email], dtype=bool)
        rev = np.flatnonzero(ok)[::-1]
        email_of[recs.person[rev]] = recs.email[rev]
    return email_of


def _truth(ctx: Context, pop: Population) -> pa.Table:
    systems, ids, persons = [], [], []
    for system in SYSTEMS:
        recs = ctx.system_records(system)
        systems.append(np.full(len(recs.ids), system, dtype=object))
        ids.append(recs.ids)
        persons.append(pop.person_id[recs.person])
    return pa.table(
        {
            "source_system": pa.array(np.concatenate(systems).tolist(), pa.string()),
            "source_record_id": pa.array(np.concatenate(ids).tolist(), pa.string()),
            "person_id": pa.array(np.concatenate(persons).tolist(), pa.string()),
        }
    )


def _people_table(pop: Population) -> pa.Table:
    def dates(values: np.ndarray) -> pa.Array:
        return pa.array(values.astype("datetime64[D]"), pa.date32())

    def stamps(values: np.ndarray) -> pa.Array:
        mask = values == 0
        return pa.array(np.where(mask, 0, values).astype("datetime64[us]"), pa.timestamp("us"), mask=mask)

    def text(values: np.ndarray) -> pa.Array:
        return pa.array(values.tolist(), pa.string())

    kind_names = np.array(["known", "web_only", "app_only"], dtype=object)
    return pa.table(
        {
            "person_id": text(pop.person_id),
            "person_kind": text(kind_names[pop.kind]),
            "first_name": text(pop.first),
            "last_name": text(pop.last),
            "previous_last_name": text(pop.maiden),
            "name_changed_at": stamps(pop.name_change_us),
            "date_of_birth": dates(pop.dob),
            "country": text(pop.country),
            "city": text(pop.city),
            "street": text(pop.street),
            "postal_code": text(pop.postal),
            "previous_street": text(pop.street_old),
            "previous_postal_code": text(pop.postal_old),
            "previous_city": text(pop.city_old),
            "moved_at": stamps(pop.move_us),
            "email": text(pop.email),
            "previous_email": text(pop.email_old),
            "email_changed_at": stamps(pop.email_change_us),
            "other_email": text(pop.email_alt),
            "household_id": text(pop.household_id),
            "household_email": text(pop.household_email),
            "app_login": text(pop.app_login),
            "shares_no_identifier": pa.array(pop.isolated, pa.bool_()),
            "favourite_discipline": text(pop.discipline),
            "same_name_as": text(
                np.where(pop.same_name_of >= 0, pop.person_id[np.maximum(pop.same_name_of, 0)], None)
            ),
            "systems": text(
                np.array(
                    [",".join(s for s, on in zip(SYSTEMS, row, strict=True) if on) for row in pop.systems],
                    dtype=object,
                )
            ),
        }
    )
