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
from cdp.generator.population import Population, own_email


@dataclass(frozen=True)
class Profile:
    """How one system stores person attributes."""

    system: str
    fields: tuple[str, ...]
    phone_variant: int = 0
    alt_email_rate: float | None = None
    protect: tuple[str, ...] = ()
    country_names: bool = False
    dob_share: float = 1.0


NAME_FIELDS = ("first", "last")
ADDRESS_FIELDS = ("street", "postal", "city")
JUNK_FIELDS = ("first", "last", "email", "phone", "mobile", "dob")
JUNK_DOB_DAYS = int(np.datetime64("1900-01-01", "D").astype(np.int64))
MIN_DOB_DAYS = int(np.datetime64("1900-01-02", "D").astype(np.int64))
"""A corrupted date of birth stays a plausible one: from 1900-01-02 (the staging layer's lower bound) on."""


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
    isolated = pop.isolated[person]
    shared = (pop.household_email[person] != None) & (rng.random(n) < ctx.rate("household_email"))  # noqa: E711
    email = np.where(shared & ~isolated, pop.household_email[person], email)
    if preferred is not None:
        email = np.where((preferred != None) & ~isolated, preferred, email)  # noqa: E711
    for i in np.flatnonzero(isolated):
        email[i] = own_email(pop, int(person[i]), email[i], rng)
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


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of integer days since 1970-01-01."""
    d = days.astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    return (
        m.astype(np.int64) // 12 + 1970,
        m.astype(np.int64) % 12 + 1,
        (d - m.astype("datetime64[D]")).astype(np.int64) + 1,
    )


def _days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer days of (year, month, day), and whether each is a real calendar date."""
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1900) & (year <= 9999)
    start = ((np.where(ok, year, 1970) - 1970) * 12 + np.where(ok, month, 1) - 1).astype("datetime64[M]")
    length = ((start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")).astype(np.int64)
    ok &= day <= length
    return start.astype("datetime64[D]").astype(np.int64) + np.where(ok, day, 1) - 1, ok


_POW10 = 10 ** np.arange(7, -1, -1, dtype=np.int64)


def _digits(days: np.ndarray) -> np.ndarray:
    """The eight digits of YYYYMMDD, one row per date."""
    year, month, day = _civil(days)
    return (((year * 10_000 + month * 100 + day)[:, None]) // _POW10[None, :]) % 10


def _from_digits(digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    value = digits @ _POW10
    return _days(value // 10_000, value // 100 % 100, value % 100)


def _dob_variant(
    kind: str, days: np.ndarray, rng: np.random.Generator, ctx: Context
) -> tuple[np.ndarray, np.ndarray]:
    """One draw of a corrupted birth date of kind ``kind`` for each date; returns (new days, usable)."""
    k = len(days)
    year, month, day = _civil(days)
    if kind == "dob_swap":
        swapped, ok = _days(year, day, month)
        return swapped, ok & (day <= 12) & (day != month)
    if kind == "dob_digit":
        digits = _digits(days)
        pos = rng.integers(0, 8, k)
        rows = np.arange(k)
        digits[rows, pos] = (digits[rows, pos] + rng.integers(1, 10, k)) % 10
        return _from_digits(digits)
    if kind == "dob_transposition":
        digits = _digits(days)
        pos = rng.integers(0, 7, k)
        rows = np.arange(k)
        left, right = digits[rows, pos].copy(), digits[rows, pos + 1].copy()
        digits[rows, pos], digits[rows, pos + 1] = right, left
        new, ok = _from_digits(digits)
        return new, ok & (left != right)
    if kind == "dob_wrong_year":
        step = np.where(rng.random(k) < ctx.rate("dob_wrong_year_by_ten"), 10, 1)
        sign = np.where(rng.random(k) < 0.5, -1, 1)
        return _days(year + sign * step, month, day)
    new_year = rng.random(k) < ctx.rate("dob_placeholder_new_year")
    first, ok = _days(year, np.where(new_year, 1, month), np.ones(k, dtype=np.int64))
    # A date that already is its own placeholder takes the other one (a January 1st birthday: none).
    other, ok_other = _days(year, np.where(new_year, month, 1), np.ones(k, dtype=np.int64))
    use_other = first == days
    return np.where(use_other, other, first), np.where(use_other, ok_other & (other != days), ok)


DOB_KINDS = ("dob_swap", "dob_digit", "dob_transposition", "dob_wrong_year", "dob_placeholder")
DOB_REDRAWS = 8
"""A corruption that gives an impossible or implausible date is drawn again, at most this many times."""


def _dob_noise(
    ctx: Context, system: str, ids: np.ndarray, dob: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Birth dates with at most one of the DOB noise kinds each; every result is a real date in the past."""
    n = len(dob)
    latest = ctx.as_of_us // 86_400_000_000 - 1
    u = rng.random(n)
    present = dob != NULL_TS
    out = dob.copy()
    low = 0.0
    for kind in DOB_KINDS:
        high = low + ctx.rate(kind)
        todo = np.flatnonzero(present & (u >= low) & (u < high))
        low = high
        done = np.zeros(len(todo), dtype=bool)
        new = dob[todo].copy()
        for _ in range(DOB_REDRAWS if kind != "dob_swap" else 1):
            left = np.flatnonzero(~done)
            if len(left) == 0:
                break
            cand, ok = _dob_variant(kind, dob[todo[left]], rng, ctx)
            ok &= (cand >= MIN_DOB_DAYS) & (cand <= latest) & (cand != dob[todo[left]])
            new[left[ok]] = cand[ok]
            done[left[ok]] = True
        hit = todo[done]
        out[hit] = new[done]
        if len(hit):
            before = np.datetime_as_string(dob[hit].astype("datetime64[D]"))
            after = np.datetime_as_string(out[hit].astype("datetime64[D]"))
            ctx.log(system, ids[hit], kind, np.char.add(np.char.add(before, ">"), after).astype(object))
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

    _heavy_name_noise(ctx, system, ids, first, last, rng)

    swap = u[:, 3] < ctx.rate("name_swap")
    first[swap], last[swap] = last[swap], first[swap].copy()
    _log_mask(ctx, system, ids, swap, "name_swap")


NAME_KINDS = (
    "keyboard_typo",
    "ocr_error",
    "phonetic_spelling",
    "name_truncation",
    "first_initial",
    "name_part_missing",
)
"""Heavy name corruption, applied in this order; each draws on its own, so a record can get several."""


def _corrupt_name(kind: str, text: str, u: np.ndarray, ctx: Context) -> str | None:
    """``text`` corrupted by ``kind`` with the uniforms ``u``; None when the kind does not apply to it."""
    if kind == "keyboard_typo":
        return formats.keyboard_typo(text, u, ctx.rate("keyboard_typo_insert"))
    if kind == "ocr_error":
        return formats.ocr_error(text, u[0])
    if kind == "phonetic_spelling":
        return formats.phonetic_spelling(text, u[0])
    if kind == "name_truncation":
        return formats.truncate_name(text, u[0])
    if kind == "first_initial":
        return formats.initial(text, u[0] < ctx.rate("first_initial_dot"))
    return formats.drop_name_part(text, u[0])


def _heavy_name_noise(
    ctx: Context, system: str, ids: np.ndarray, first: np.ndarray, last: np.ndarray, rng: np.random.Generator
) -> None:
    """Keyboard, OCR and phonetic errors, truncation, initials and missing parts, logged as field:before>after.

    The field is drawn (first or last name); when the kind does not apply to it, the other one is tried.
    ``first_initial`` only touches the first name; ``name_part_missing`` leaves the whole first or last name
    out when neither has several parts.
    """
    n = len(first)
    pick = rng.random((n, len(NAME_KINDS)))
    for k, kind in enumerate(NAME_KINDS):
        hit = np.flatnonzero(pick[:, k] < ctx.rate(kind))
        if len(hit) == 0:
            continue
        draws = rng.random((len(hit), 4))
        logged, details = [], []
        for j, i in enumerate(hit):
            order: tuple[str, ...] = ("first", "last") if draws[j, 3] < 0.5 else ("last", "first")
            if kind == "first_initial":
                order = ("first",)
            for field in order:
                column = first if field == "first" else last
                value = column[i]
                changed = None if value is None else _corrupt_name(kind, value, draws[j], ctx)
                if changed is not None and changed != value:
                    break
            else:
                if kind != "name_part_missing":
                    continue
                field = order[0]
                column = first if field == "first" else last
                value, changed = column[i], None
                if value is None:
                    continue
            column[i] = changed
            logged.append(ids[i])
            details.append(f"{field}_name:{value}>{changed or ''}")
        if logged:
            ctx.log(system, np.array(logged, dtype=object), kind, np.array(details, dtype=object))


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
    isolated = np.flatnonzero(pop.isolated[person])
    if "first" in fields and len(isolated):
        own = np.array([f"own email {e}" for e in out["email_clean"][isolated]], dtype=object)
        ctx.log(system, ids[isolated], "no_shared_identifier", own)
    if "phone" in fields:
        out["phone"] = _phones(ctx, pop, profile, ids, person, rng, mobile_field="mobile" in fields)
    if "mobile" in fields:
        out["mobile"] = _format(
            ctx, pop, profile, ids, person, pop.mobile_area[person], pop.mobile_sub[person], rng
        )
    dob = pop.dob[person].copy()
    if "dob" in fields:
        if profile.dob_share < 1:
            dob[rng.random(n) >= profile.dob_share] = NULL_TS
        dob = _dob_noise(ctx, system, ids, dob, rng)
    out["dob"] = dob
    moved = (pop.move_us[person] > 0) & (ts < pop.move_us[person])
    out["street"] = np.where(moved, pop.street_old[person], pop.street[person])
    out["city"] = np.where(moved, pop.city_old[person], pop.city[person])
    out["postal"] = np.where(moved, pop.postal_old[person], pop.postal[person])
    out["country"] = pop.country[person].copy()
    if any(f in fields for f in ADDRESS_FIELDS):
        now = np.empty(n, dtype=object)
        for i in np.flatnonzero(moved):
            p = person[i]
            now[i] = f"now {pop.street[p]}, {pop.postal[p]} {pop.city[p]}"
        _log_mask(ctx, system, ids, moved, "moved", now)
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
        if field == "dob":
            bad = out[field] == NULL_TS  # no date given: nothing to replace or leave out
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
