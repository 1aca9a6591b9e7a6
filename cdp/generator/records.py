"""Person attributes of person-bearing records, as one system stores them, with record-level noise.

``person_fields`` takes the people behind a batch of records and the time each record was last updated
and returns the columns a system exports (names, email, phones, date of birth, address, country), after
applying the record-level noise kinds of :mod:`cdp.generator.noise`. Every applied noise is logged with
the record ID, so the noise log lists exactly what was done.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cdp.generator import formats, locales
from cdp.generator.context import NULL_TS, Context
from cdp.generator.population import Population


@dataclass(frozen=True)
class Profile:
    """How one system stores person attributes."""

    system: str
    fields: tuple[str, ...]
    phone_variant: int = 0
    alt_email_rate: float | None = None
    protect: tuple[str, ...] = ()
    country_names: bool = False


NAME_FIELDS = ("first", "last")
JUNK_FIELDS = ("first", "last", "email", "phone", "mobile", "dob")
JUNK_DOB_DAYS = int(np.datetime64("1900-01-01", "D").astype(np.int64))


def _log_mask(
    ctx: Context, system: str, ids: np.ndarray, mask: np.ndarray, kind: str, detail: object = ""
) -> None:
    if mask.any():
        if isinstance(detail, np.ndarray):
            detail = detail[mask]
        ctx.log(system, ids[mask], kind, detail)


def _choose_emails(
    ctx: Context,
    pop: Population,
    profile: Profile,
    ids: np.ndarray,
    person: np.ndarray,
    ts: np.ndarray,
    rng: np.random.Generator,
    preferred: np.ndarray | None,
) -> np.ndarray:
    system = profile.system
    n = len(person)
    old = (pop.email_change_us[person] > 0) & (ts < pop.email_change_us[person])
    email = np.where(old, pop.email_old[person], pop.email[person])
    alt_rate = ctx.rate("system_email") if profile.alt_email_rate is None else profile.alt_email_rate
    alt = (pop.email_alt[person] != None) & (rng.random(n) < alt_rate)  # noqa: E711
    email = np.where(alt, pop.email_alt[person], email)
    shared = (pop.household_email[person] != None) & (rng.random(n) < ctx.rate("household_email"))  # noqa: E711
    email = np.where(shared, pop.household_email[person], email)
    if preferred is not None:
        email = np.where(preferred != None, preferred, email)  # noqa: E711
    is_shared = (email == pop.household_email[person]) & (email != pop.email[person])
    is_alt = ~is_shared & (email == pop.email_alt[person])
    is_old = ~is_shared & (email == pop.email_old[person])
    _log_mask(ctx, system, ids, is_old, "email_change", pop.email[person])
    _log_mask(ctx, system, ids, is_alt, "system_email", "personal or work address")
    _log_mask(ctx, system, ids, is_shared, "household_email", pop.household_id[person])
    return email


def _phones(
    ctx: Context,
    pop: Population,
    profile: Profile,
    ids: np.ndarray,
    person: np.ndarray,
    rng: np.random.Generator,
    mobile_field: bool,
) -> np.ndarray:
    system = profile.system
    n = len(person)
    has_land = pop.land_area[person] != None  # noqa: E711
    if mobile_field:
        use_land = np.ones(n, dtype=bool)
        area = np.where(has_land, pop.land_area[person], None)
        sub = np.where(has_land, pop.land_sub[person], None)
    else:
        share_p = np.where(pop.shares_landline[person], ctx.rate("household_phone"), 0.2)
        use_land = has_land & (rng.random(n) < share_p)
        area = np.where(use_land, pop.land_area[person], pop.mobile_area[person])
        sub = np.where(use_land, pop.land_sub[person], pop.mobile_sub[person])
        _log_mask(
            ctx,
            system,
            ids,
            use_land & pop.shares_landline[person],
            "household_phone",
            pop.household_id[person],
        )
    return _format(ctx, pop, profile, ids, person, area, sub, rng)


def _format(
    ctx: Context,
    pop: Population,
    profile: Profile,
    ids: np.ndarray,
    person: np.ndarray,
    area: np.ndarray,
    sub: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    n = len(person)
    other = rng.random(n) < ctx.rate("phone_format")
    variant = np.where(
        other, rng.integers(1, formats.PHONE_VARIANTS, n) + profile.phone_variant, profile.phone_variant
    )
    variant %= formats.PHONE_VARIANTS
    country = pop.country[person]
    out = np.empty(n, dtype=object)
    for i in range(n):
        if sub[i] is not None:
            out[i] = formats.format_phone(country[i], area[i], sub[i], int(variant[i]))
    _log_mask(ctx, profile.system, ids, other & (sub != None), "phone_format", variant.astype(str))  # noqa: E711
    return out


def _name_noise(
    ctx: Context,
    pop: Population,
    system: str,
    ids: np.ndarray,
    person: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    rng: np.random.Generator,
) -> None:
    n = len(person)
    u = rng.random((n, 6))
    nick_ok = np.array([f in locales.NICKNAMES for f in first], dtype=bool)
    nick = nick_ok & (u[:, 0] < ctx.rate("nickname"))
    for i in np.flatnonzero(nick):
        options = locales.NICKNAMES[first[i]]
        first[i] = options[int(u[i, 5] * len(options))]
    _log_mask(ctx, system, ids, nick, "nickname", first)

    accented = np.array(
        [formats.has_accent(f) or formats.has_accent(la) for f, la in zip(first, last, strict=True)]
    )
    fold = accented & (u[:, 1] < ctx.rate("accent_drop"))
    for i in np.flatnonzero(fold):
        first[i] = formats.accent_variant(first[i], u[i, 5])
        last[i] = formats.accent_variant(last[i], u[i, 5])
    _log_mask(ctx, system, ids, fold, "accent_drop", last)

    typo = u[:, 2] < ctx.rate("typo")
    draws = rng.random((int(typo.sum()), 8))
    details = np.empty(n, dtype=object)
    for k, i in enumerate(np.flatnonzero(typo)):
        if draws[k, 7] < 0.5:
            first[i], details[i] = formats.typo(first[i], draws[k]), "first_name"
        else:
            last[i], details[i] = formats.typo(last[i], draws[k]), "last_name"
    _log_mask(ctx, system, ids, typo, "typo", details)

    swap = u[:, 3] < ctx.rate("name_swap")
    first[swap], last[swap] = last[swap], first[swap].copy()
    _log_mask(ctx, system, ids, swap, "name_swap")


def person_fields(
    ctx: Context,
    pop: Population,
    profile: Profile,
    ids: np.ndarray,
    person: np.ndarray,
    ts: np.ndarray,
    rng: np.random.Generator,
    preferred_email: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Columns ``profile.fields`` for records ``ids`` of people ``person`` last updated at ``ts``.

    ``preferred_email`` (per record, None where there is no preference) overrides the email choice; thin
    systems use it to pick an address the person also uses elsewhere. The result also holds
    ``email_clean``: the address chosen for the record before formatting noise.
    """
    system, fields = profile.system, profile.fields
    ids = np.asarray(ids, dtype=object)
    n = len(person)
    out: dict[str, np.ndarray] = {}
    first = pop.first[person].copy()
    old_name = (pop.name_change_us[person] > 0) & (ts < pop.name_change_us[person])
    last = np.where(old_name, pop.maiden[person], pop.last[person])
    if "last" in fields:
        _log_mask(ctx, system, ids, old_name, "name_change", pop.last[person])
    if "first" in fields:
        _name_noise(ctx, pop, system, ids, person, first, last, rng)
        _log_mask(
            ctx,
            system,
            ids,
            pop.same_name_of[person] >= 0,
            "same_name",
            pop.person_id[pop.same_name_of[person]],
        )
    _log_mask(ctx, system, ids, pop.household_email[person] != None, "household", pop.household_id[person])  # noqa: E711
    out["first"], out["last"] = first, last

    out["email_clean"] = _choose_emails(ctx, pop, profile, ids, person, ts, rng, preferred_email)
    out["email"] = out["email_clean"].copy()
    if "phone" in fields:
        out["phone"] = _phones(ctx, pop, profile, ids, person, rng, mobile_field="mobile" in fields)
    if "mobile" in fields:
        out["mobile"] = _format(
            ctx, pop, profile, ids, person, pop.mobile_area[person], pop.mobile_sub[person], rng
        )
    dob = pop.dob[person].copy()
    if "dob" in fields:
        days = dob.astype("datetime64[D]")
        month = days.astype("datetime64[M]")
        day_of_month = (days - month).astype(np.int64) + 1
        month_num = month.astype(np.int64) % 12 + 1
        year = days.astype("datetime64[Y]")
        swap = (rng.random(n) < ctx.rate("dob_swap")) & (day_of_month <= 12) & (day_of_month != month_num)
        swapped = (year.astype("datetime64[M]") + (day_of_month - 1)).astype("datetime64[D]") + (
            month_num - 1
        )
        dob = np.where(swap, swapped.astype(np.int64), dob)
        _log_mask(ctx, system, ids, swap, "dob_swap")
    out["dob"] = dob
    out["street"] = pop.street[person].copy()
    out["city"] = pop.city[person].copy()
    out["postal"] = pop.postal[person].copy()
    out["country"] = pop.country[person].copy()
    _address_noise(ctx, pop, profile, ids, person, out, rng)
    _corrupt(ctx, profile, ids, out, rng)
    return out


