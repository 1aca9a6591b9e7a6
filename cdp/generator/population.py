"""The people behind the records: names, dates of birth, addresses, phones, emails, cards, households.

Everything is held column-wise in NumPy arrays indexed by person. Person-level noise is decided here
(name changes, email changes, moves, households sharing an email and a landline, different people with the
same name, people whose records share no identifier); record-level noise is applied later, per system, by
:mod:`cdp.generator.records`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from cdp.generator import locales
from cdp.generator.common import HISTORY_START
from cdp.generator.context import US_PER_DAY, Context, epoch_us
from cdp.generator.formats import ascii_handle, strings_from_bytes
from cdp.systems import SystemsError, system_names

MEMBERSHIP_RATE: dict[str, float] = {
    "salesforce": 0.40,
    "marketing_cloud": 0.65,
    "lms": 0.34,
    "commerce": 0.52,
    "club": 0.22,
    "mobile_app": 0.36,
    "web": 0.62,
    "travel": 0.18,
    "data_lake": 0.30,
}
"""Probability that a known person has records in a system (before the engagement multiplier)."""

SIMULATED = frozenset(MEMBERSHIP_RATE)
"""The person-bearing systems this generator simulates (one module each in cdp.generator.systems)."""


def _simulated_systems() -> tuple[str, ...]:
    """The person-bearing systems of the project's list (var `source_systems`) that the generator simulates, in the
    list's order. A declared system it does not simulate gets no feed (it builds empty); a simulated one that is not
    declared is an error: the project would not read it."""
    declared = system_names(bears_persons=True)
    undeclared = sorted(SIMULATED - set(declared))
    if undeclared:
        raise SystemsError(f"the generator simulates {', '.join(undeclared)}, which var `source_systems` of "
                           "dbt_project.yml does not declare as bearing persons")
    return tuple(name for name in declared if name in SIMULATED)


SYSTEMS: tuple[str, ...] = _simulated_systems()
"""Person-bearing systems, in the order of var `source_systems` (their order drives the random draws)."""

KIND_KNOWN, KIND_WEB_ONLY, KIND_APP_ONLY = 0, 1, 2
WEB_ONLY_SHARE = 0.06
APP_ONLY_SHARE = 0.03
DISCIPLINES: tuple[str, ...] = ("diving", "climbing", "sailing", "surfing", "skiing", "trail_running")
CARD_SALT = "cdp-synthetic-card-salt"
SPARE_EMAILS = 3
"""New personal addresses made ahead for each person whose records share no identifier (more on demand)."""


@dataclass
class Population:
    """Column-wise people table."""

    n: int
    person_id: np.ndarray
    kind: np.ndarray
    country: np.ndarray
    female: np.ndarray
    first: np.ndarray
    last: np.ndarray
    maiden: np.ndarray
    name_change_us: np.ndarray
    dob: np.ndarray
    city: np.ndarray
    street: np.ndarray
    postal: np.ndarray
    mobile_area: np.ndarray
    mobile_sub: np.ndarray
    land_area: np.ndarray
    land_sub: np.ndarray
    email: np.ndarray
    email_old: np.ndarray
    email_change_us: np.ndarray
    email_alt: np.ndarray
    household_id: np.ndarray
    household_email: np.ndarray
    shares_landline: np.ndarray
    same_name_of: np.ndarray
    app_login: np.ndarray
    card_hash: np.ndarray
    card_hash2: np.ndarray
    card_brand: np.ndarray
    discipline: np.ndarray
    systems: np.ndarray
    street_old: np.ndarray
    postal_old: np.ndarray
    city_old: np.ndarray
    move_us: np.ndarray
    isolated: np.ndarray
    taken_emails: set[str] = field(default_factory=set)
    spare_emails: dict[int, list[str]] = field(default_factory=dict)
    used_emails: dict[int, set[str]] = field(default_factory=dict)

    def in_system(self, system: str) -> np.ndarray:
        """Indices of the people with records in ``system``."""
        return np.flatnonzero(self.systems[:, SYSTEMS.index(system)])


def _sample_names(
    rng: np.random.Generator, country: np.ndarray, female: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    first = np.empty(len(country), dtype=object)
    last = np.empty(len(country), dtype=object)
    for code in locales.COUNTRIES:
        pool = locales.name_pool(code)
        here = country == code
        for is_female, values, p in ((True, pool.female, pool.female_p), (False, pool.male, pool.male_p)):
            idx = np.flatnonzero(here & (female == is_female))
            first[idx] = values[rng.choice(len(values), size=len(idx), p=p)]
        idx = np.flatnonzero(here)
        last[idx] = pool.last[rng.choice(len(pool.last), size=len(idx), p=pool.last_p)]
    return first, last


def _sample_last(rng: np.random.Generator, country: str, size: int) -> np.ndarray:
    pool = locales.name_pool(country)
    return pool.last[rng.choice(len(pool.last), size=size, p=pool.last_p)]


def _digits(rng: np.random.Generator, n: int, width: int, first_min: int = 0) -> np.ndarray:
    mat = rng.integers(0, 10, size=(n, width), dtype=np.uint8)
    if width:
        mat[:, 0] = rng.integers(first_min, 10, size=n, dtype=np.uint8)
    return np.array(strings_from_bytes(mat + ord("0")).to_pylist(), dtype=object)


def _sub_length(country: str, area: str) -> int:
    if country == "US":
        return 7
    if country in ("FR", "AU"):
        return 8
    if country == "GB":
        return {2: 8, 3: 7}.get(len(area), 6)
    return {2: 8, 3: 7}.get(len(area), 6)


_MOBILE_AREAS: dict[str, tuple[str, ...]] = {
    "GB": ("7700", "7723", "7812", "7911", "7956", "7400"),
    "FR": ("6", "7"),
    "DE": ("151", "160", "170", "176", "152"),
    "AU": ("4",),
}


def _phones(
    rng: np.random.Generator, country: np.ndarray, city_area: np.ndarray, mobile: bool
) -> tuple[np.ndarray, np.ndarray]:
    n = len(country)
    area = np.empty(n, dtype=object)
    sub = np.empty(n, dtype=object)
    for code in locales.COUNTRIES:
        idx = np.flatnonzero(country == code)
        if mobile and code in _MOBILE_AREAS:
            choices = np.array(_MOBILE_AREAS[code], dtype=object)
            area[idx] = choices[rng.integers(0, len(choices), len(idx))]
        else:
            area[idx] = city_area[idx]
        for length in (6, 7, 8):
            sel = idx[np.array([_sub_length(code, a) == length for a in area[idx]], dtype=bool)]
            sub[sel] = _digits(rng, len(sel), length, first_min=2)
    return area, sub


def _unique(values: np.ndarray, rng: np.random.Generator, taken: set[str], suffixer: str) -> np.ndarray:
    """Make strings unique against ``taken`` by appending digits (emails: before the @)."""
    out = values.copy()
    extra = rng.integers(2, 99, size=len(values))
    for i, value in enumerate(values):
        if value is None:
            continue
        candidate, k = value, 0
        while candidate in taken:
            k += 1
            tag = str(extra[i] + 97 * (k - 1))
            if suffixer == "email":
                local, _, domain = value.partition("@")
                candidate = f"{local}{tag}@{domain}"
            else:
                candidate = f"{value}{tag}"
        taken.add(candidate)
        out[i] = candidate
    return out


def _email_locals(first: np.ndarray, last: np.ndarray, year: np.ndarray, pattern: np.ndarray) -> list[str]:
    out = []
    for f, l_, y, p in zip(first, last, year, pattern, strict=True):
        fa, la = ascii_handle(f), ascii_handle(l_)
        out.append(
            (
                f"{fa}.{la}",
                f"{fa}{la}",
                f"{fa[:1]}{la}",
                f"{fa}_{la}",
                f"{fa}.{la}{y % 100:02d}",
                f"{fa}{y}",
                f"{la}.{fa}",
                f"{fa[:1]}.{la}{y % 100:02d}",
            )[p]
        )
    return out


def _personal_emails(
    rng: np.random.Generator, country: np.ndarray, first: np.ndarray, last: np.ndarray, year: np.ndarray
) -> np.ndarray:
    n = len(country)
    locals_ = _email_locals(first, last, year, rng.integers(0, 8, n))
    domains = np.empty(n, dtype=object)
    for code in locales.COUNTRIES:
        idx = np.flatnonzero(country == code)
        names = np.array([d for d, _ in locales.EMAIL_DOMAINS[code]], dtype=object)
        p = np.array([w for _, w in locales.EMAIL_DOMAINS[code]])
        domains[idx] = names[rng.choice(len(names), size=len(idx), p=p / p.sum())]
    return np.array([f"{lp}@{d}" for lp, d in zip(locals_, domains, strict=True)], dtype=object)


def _work_emails(
    rng: np.random.Generator, country: np.ndarray, first: np.ndarray, last: np.ndarray
) -> np.ndarray:
    stems = np.array(locales.WORK_DOMAIN_STEMS, dtype=object)[
        rng.integers(0, len(locales.WORK_DOMAIN_STEMS), len(first))
    ]
    return np.array(
        [
            f"{ascii_handle(f)}.{ascii_handle(la)}@{s}.{locales.WORK_DOMAIN_TLDS[c]}"
            for f, la, s, c in zip(first, last, stems, country, strict=True)
        ],
        dtype=object,
    )


def _luhn_complete(body: np.ndarray) -> np.ndarray:
    """Append the Luhn check digit to rows of digits."""
    digits = body.astype(np.int64)
    rev = digits[:, ::-1]
    doubled = rev.copy()
    doubled[:, 0::2] *= 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    check = (10 - doubled.sum(axis=1) % 10) % 10
    return np.hstack([digits, check[:, None]])


def _card_hashes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Card numbers exist only here; the function returns their salted SHA-256 hashes and the brand."""
    brand_idx = rng.choice(3, size=n, p=[0.55, 0.35, 0.10])
    body = rng.integers(0, 10, size=(n, 15), dtype=np.int64)
    body[:, 0] = np.where(brand_idx == 0, 4, 5)
    body[:, 1] = np.where(brand_idx == 1, rng.integers(1, 6, n), body[:, 1])
    full = _luhn_complete(body)
    amex_body = np.hstack(
        [np.full((n, 1), 3), rng.choice([4, 7], size=(n, 1)), rng.integers(0, 10, size=(n, 12))]
    )
    amex = _luhn_complete(amex_body)
    digits = np.where((brand_idx == 2)[:, None], np.hstack([amex, np.full((n, 1), -1)]), full)
    numbers = [
        row.rstrip("/") for row in strings_from_bytes((digits + ord("0")).astype(np.uint8)).to_pylist()
    ]
    hashes = np.array(
        [hashlib.sha256(f"{CARD_SALT}:{pan}".encode()).hexdigest() for pan in numbers], dtype=object
    )
    brands = np.array(["visa", "mastercard", "amex"], dtype=object)[brand_idx]
    return hashes, brands


