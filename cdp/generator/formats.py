"""String building blocks: IDs, phone and postal-code formats, and the string-level noise functions.

ID builders are vectorised (NumPy byte matrices turned into Arrow string arrays without a Python loop),
because event tables hold millions of rows. The noise functions work on one string at a time and take
their randomness as a row of pre-drawn uniforms, so they stay deterministic and are only ever applied to
the small share of values that get noise.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa

from cdp.generator.locales import CALLING_CODE, fold_ascii, transliterate

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_HEX_UPPER = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
_SF_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)
_PNR = np.frombuffer(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", dtype=np.uint8)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def strings_from_bytes(matrix: np.ndarray) -> pa.StringArray:
    """Turn an ``(n, width)`` uint8 matrix of ASCII codes into an Arrow string array of fixed width."""
    n, width = matrix.shape
    offsets = (np.arange(n + 1, dtype=np.int64) * width).astype(np.int32 if n * width < 2**31 else np.int64)
    data = np.ascontiguousarray(matrix, dtype=np.uint8)
    kind = pa.string() if offsets.dtype == np.int32 else pa.large_string()
    arr = pa.Array.from_buffers(kind, n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return arr.cast(pa.string())


def _digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative integers as an ``(n, width)`` ASCII matrix."""
    values = np.asarray(values, dtype=np.uint64)
    powers = np.uint64(10) ** np.arange(width - 1, -1, -1, dtype=np.uint64)
    return _DIGITS[(values[:, None] // powers[None, :]) % np.uint64(10)]


def _prefix_matrix(prefix: str, n: int) -> np.ndarray:
    return np.tile(np.frombuffer(prefix.encode("ascii"), dtype=np.uint8), (n, 1))


def numbered_ids(prefix: str, values: np.ndarray, width: int) -> pa.StringArray:
    """``prefix`` followed by zero-padded numbers, e.g. ``numbered_ids("L", [7], 7)`` -> ``L0000007``."""
    values = np.asarray(values)
    parts = [_digit_matrix(values, width)]
    if prefix:
        parts.insert(0, _prefix_matrix(prefix, len(values)))
    return strings_from_bytes(np.hstack(parts))


def scrambled(values: np.ndarray, salt: int) -> np.ndarray:
    """A bijective 64-bit scramble of integers: distinct inputs give distinct, random-looking outputs."""
    x = np.asarray(values, dtype=np.uint64) ^ np.uint64(salt & 0xFFFFFFFFFFFFFFFF)
    with np.errstate(over="ignore"):
        x = x * _MIX
        x ^= x >> np.uint64(31)
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(29)
    return x


def _hex_matrix(words: np.ndarray, upper: bool = False) -> np.ndarray:
    """16 hex characters per uint64."""
    table = _HEX_UPPER if upper else _HEX
    shifts = np.arange(60, -4, -4, dtype=np.uint64)
    return table[(np.asarray(words, dtype=np.uint64)[:, None] >> shifts[None, :]) & np.uint64(15)]


def uuid_ids(counter: np.ndarray, rng: np.random.Generator, salt: int, upper: bool = False) -> pa.StringArray:
    """UUID-v4-looking strings, unique per counter value (the first half is a bijection of the counter)."""
    n = len(counter)
    high = _hex_matrix(scrambled(counter, salt), upper)
    low = _hex_matrix(rng.integers(0, 2**63, size=n, dtype=np.int64).astype(np.uint64), upper)
    body = np.hstack([high, low])
    body[:, 12] = ord("4")
    body[:, 16] = (_HEX_UPPER if upper else _HEX)[8 + (scrambled(counter, salt + 1) % np.uint64(4))]
    dash = np.full((n, 1), ord("-"), dtype=np.uint8)
    return strings_from_bytes(
        np.hstack(
            [body[:, :8], dash, body[:, 8:12], dash, body[:, 12:16], dash, body[:, 16:20], dash, body[:, 20:]]
        )
    )


def base62_ids(prefix: str, counter: np.ndarray, salt: int, width: int) -> np.ndarray:
    """``prefix`` + ``width`` base-62 characters, distinct per counter value; returns a uint8 matrix."""
    modulus = 62**width
    multiplier = 2_147_483_629
    offset = salt % modulus
    values = (np.asarray(counter, dtype=np.uint64) * np.uint64(multiplier) + np.uint64(offset)) % np.uint64(
        modulus
    )
    powers = np.uint64(62) ** np.arange(width - 1, -1, -1, dtype=np.uint64)
    body = _BASE62[(values[:, None] // powers[None, :]) % np.uint64(62)]
    return np.hstack([_prefix_matrix(prefix, len(values)), body])


def salesforce_ids(key_prefix: str, counter: np.ndarray, salt: int) -> pa.StringArray:
    """18-character case-safe Salesforce IDs: 3-char key prefix, pod, 9 base-62 chars, checksum suffix."""
    head = base62_ids(key_prefix + "8d0", counter, salt, 9)
    upper = (head >= ord("A")) & (head <= ord("Z"))
    bits = (2 ** np.arange(5)).astype(np.int64)
    suffix = np.stack(
        [_SF_SUFFIX[(upper[:, 5 * k : 5 * k + 5] * bits).sum(axis=1)] for k in range(3)], axis=1
    )
    return strings_from_bytes(np.hstack([head, suffix]))


def pnr_codes(counter: np.ndarray, salt: int) -> pa.StringArray:
    """Six-character booking references (PNR style, no 0/O/1/I), distinct per counter value (< 32**6)."""
    modulus = 32**6
    values = (
        np.asarray(counter, dtype=np.uint64) * np.uint64(387_420_489) + np.uint64(salt % modulus)
    ) % np.uint64(modulus)
    powers = np.uint64(32) ** np.arange(5, -1, -1, dtype=np.uint64)
    return strings_from_bytes(_PNR[(values[:, None] // powers[None, :]) % np.uint64(32)])


def to_objects(arr: pa.Array) -> np.ndarray:
    """An Arrow string array as a NumPy object array of Python strings."""
    return np.array(arr.to_pylist(), dtype=object)


# ---------------------------------------------------------------- phones


def _group(digits: str, sizes: tuple[int, ...]) -> str:
    parts, pos = [], 0
    for size in sizes:
        parts.append(digits[pos : pos + size])
        pos += size
    if pos < len(digits):
        parts.append(digits[pos:])
    return " ".join(p for p in parts if p)


def _subscriber_groups(country: str, area: str, sub: str) -> str:
    if country == "US":
        return f"{sub[:3]}-{sub[3:]}"
    if country == "GB":
        return _group(sub, (4, 4)) if len(sub) == 8 else _group(sub, (3, 4)) if len(sub) == 7 else sub
    if country == "AU":
        return _group(sub, (2, 3, 3)) if area == "4" else _group(sub, (4, 4))
    if country == "FR":
        return _group(sub, (2, 2, 2, 2))
    return sub


PHONE_VARIANTS = 6
"""Number of formats every country's phone formatter knows (variant 0 is the usual national format)."""


def format_phone(country: str, area: str, sub: str, variant: int) -> str:
    """Write a phone number (country, area code, subscriber number) in one of ``PHONE_VARIANTS`` formats."""
    cc = CALLING_CODE[country]
    grouped = _subscriber_groups(country, area, sub).replace("-", " ")
    if country == "US":
        formats = (
            f"({area}) {sub[:3]}-{sub[3:]}",
            f"{area}-{sub[:3]}-{sub[3:]}",
            f"+1 {area} {sub[:3]} {sub[3:]}",
            f"+1{area}{sub}",
            f"{area}.{sub[:3]}.{sub[3:]}",
            f"1-{area}-{sub[:3]}-{sub[3:]}",
        )
    elif country == "FR":
        pairs = _group(area + sub, (1, 2, 2, 2, 2))
        formats = (
            f"0{area} {grouped}",
            f"0{area}{sub}",
            f"+33 {pairs}",
            f"+33{area}{sub}",
            f"0033 {pairs}",
            f"0{area}.{sub[:2]}.{sub[2:4]}.{sub[4:6]}.{sub[6:]}",
        )
    elif country == "AU" and area == "4":
        formats = (
            f"04{sub[:2]} {sub[2:5]} {sub[5:]}",
            f"04{sub}",
            f"+61 4{sub[:2]} {sub[2:5]} {sub[5:]}",
            f"+614{sub}",
            f"0061 4{sub[:2]} {sub[2:5]} {sub[5:]}",
            f"(04{sub[:2]}) {sub[2:5]} {sub[5:]}",
        )
    else:
        national = f"(0{area}) {grouped}" if country == "AU" else f"0{area} {grouped}"
        formats = (
            national,
            f"0{area}{sub}" if country != "DE" else f"0{area}/{sub}",
            f"+{cc} {area} {grouped}",
            f"+{cc}{area}{sub}",
            f"00{cc} {area} {grouped}",
            f"+{cc} (0){area} {grouped}",
        )
    return formats[variant % PHONE_VARIANTS]


def phone_digits(text: str) -> str:
    """Digits of a formatted phone number."""
    return "".join(ch for ch in text if ch.isdigit())


# ---------------------------------------------------------------- postal codes and streets

_AU_STATE = {"0": "NT", "2": "NSW", "3": "VIC", "4": "QLD", "5": "SA", "6": "WA", "7": "TAS"}


def postal_variant(country: str, code: str, u: float, plus4: int) -> str:
    """A different but equivalent way of writing a postal code."""
    if country == "GB":
        squashed = code.replace(" ", "")
        return squashed.lower() if u < 0.5 else squashed if u < 0.75 else code.lower()
    if code.startswith("0") and u < 0.6:
        return code.lstrip("0")
    if country == "US":
        return f"{code}-{plus4:04d}"
    if country == "DE":
        return f"D-{code}"
    if country == "FR":
        return f"F-{code}" if u < 0.8 else f"{code[:2]} {code[2:]}"
    return f"{_AU_STATE.get(code[0], 'NSW')} {code}"


def street_variant(street: str, abbreviations: dict[str, str], u: float) -> str:
    """Abbreviate (or expand) the street type, or add an apartment when nothing can be abbreviated."""
    for long, short in abbreviations.items():
        if long in street:
            return street.replace(long, short)
        if short in street.split():
            return street.replace(short, long)
    if u < 0.5:
        return street.upper()
    return f"{street}, Apt {int(u * 40) + 1}"


# ---------------------------------------------------------------- name, email and phone noise


def typo(text: str, u: np.ndarray) -> str:
    """One or two random edits (substitute, delete, insert, transpose) inside a name."""
    edits = 1 if u[0] < 0.8 else 2
    out = text
    for k in range(edits):
        op, where, letter = u[1 + 3 * k], u[2 + 3 * k], u[3 + 3 * k]
        if len(out) < 3:
            op = 0.1
        pos = 1 + int(where * (len(out) - 1)) if len(out) > 1 else 0
        pos = min(pos, len(out) - 1)
        char = _LETTERS[int(letter * 26)]
        if op < 0.35:
            out = out[:pos] + char + out[pos + 1 :]
        elif op < 0.6:
            out = out[:pos] + out[pos + 1 :]
        elif op < 0.8:
            out = out[:pos] + char + out[pos:]
        elif pos < len(out) - 1:
            out = out[:pos] + out[pos + 1] + out[pos] + out[pos + 2 :]
        else:
            out = out[:pos] + char
    if out == text:
        out = text + _LETTERS[int(u[0] * 26)]
    return out


_QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _qwerty_neighbours() -> dict[str, str]:
    """Keys touching each letter on a staggered QWERTY keyboard (same row, and the two keys above and below)."""
    where = {ch: (r, c) for r, row in enumerate(_QWERTY_ROWS) for c, ch in enumerate(row)}
    out = {}
    for ch, (r, c) in where.items():
        spots = [(r, c - 1), (r, c + 1), (r - 1, c), (r - 1, c + 1), (r + 1, c - 1), (r + 1, c)]
        out[ch] = "".join(
            _QWERTY_ROWS[rr][cc] for rr, cc in spots if 0 <= rr < 3 and 0 <= cc < len(_QWERTY_ROWS[rr])
        )
    return out


QWERTY_NEIGHBOURS: dict[str, str] = _qwerty_neighbours()
"""Neighbouring keys of every lower-case letter (``s`` -> ``adwezx``)."""

OCR_CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("rn", "m"),
    ("m", "rn"),
    ("cl", "d"),
    ("d", "cl"),
    ("vv", "w"),
    ("w", "vv"),
    ("li", "h"),
    ("h", "li"),
    ("i", "l"),
    ("l", "i"),
    ("I", "l"),
)
"""Letter shapes an OCR engine or a hurried reader confuses (letters only: a digit would void the name)."""

PHONETIC_RESPELLINGS: tuple[tuple[str, str], ...] = (
    ("ph", "f"),
    ("f", "ph"),
    ("ck", "k"),
    ("c", "k"),
    ("k", "c"),
    ("ie", "y"),
    ("y", "ie"),
    ("y", "i"),
    ("i", "y"),
    ("ey", "y"),
    ("th", "t"),
    ("z", "s"),
    ("s", "z"),
    ("ou", "u"),
    ("ll", "l"),
    ("nn", "n"),
    ("tt", "t"),
    ("ss", "s"),
    ("rr", "r"),
    ("mm", "m"),
    ("ff", "f"),
)
"""Spellings of the same sound: a name written down as it was heard."""
_DOUBLABLE = "bdfglmnprst"
_VOWELS = "aeiouy"


def _match_case(original: str, replacement: str) -> str:
    """``replacement`` with the case of the first letter of ``original`` (``Ph`` -> ``F``)."""
    if original[:1].isupper() and replacement:
        return replacement[0].upper() + replacement[1:]
    return replacement


def keyboard_typo(text: str, u: np.ndarray, insert_share: float) -> str | None:
    """One letter replaced by a neighbouring QWERTY key, or (``insert_share``) the neighbour typed before it.

    ``u`` holds three uniforms: which letter, which neighbour, replace or insert. None when the name has no
    plain ASCII letter.
    """
    spots = [i for i, ch in enumerate(text) if ch.lower() in QWERTY_NEIGHBOURS]
    if not spots:
        return None
    pos = spots[int(u[0] * len(spots))]
    ch = text[pos]
    options = QWERTY_NEIGHBOURS[ch.lower()]
    key = options[int(u[1] * len(options))]
    key = key.upper() if ch.isupper() else key
    if u[2] < insert_share:
        return text[:pos] + key + text[pos:]
    return text[:pos] + key + text[pos + 1 :]


def _rule_spots(
    text: str, rules: tuple[tuple[str, str], ...], case_sensitive: bool
) -> list[tuple[int, str, str]]:
    haystack = text if case_sensitive else text.lower()
    spots = []
    for old, new in rules:
        start = haystack.find(old)
        while start >= 0:
            spots.append((start, old, new))
            start = haystack.find(old, start + 1)
    return spots


def ocr_error(text: str, u: float) -> str | None:
    """One misread letter shape (``Emma`` -> ``Ernma``, ``William`` -> ``Wilham``, ``Ian`` -> ``lan``).

    Only lower-case shapes are confused (and a leading capital I). None when the name has none.
    """
    spots = _rule_spots(text, OCR_CONFUSIONS, case_sensitive=True)
    if not spots:
        return None
    pos, old, new = spots[int(u * len(spots))]
    return text[:pos] + new + text[pos + len(old) :]


def _sounds_alike(low: str, pos: int, old: str, new: str) -> bool:
    """Whether a respelling keeps the sound where it applies (no ``Jack`` -> ``Jakk``, ``Yvonne`` -> ``Ievonne``)."""
    before, after = low[pos - 1 : pos], low[pos + len(old) : pos + len(old) + 1]
    if old == "c":
        return after not in ("k", "h", "e", "i", "y")
    if old == "k":
        return before != "c"
    if (old, new) == ("y", "ie"):
        return pos > 0 and after == ""
    if old in ("s", "z"):
        return before != old and after != old
    return True


def phonetic_spelling(text: str, u: float) -> str | None:
    """The name spelt another way it sounds: one respelling rule, or a consonant between vowels doubled.

    None when no rule applies.
    """
    low = text.lower()
    spots = [s for s in _rule_spots(text, PHONETIC_RESPELLINGS, case_sensitive=False) if _sounds_alike(low, *s)]
    for i in range(1, len(low) - 1):
        ch = low[i]
        if ch in _DOUBLABLE and low[i - 1] in _VOWELS and low[i + 1] in _VOWELS:
            spots.append((i, ch, ch + ch))
    if not spots:
        return None
    pos, old, new = spots[int(u * len(spots))]
    out = text[:pos] + _match_case(text[pos : pos + len(old)], new) + text[pos + len(old) :]
    return out if out != text else None


def truncate_name(text: str, u: float) -> str | None:
    """A long name (7+ letters) cut after 4 to 6 letters; None for a shorter one."""
    if len(text) < 7:
        return None
    keep = min(4 + int(u * 3), len(text) - 2)
    return text[:keep].rstrip(" -")


def initial(text: str, with_dot: bool) -> str | None:
    """The name's first letter, with or without a dot; None when the name is a single letter already."""
    if len(text) < 2:
        return None
    return f"{text[0].upper()}." if with_dot else text[0].upper()


def drop_name_part(text: str, u: float) -> str | None:
    """A multi-part name (``Anna-Lena``, ``Da Silva``) without one of its parts; None for a one-part name."""
    parts = [p for p in text.replace("-", " ").split(" ") if p]
    if len(parts) < 2:
        return None
    parts.pop(int(u * len(parts)))
    sep = "-" if "-" in text and " " not in text else " "
    return sep.join(parts)


def case_whitespace(text: str, u: float) -> str:
    """Upper case, lower case, stray or doubled spaces."""
    if u < 0.3:
        return text.upper()
    if u < 0.55:
        return text.lower()
    if u < 0.75:
        return f" {text}" if u < 0.65 else f"{text} "
    return text.replace(" ", "  ") if " " in text else f"{text}  "


def accent_variant(text: str, u: float) -> str:
    """The name without its accents: folded ('Jose') or transliterated ('Mueller')."""
    return transliterate(text) if u < 0.5 else fold_ascii(text)


def has_accent(text: str) -> bool:
    """True when a name has non-ASCII letters."""
    return not text.isascii()


def malformed_email(email: str, u: float) -> str:
    """A broken email address derived from a real one."""
    local, _, domain = email.partition("@")
    if u < 0.3:
        return f"{local}@{domain.rsplit('.', 1)[0]}"
    if u < 0.5:
        return f"{local.replace('.', ' ', 1) if '.' in local else local[:2] + ' ' + local[2:]}@{domain}"
    if u < 0.7:
        return f"@{domain}"
    if u < 0.85:
        return f"{local}@@{domain}"
    return f"{local}.{domain}"


def malformed_phone(text: str, u: float) -> str:
    """A broken phone: truncated digits or an extension only."""
    if u < 0.4:
        return phone_digits(text)[-5:]
    if u < 0.7:
        return f"ext {10 + int(u * 80)}"
    return phone_digits(text)[:4]


JUNK_EMAILS: tuple[str, ...] = (
    "test@test.com",
    "noemail@example.com",
    "none@none.com",
    "N/A",
    "unknown",
    "na@na.com",
)
JUNK_PHONES: tuple[str, ...] = ("0000000000", "1234567890", "N/A", "unknown", "000-000-0000", "999999999")
JUNK_NAMES: tuple[str, ...] = ("Unknown", "N/A", "Test", "XXX", "none")


@cache
def ascii_handle(text: str) -> str:
    """Lower-case ASCII form of a name for email local parts and logins."""
    return "".join(ch for ch in fold_ascii(text).lower() if ch.isalnum())