def _address_noise(
    ctx: Context,
    pop: Population,
    profile: Profile,
    ids: np.ndarray,
    person: np.ndarray,
    out: dict[str, np.ndarray],
    rng: np.random.Generator,
) -> None:
    system, fields, n = profile.system, profile.fields, len(person)
    u = rng.random((n, 4))
    if "postal" in fields:
        pv = u[:, 0] < ctx.rate("postal_variant")
        plus4 = rng.integers(1, 9999, n)
        for i in np.flatnonzero(pv):
            out["postal"][i] = formats.postal_variant(
                out["country"][i], out["postal"][i], u[i, 3], int(plus4[i])
            )
        _log_mask(ctx, system, ids, pv, "postal_variant", out["postal"])
    if "street" in fields:
        av = u[:, 1] < ctx.rate("address_variant")
        for i in np.flatnonzero(av):
            out["street"][i] = formats.street_variant(out["street"][i], locales.STREET_ABBREVIATIONS, u[i, 3])
        _log_mask(ctx, system, ids, av, "address_variant", out["street"])
    if profile.country_names:
        cn = u[:, 2] < ctx.rate("country_name")
        for i in np.flatnonzero(cn):
            names = locales.COUNTRY_NAMES[out["country"][i]]
            out["country"][i] = names[int(u[i, 3] * len(names))]
        _log_mask(ctx, system, ids, cn, "country_name", out["country"])