def _membership(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    n = len(kind)
    engagement = np.exp(rng.normal(0.0, 0.45, n))
    engagement /= engagement.mean()
    base = np.array([MEMBERSHIP_RATE[s] for s in SYSTEMS])
    p = np.clip(base[None, :] * engagement[:, None], 0.0, 0.95)
    member = rng.random((n, len(SYSTEMS))) < p
    club, travel = SYSTEMS.index("club"), SYSTEMS.index("travel")
    member[:, travel] |= member[:, club] & (rng.random(n) < 0.2)
    empty = ~member.any(axis=1)
    member[empty, rng.choice(len(SYSTEMS), size=int(empty.sum()), p=base / base.sum())] = True
    member[kind == KIND_WEB_ONLY] = False
    member[kind == KIND_APP_ONLY] = False
    member[kind == KIND_WEB_ONLY, SYSTEMS.index("web")] = True
    member[kind == KIND_APP_ONLY, SYSTEMS.index("mobile_app")] = True
    return member


def _addresses(
    rng: np.random.Generator, country: np.ndarray, same_city: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A street address (city, its phone area code, postal code, street) for each person of ``country``.

    ``same_city``: where given (not None), the city to keep; the street, number and postal code are drawn anew.
    """
    n = len(country)
    city = np.empty(n, dtype=object)
    city_area = np.empty(n, dtype=object)
    postal = np.empty(n, dtype=object)
    street = np.empty(n, dtype=object)
    number = rng.integers(1, 220, n)
    inward_letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"), dtype=object)
    for code in locales.COUNTRIES:
        idx = np.flatnonzero(country == code)
        cities = locales.CITIES[code]
        pick = rng.choice(len(cities), size=len(idx), p=locales.city_weights(code))
        if same_city is not None:
            by_name = {c.name: k for k, c in enumerate(cities)}
            keep = np.array([same_city[i] is not None for i in idx], dtype=bool)
            pick[keep] = [by_name[same_city[i]] for i in idx[keep]]
        stem_u = rng.random(len(idx))
        roots = np.array(locales.STREET_ROOTS[code], dtype=object)[
            rng.integers(0, len(locales.STREET_ROOTS[code]), len(idx))
        ]
        words = np.array(locales.STREET_WORDS[code], dtype=object)[
            rng.integers(0, len(locales.STREET_WORDS[code]), len(idx))
        ]
        inward = rng.integers(0, 20, size=(len(idx), 2))
        for j, i in enumerate(idx):
            c = cities[pick[j]]
            city[i], city_area[i] = c.name, c.area
            stem = c.postal[int(stem_u[j] * len(c.postal))]
            if code == "GB":
                postal[i] = (
                    f"{stem} {number[i] % 9 + 1}{inward_letters[inward[j, 0]]}{inward_letters[inward[j, 1]]}"
                )
            else:
                postal[i] = stem
            if code == "FR":
                street[i] = f"{number[i]} {words[j]} {roots[j]}"
            elif code == "DE":
                street[i] = f"{roots[j]}{words[j]} {number[i]}"
            else:
                street[i] = f"{number[i]} {roots[j]} {words[j]}"
    return city, city_area, postal, street


def _moves(
    ctx: Context,
    rng: np.random.Generator,
    movers: np.ndarray,
    country: np.ndarray,
    city: np.ndarray,
    street: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Old addresses (street, postal code, city) and move times of ``movers`` (a mask); elsewhere None and 0.

    Most moves are local: a share ``moved_same_city`` of movers lived elsewhere in the same city before.
    The move happened between the start of the oldest feed and a month before ``as_of``.
    """
    n = len(country)
    idx = np.flatnonzero(movers)
    local = rng.random(len(idx)) < ctx.rate("moved_same_city")
    keep_city = np.where(local, city[idx], None)
    old_city, _, old_postal, old_street = _addresses(rng, country[idx], keep_city)
    # A redrawn address can by chance be the current street: give it another house number.
    same = np.flatnonzero(old_street == street[idx])
    for j in same:
        number = _house_number(old_street[j])
        old_street[j] = old_street[j].replace(str(number), str(number + 2), 1)
    start = epoch_us(HISTORY_START)
    end = ctx.as_of_us - 30 * US_PER_DAY
    moved_at = start + (rng.random(len(idx)) * (end - start)).astype(np.int64)
    out = [np.full(n, None, dtype=object) for _ in range(3)]
    for col, values in zip(out, (old_street, old_postal, old_city), strict=True):
        col[idx] = values
    move_us = np.zeros(n, dtype=np.int64)
    move_us[idx] = moved_at
    return out[0], out[1], out[2], move_us


def _house_number(street: str) -> int:
    return int(next(tok for tok in street.split() if tok.isdigit()))


def own_cards(rng: np.random.Generator, n: int) -> np.ndarray:
    """Hashes of ``n`` new cards, one per record, for people whose records share no card."""
    return _card_hashes(rng, n)[0] if n else np.array([], dtype=object)


def own_email(pop: Population, p: int, wanted: str | None, rng: np.random.Generator) -> str:
    """An address of person ``p`` that none of their records uses yet (``wanted`` when it is free).

    Falls back on the person's other addresses, then on the spare personal addresses made for them, then on
    a numbered variant of the main one, unique in the world (the kind a person opens for one shop or club).
    For people whose records share no identifier.
    """
    used = pop.used_emails.setdefault(p, set())
    for candidate in (wanted, pop.email[p], pop.email_alt[p], pop.email_old[p], *pop.spare_emails.get(p, ())):
        if candidate is not None and candidate not in used:
            used.add(candidate)
            return candidate
    # The main address with a number added ("anna.berg27@..."): taken by nobody yet.
    address = str(_unique(pop.email[p : p + 1], rng, pop.taken_emails, "email")[0])
    used.add(address)
    return address


THIN_SYSTEMS: tuple[str, ...] = ("marketing_cloud", "mobile_app")
"""Systems whose named records carry nothing but a name and an email (and an app login)."""


def _without_thin_systems(member: np.ndarray, isolated: np.ndarray) -> np.ndarray:
    """People whose records share no identifier are in no thin system: there a record with an address of its own
    would carry nothing but a name, which no method can resolve (a person left in no system keeps the web)."""
    member = member.copy()
    for system in THIN_SYSTEMS:
        member[isolated, SYSTEMS.index(system)] = False
    empty = isolated & ~member.any(axis=1)
    member[empty, SYSTEMS.index("web")] = True
    return member


def build_population(ctx: Context, n: int) -> Population:
    """Create ``n`` people (known, web-only and app-only) with all their person-level attributes."""
    rng = ctx.rng("people")
    as_of_day = ctx.as_of_us // US_PER_DAY
    kind = rng.choice(
        3, size=n, p=[1 - WEB_ONLY_SHARE - APP_ONLY_SHARE, WEB_ONLY_SHARE, APP_ONLY_SHARE]
    ).astype(np.int8)
    country = np.array(locales.COUNTRIES, dtype=object)[rng.choice(5, size=n, p=locales.COUNTRY_WEIGHTS)]
    female = rng.random(n) < 0.5
    first, last = _sample_names(rng, country, female)
    age_days = (18 * 365.25 + rng.beta(1.6, 2.6, n) * 60 * 365.25).astype(np.int64)
    dob = as_of_day - age_days
    known = kind == KIND_KNOWN

    city, city_area, postal, street = _addresses(rng, country)

    mobile_area, mobile_sub = _phones(rng, country, city_area, mobile=True)
    has_land = rng.random(n) < 0.35
    land_area, land_sub = _phones(rng, country, city_area, mobile=False)

    # Households: a joiner moves in with a head of the same country.
    household_id = np.array([f"H{i + 1:07d}" for i in range(n)], dtype=object)
    household_email = np.full(n, None, dtype=object)
    shares_landline = np.zeros(n, dtype=bool)
    joiner = known & (rng.random(n) < ctx.rate("household"))
    heads = np.full(n, -1, dtype=np.int64)
    for code in locales.COUNTRIES:
        pool = np.flatnonzero(known & ~joiner & (country == code))
        js = np.flatnonzero(joiner & (country == code))
        if len(pool) == 0:
            joiner[js] = False
            continue
        heads[js] = pool[rng.integers(0, len(pool), len(js))]
    joiners = np.flatnonzero(joiner)
    h = heads[joiners]
    for col in (city, city_area, postal, street):
        col[joiners] = col[h]
    take_name = rng.random(len(joiners)) < 0.7
    last[joiners[take_name]] = last[h[take_name]]
    household_id[joiners] = household_id[h]
    has_land[h] = True
    land_area[joiners], land_sub[joiners] = land_area[h], land_sub[h]
    has_land[joiners] = True
    shares_landline[joiners] = True
    shares_landline[h] = True
    land_area[~has_land] = None
    land_sub[~has_land] = None

    # Different people with the same name (half of them in the same city).
    same_name_of = np.full(n, -1, dtype=np.int64)
    copier = known & ~joiner & (rng.random(n) < ctx.rate("same_name"))
    copier[h] = False
    for code in locales.COUNTRIES:
        cs = np.flatnonzero(copier & (country == code))
        pool = np.flatnonzero(known & ~copier & ~joiner & (country == code))
        if len(pool) == 0 or len(cs) == 0:
            continue
        src = pool[rng.integers(0, len(pool), len(cs))]
        first[cs], last[cs], female[cs] = first[src], last[src], female[src]
        same_city = rng.random(len(cs)) < 0.5
        city[cs[same_city]] = city[src[same_city]]
        postal[cs[same_city]] = postal[src[same_city]]
        same_name_of[cs] = src

    # Moves: records last updated before the move carry the old address. A household moved in together.
    mover = known & ~joiner & (rng.random(n) < ctx.rate("moved"))
    street_old, postal_old, city_old, move_us = _moves(ctx, rng, mover, country, city, street)
    for col in (street_old, postal_old, city_old, move_us):
        col[joiners] = col[h]

    # Married names: the canonical last name is the current one; older records carry the maiden name.
    maiden = np.full(n, None, dtype=object)
    name_change_us = np.zeros(n, dtype=np.int64)
    changes = known & female & (age_days > 26 * 365) & (rng.random(n) < ctx.rate("name_change") * 2)
    for code in locales.COUNTRIES:
        idx = np.flatnonzero(changes & (country == code))
        maiden[idx] = _sample_last(rng, code, len(idx))
    same = np.flatnonzero(changes & (maiden == last))
    changes[same] = False
    maiden[same] = None
    span = 8 * 365 * US_PER_DAY
    name_change_us[changes] = (
        ctx.as_of_us - 30 * US_PER_DAY - (rng.random(int(changes.sum())) * span).astype(np.int64)
    )

    year = 1970 + (dob // 365.25).astype(np.int64)
    taken: set[str] = set()
    email = _unique(_personal_emails(rng, country, first, last, year), rng, taken, "email")
    email_change = (rng.random(n) < ctx.rate("email_change")) | (changes & (rng.random(n) < 0.6))
    old_last = np.where(changes, maiden, last)
    email_old = np.where(email_change, _personal_emails(rng, country, first, old_last, year), None)
    email_old = _unique(email_old, rng, taken, "email")
    email_change_us = np.where(
        email_change,
        ctx.as_of_us - 30 * US_PER_DAY - (rng.random(n) * 6 * 365 * US_PER_DAY).astype(np.int64),
        0,
    )
    email_change_us = np.where(
        changes & email_change, np.maximum(email_change_us, name_change_us), email_change_us
    )
    has_alt = rng.random(n) < 0.5
    work = rng.random(n) < 0.5
    alt = np.where(
        work, _work_emails(rng, country, first, last), _personal_emails(rng, country, first, last, year)
    )
    email_alt = _unique(np.where(has_alt, alt, None), rng, taken, "email")

    hh_heads = np.unique(h)
    family = _personal_emails(
        rng,
        country[hh_heads],
        np.full(len(hh_heads), "the", dtype=object),
        np.array([f"{ln}family" for ln in last[hh_heads]], dtype=object),
        year[hh_heads],
    )
    family = _unique(family, rng, taken, "email")
    hh_mail = np.where(rng.random(len(hh_heads)) < 0.5, email[hh_heads], family)
    head_mail = dict(zip(hh_heads.tolist(), hh_mail.tolist(), strict=True))
    household_email[hh_heads] = hh_mail
    household_email[joiners] = [head_mail[x] for x in h.tolist()]

    # People whose named records share no exact identifier: their app login is never an email address, and
    # they have spare personal addresses for the records their usual ones do not cover.
    isolated = known & (rng.random(n) < ctx.rate("no_shared_identifier"))
    owners = np.repeat(np.flatnonzero(isolated), SPARE_EMAILS)
    spares = _unique(
        _personal_emails(rng, country[owners], first[owners], last[owners], year[owners]), rng, taken, "email"
    )
    spare_emails: dict[int, list[str]] = {}
    for p, address in zip(owners.tolist(), spares.tolist(), strict=True):
        spare_emails.setdefault(p, []).append(address)
    login_style = np.where(isolated, rng.integers(0, 4, n), rng.integers(0, 5, n))
    logins = np.empty(n, dtype=object)
    for i in range(n):
        f, la = ascii_handle(first[i]), ascii_handle(last[i])
        logins[i] = (
            f"{f[:1]}{la}",
            f"{f}{la[:1]}{year[i] % 100:02d}",
            f"{f}_{DISCIPLINES[i % 6][:4]}",
            f"{la}{f[:2]}",
            email[i],
        )[login_style[i]]
    app_login = _unique(logins, rng, set(), "login")

    hashes, brands = _card_hashes(rng, n)
    second, _ = _card_hashes(rng, n)
    card_hash2 = np.where(rng.random(n) < 0.3, second, None)

    return Population(
        n=n,
        person_id=np.array([f"P{i + 1:07d}" for i in range(n)], dtype=object),
        kind=kind,
        country=country,
        female=female,
        first=first,
        last=last,
        maiden=maiden,
        name_change_us=name_change_us,
        dob=dob,
        city=city,
        street=street,
        postal=postal,
        mobile_area=mobile_area,
        mobile_sub=mobile_sub,
        land_area=land_area,
        land_sub=land_sub,
        email=email,
        email_old=email_old,
        email_change_us=email_change_us,
        email_alt=email_alt,
        household_id=household_id,
        household_email=household_email,
        shares_landline=shares_landline,
        same_name_of=same_name_of,
        app_login=app_login,
        card_hash=hashes,
        card_hash2=card_hash2,
        card_brand=brands,
        discipline=np.array(DISCIPLINES, dtype=object)[rng.integers(0, len(DISCIPLINES), n)],
        systems=_without_thin_systems(_membership(rng, kind), isolated),
        street_old=street_old,
        postal_old=postal_old,
        city_old=city_old,
        move_us=move_us,
        isolated=isolated,
        taken_emails=taken,
        spare_emails=spare_emails,
    )
