"""Noise kinds and their rates: the single place where the generator's realism is tuned.

Every record-level noise the generator applies is written to ``truth/noise.parquet`` under one of the
kinds below. Rates are probabilities; the *unit* column says what the probability applies to. They are
plain data so a caller can copy ``RATES``, change a value and pass it to ``generate(..., rates=...)``.
``docs/synthetic_data.md`` documents the same table for readers of the data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoiseKind:
    """One named kind of noise: its default rate, what the rate applies to, and what it looks like."""

    rate: float
    unit: str
    description: str


RATES: dict[str, NoiseKind] = {
    "typo": NoiseKind(
        0.01, "record", "edit distance 1-2 in the first or the last name (random letters: insert, delete, ...)"
    ),
    "keyboard_typo": NoiseKind(
        0.01,
        "record",
        "a letter of the first or last name replaced by a neighbouring QWERTY key (a tenth: the key typed before it)",
    ),
    "ocr_error": NoiseKind(
        0.01, "record whose name has a confusable letter", "letters misread: rn<->m, cl<->d, vv<->w, li<->h, i<->l"
    ),
    "phonetic_spelling": NoiseKind(
        0.01,
        "record whose name has a respellable sound",
        "spelt as it sounds: ph<->f, ck/c<->k, y<->i, ie<->y, doubled or single consonants, ...",
    ),
    "name_truncation": NoiseKind(
        0.005, "record with a name of 7+ letters", "a long first or last name cut after 4-6 letters"
    ),
    "first_initial": NoiseKind(0.01, "record", "first name written as its initial, with or without a dot (J., J)"),
    "name_part_missing": NoiseKind(
        0.01,
        "record",
        "one part of a multi-part name dropped (Anna-Lena -> Anna), else the first or last name left out",
    ),
    "nickname": NoiseKind(
        0.08, "record whose first name has a nickname", "first name replaced by a nickname (Robert -> Bob)"
    ),
    "name_swap": NoiseKind(0.008, "record", "first and last name swapped"),
    "name_change": NoiseKind(
        0.03, "person", "married name: records last updated before the change carry the previous last name"
    ),
    "moved": NoiseKind(
        0.35,
        "person",
        "moved house since 2018: records last updated before the move carry the old street, postal code, city",
    ),
    "no_shared_identifier": NoiseKind(
        0.05,
        "person",
        "named records share no email, member ID, certification ID, card hash or app login",
    ),
    "email_change": NoiseKind(
        0.15, "person", "new email address: records last updated before the change carry the old address"
    ),
    "system_email": NoiseKind(
        0.12, "record (LMS: 0.55)", "the person's other (personal or work) address instead of the main one"
    ),
    "missing_field": NoiseKind(0.01, "PII field", "a PII field left empty (null)"),
    "phone_format": NoiseKind(
        0.35,
        "phone field",
        "phone written in another national or international format than the system's usual one",
    ),
    "postal_variant": NoiseKind(
        0.07, "record", "postal code variant: ZIP+4, lost leading zero, 'sw1a1aa' instead of 'SW1A 1AA'"
    ),
    "address_variant": NoiseKind(0.07, "record", "street abbreviated or expanded (Street/St, Straße/Str.)"),
    "case_whitespace": NoiseKind(
        0.04, "record", "names or email in upper/lower case, doubled or stray spaces"
    ),
    "accent_drop": NoiseKind(
        0.35,
        "record whose name has accents",
        "accents dropped or transliterated (José -> Jose, Müller -> Mueller)",
    ),
    "duplicate_record": NoiseKind(
        0.03, "person in a system (data lake: 0.06)", "a second record of the same person in the same system"
    ),
    "household_email": NoiseKind(
        0.45, "record of a household member", "the email shared by the household instead of a personal one"
    ),
    "household_phone": NoiseKind(
        0.5, "record of a household member", "the landline shared by the household instead of a mobile"
    ),
    "junk_value": NoiseKind(
        0.012, "PII field", "placeholder value: test@test.com, N/A, unknown, 0000000000, DOB 1900-01-01"
    ),
    "malformed_email": NoiseKind(0.006, "email field", "broken email: 'john.smith@gmail', '@yahoo.com'"),
    "malformed_phone": NoiseKind(0.005, "phone field", "broken phone: '12345', 'ext 22'"),
    "dob_swap": NoiseKind(
        0.01, "record with a date of birth", "day and month of the date of birth swapped (when both <= 12)"
    ),
    "dob_digit": NoiseKind(0.006, "record with a date of birth", "one digit of YYYYMMDD replaced by another"),
    "dob_transposition": NoiseKind(
        0.003, "record with a date of birth", "two adjacent digits of YYYYMMDD transposed (1987 -> 1978)"
    ),
    "dob_wrong_year": NoiseKind(
        0.005, "record with a date of birth", "birth year off by one (or, for a fifth of them, by ten)"
    ),
    "dob_placeholder": NoiseKind(
        0.005,
        "record with a date of birth",
        "placeholder date: January 1st of the birth year, or the first of the birth month",
    ),
    "id_whitespace": NoiseKind(0.002, "record ID", "a stray leading or trailing space in an ID"),
    "redelivered_row": NoiseKind(
        0.003, "row of a table in REDELIVERED_TABLES", "same primary key delivered twice, later _loaded_at"
    ),
    "same_name": NoiseKind(
        0.006, "person", "a different person with exactly the same first and last name (half: same city too)"
    ),
    "household": NoiseKind(
        0.025, "person", "joins another person's household: same address, often same last name"
    ),
    "late_login": NoiseKind(
        0.7, "cookie or device of a known person", "anonymous events first, user/app login only after sign-in"
    ),
    "shared_device": NoiseKind(
        0.03, "signed-in device", "a family device: app events with several app logins (truth: main user)"
    ),
    "subscriber_key_email": NoiseKind(
        0.12, "subscriber", "legacy practice: the subscriber key is the email address itself"
    ),
    "country_name": NoiseKind(
        0.15, "CRM / legacy record", "country written as a name ('United Kingdom', 'Deutschland')"
    ),
    "unmatched_reference": NoiseKind(
        0.02, "consent event (deletion request: 0.10)", "references a record or email that exists nowhere"
    ),
}
"""Default rates of every noise kind."""

SHARES: dict[str, float] = {
    "moved_same_city": 0.65,
    "dob_wrong_year_by_ten": 0.2,
    "dob_placeholder_new_year": 0.5,
    "first_initial_dot": 0.5,
    "keyboard_typo_insert": 0.1,
}
"""How a noise kind splits between its variants; plain data, overridable like a rate.