def _corrupt(
    ctx: Context, profile: Profile, ids: np.ndarray, out: dict[str, np.ndarray], rng: np.random.Generator
) -> None:
    system, fields = profile.system, profile.fields
    n = len(ids)
    cw = rng.random(n) < ctx.rate("case_whitespace")
    targets = [f for f in ("first", "last", "email") if f in fields]
    pick = rng.integers(0, max(len(targets), 1), n)
    u = rng.random(n)
    for i in np.flatnonzero(cw):
        field = targets[pick[i]]
        if out[field][i] is not None:
            out[field][i] = formats.case_whitespace(out[field][i], u[i])
    if targets:
        _log_mask(ctx, system, ids, cw, "case_whitespace", np.array(targets, dtype=object)[pick])

    for field in fields:
        if field in profile.protect or field == "country":
            continue
        draws = rng.random((n, 3))
        if field == "email":
            bad = draws[:, 0] < ctx.rate("malformed_email")
            for i in np.flatnonzero(bad):
                out[field][i] = formats.malformed_email(out[field][i], draws[i, 2])
            _log_mask(ctx, system, ids, bad, "malformed_email", out[field])
        elif field in ("phone", "mobile"):
            bad = (draws[:, 0] < ctx.rate("malformed_phone")) & (out[field] != None)  # noqa: E711
            for i in np.flatnonzero(bad):
                out[field][i] = formats.malformed_phone(out[field][i], draws[i, 2])
            _log_mask(ctx, system, ids, bad, "malformed_phone", out[field])
        else:
            bad = np.zeros(n, dtype=bool)
        junk = ~bad & (draws[:, 1] < ctx.rate("junk_value")) & (field in JUNK_FIELDS)
        if junk.any():
            _junk(field, out, junk, draws[:, 2])
            _log_mask(ctx, system, ids, junk, "junk_value", field)
        missing = ~bad & ~junk & (draws[:, 1] > 1 - ctx.rate("missing_field"))
        if field == "dob":
            out[field][missing] = NULL_TS
        else:
            missing &= out[field] != None  # noqa: E711
            out[field][missing] = None
        _log_mask(ctx, system, ids, missing, "missing_field", field)


def _junk(field: str, out: dict[str, np.ndarray], mask: np.ndarray, u: np.ndarray) -> None:
    if field == "dob":
        out[field][mask] = JUNK_DOB_DAYS
        return
    pool = {"email": formats.JUNK_EMAILS, "phone": formats.JUNK_PHONES, "mobile": formats.JUNK_PHONES}.get(
        field, formats.JUNK_NAMES
    )
    for i in np.flatnonzero(mask):
        out[field][i] = pool[int(u[i] * len(pool))]


def id_whitespace(ctx: Context, system: str, ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """IDs as exported: a few carry a stray leading or trailing space (logged with the trimmed ID)."""
    raw = np.asarray(ids, dtype=object).copy()
    hit = rng.random(len(raw)) < ctx.rate("id_whitespace")
    lead = rng.random(len(raw)) < 0.5
    for i in np.flatnonzero(hit):
        raw[i] = f" {raw[i]}" if lead[i] else f"{raw[i]} "
    _log_mask(
        ctx,
        system,
        np.asarray(ids, dtype=object),
        hit,
        "id_whitespace",
        np.where(lead, "leading", "trailing"),
    )
    return raw


def date_column(days: np.ndarray) -> np.ndarray:
    """Integer days (with the null sentinel) as the generator's date column form."""
    return np.asarray(days, dtype=np.int64)


def emails_in_use(
    ctx: Context, systems: tuple[str, ...], person: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """For each record of ``person``, one email the person already uses in ``systems`` (None if none)."""
    pool: dict[int, list[str]] = {}
    for system in systems:
        recs = ctx.system_records(system)
        for p, e in zip(recs.person.tolist(), recs.email.tolist(), strict=True):
            if e is not None:
                pool.setdefault(p, []).append(e)
    u = rng.random(len(person))
    out = np.full(len(person), None, dtype=object)
    for i, p in enumerate(person.tolist()):
        options = pool.get(p)
        if options:
            out[i] = options[int(u[i] * len(options))]
    return out