``moved_same_city``: movers whose old address is in the same city (a new street and number); the others
come from another city of the same country. ``dob_wrong_year_by_ten``: wrong years that are off by ten
instead of one. ``dob_placeholder_new_year``: placeholder dates that are January 1st (the others: the
first of the right month). ``first_initial_dot``: initials written with a dot. ``keyboard_typo_insert``:
keyboard typos that insert the neighbouring key before the letter instead of replacing it.
"""

REDELIVERED_TABLES: tuple[str, ...] = (
    "salesforce.contact",
    "commerce.customer",
    "commerce.orders",
    "marketing_cloud.subscriber",
    "web.event",
    "mobile_app.app_event",
)
"""Tables where the ingestion tool re-delivers a few rows (same key, later ``_loaded_at``)."""

LMS_SYSTEM_EMAIL_RATE = 0.55
"""LMS learners log in with a personal address much more often than other systems' records."""

LEGACY_DUPLICATE_RATE = 0.06
"""The legacy customer master merged several old systems and holds more duplicates."""

DELETION_UNMATCHED_RATE = 0.10
"""Share of deletion requests that name an email or record found nowhere."""

DELETION_REQUEST_RATE = 0.005
"""Share of people who file a right-to-be-forgotten request."""


def rate(kind: str, rates: dict[str, float] | None = None) -> float:
    """Rate of a noise kind (or a share of :data:`SHARES`), taking an override from ``rates`` when given."""
    if rates and kind in rates:
        return float(rates[kind])
    if kind in SHARES:
        return SHARES[kind]
    return RATES[kind].rate
