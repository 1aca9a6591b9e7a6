"""Tests of the synthetic data generator: contract, truth, noise, privacy and determinism.

A small world is generated once per session (plus a same-seed and a different-seed twin for the
determinism tests); every test reads those files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from cdp.generator import formats, generate, noise, schema
from cdp.generator.formats import JUNK_EMAILS, JUNK_NAMES, JUNK_PHONES
from cdp.generator.locales import NICKNAMES
from cdp.generator.population import THIN_SYSTEMS
from cdp.generator.records import DOB_KINDS
from cdp.systems import system_names

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 1)
PEOPLE = 500
BIG_PEOPLE = 3000
"""The world the rate tests read: a few thousand people, so a 0.5 % noise kind occurs dozens of times."""
SEED = 7
SOURCE_TYPES = {
    "varchar": pa.string(),
    "integer": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}
SYSTEMS = system_names()
"""Every source system of the project (var `source_systems`): the generator writes a feed for each."""
FUTURE_BY_DESIGN = {("lms.certification", "expires_at")}
PAN_PATTERN = re.compile(r"\b(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{5})\b")


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("world")
    stats = generate(out, PEOPLE, SEED, AS_OF, progress=False)
    return out, stats


@pytest.fixture(scope="session")
def out(world: tuple[Path, dict]) -> Path:
    return world[0]


@pytest.fixture(scope="session")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("big")
    generate(out, BIG_PEOPLE, SEED, AS_OF, progress=False)
    return out


def read(out: Path, table: str) -> pa.Table:
    system, name = table.split(".")
    return pq.read_table(out / "raw" / system / f"{name}.parquet")


def rows(out: Path, table: str) -> list[dict]:
    return read(out, table).to_pylist()


def truth_map(out: Path) -> dict[tuple[str, str], str]:
    t = pq.read_table(out / "truth" / "records.parquet").to_pylist()
    return {(r["source_system"], r["source_record_id"]): r["person_id"] for r in t}


def noise_rows(out: Path, kind: str) -> list[dict]:
    return [r for r in pq.read_table(out / "truth" / "noise.parquet").to_pylist() if r["noise_kind"] == kind]


def people(out: Path) -> dict[str, dict]:
    return {r["person_id"]: r for r in pq.read_table(out / "truth" / "people.parquet").to_pylist()}


def source_yaml(systems: tuple[str, ...] = SYSTEMS) -> dict[str, list[tuple[str, str]]]:
    tables: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((ROOT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            if source["name"] not in systems:
                continue
            for table in source["tables"]:
                tables[f"{source['name']}.{table['name']}"] = [
                    (c["name"], c["data_type"]) for c in table["columns"]
                ]
    return tables


def person_table_records(out: Path) -> dict[str, list[tuple[str, dict]]]:
    """Raw records of every person-bearing table: system -> [(trimmed record ID, row)]."""
    found: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for table, key in schema.PERSON_TABLES.items():
        seen = set()
        for row in rows(out, table):
            rid = row[key].strip()
            if table == "web.event" and rid in seen:
                continue
            seen.add(rid)
            found[table.split(".")[0]].append((rid, row))
    return found


# ---------------------------------------------------------------- contract


def test_schema_module_matches_source_yaml() -> None:
    declared = source_yaml()
    assert {t.split(".")[0] for t in declared} == set(SYSTEMS)
    assert {t: schema.columns(t) for t in schema.TABLE_COLUMNS} == declared


def test_every_file_matches_source_yaml(out: Path) -> None:
    for table, cols in source_yaml().items():
        system, name = table.split(".")
        file_schema = pq.read_schema(out / "raw" / system / f"{name}.parquet")
        assert file_schema.names == [c for c, _ in cols], table
        assert [f.type for f in file_schema] == [SOURCE_TYPES[t] for _, t in cols], table
    written = {f"{p.parent.name}.{p.stem}" for p in (out / "raw").glob("*/*.parquet")}
    assert written == set(source_yaml())


def test_truth_matches_evaluation_source(out: Path) -> None:
    declared = source_yaml(("evaluation",))
    if not declared:
        pytest.skip("no evaluation source declared")
    truth = pq.read_schema(out / "truth" / "records.parquet")
    assert [(f.name, f.type) for f in truth] == [
        (c, SOURCE_TYPES[t]) for c, t in declared["evaluation.records"]
    ]


def test_stats(world: tuple[Path, dict]) -> None:
    out, stats = world
    for table, count in stats["rows"].items():
        assert read(out, table).num_rows == count, table
    truth = Counter(s for s, _ in truth_map(out))
    assert stats["person_records"] == {s: truth.get(s, 0) for s in stats["person_records"]}
    assert sum(stats["person_records"].values()) > 3 * PEOPLE


def test_timestamps_before_as_of(out: Path) -> None:
    limit = dt.datetime.combine(AS_OF, dt.time())
    for table in schema.TABLE_COLUMNS:
        t = read(out, table)
        for name, kind in schema.columns(table):
            if kind == "timestamp" and (table, name) not in FUTURE_BY_DESIGN:
                values = [v for v in t.column(name).to_pylist() if v is not None]
                assert not values or max(values) < limit, (table, name)
    legacy = read(out, "data_lake.legacy_customer").column("created_at").to_pylist()
    assert min(legacy).year >= 2018 and max(legacy).year <= 2023


# ---------------------------------------------------------------- truth


def test_truth_has_every_person_record_exactly_once(out: Path) -> None:
    truth = pq.read_table(out / "truth" / "records.parquet").to_pylist()
    keys = [(r["source_system"], r["source_record_id"]) for r in truth]
    assert len(keys) == len(set(keys))
    in_data = {(s, rid) for s, recs in person_table_records(out).items() for rid, _ in recs}
    assert set(keys) == in_data
    assert all(r["person_id"] in people(out) for r in truth)


def test_app_user_and_device_ids_never_collide(out: Path) -> None:
    users = {r["user_id"].strip() for r in rows(out, "mobile_app.app_user")}
    devices = {r["device_id"] for r in rows(out, "mobile_app.device")}
    assert users and devices and not users & devices
    assert all(re.fullmatch(r"U\d{8}", u) for u in users)
    assert all(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", d) for d in devices)


def test_people_span_several_systems(out: Path) -> None:
    counts = Counter(p for (_, _), p in truth_map(out).items())
    systems = [len(p["systems"].split(",")) for p in people(out).values() if p["person_kind"] == "known"]
    assert 2.5 <= sum(systems) / len(systems) <= 4.5
    assert max(systems) >= 6 and min(systems) == 1
    assert set(counts) == set(people(out))


def test_anonymous_only_people_never_sign_in(out: Path) -> None:
    kinds = {pid: p["person_kind"] for pid, p in people(out).items()}
    truth = truth_map(out)
    logins = defaultdict(set)
    for r in rows(out, "web.event"):
        logins[r["anonymous_id"]].add(r["user_login"])
    web_only = [rid for (s, rid), pid in truth.items() if s == "web" and kinds[pid] == "web_only"]
    assert web_only and all(logins[rid] == {None} for rid in web_only)
    known = [rid for (s, rid), pid in truth.items() if s == "web" and kinds[pid] == "known"]
    assert all(logins[rid] - {None} for rid in known)


# ---------------------------------------------------------------- noise


def test_every_noise_kind_occurs(big: Path) -> None:
    logged = {r["noise_kind"] for r in pq.read_table(big / "truth" / "noise.parquet").to_pylist()}
    assert logged == set(noise.RATES)


def test_noise_log_references_real_records(out: Path) -> None:
    truth = truth_map(out)
    consent_ids = {r["consent_event_id"] for r in rows(out, "consent.consent_event")} | {
        r["request_id"] for r in rows(out, "consent.deletion_request")
    }
    for r in pq.read_table(out / "truth" / "noise.parquet").to_pylist():
        if r["noise_kind"] == "redelivered_row":
            continue
        if r["source_system"] == "consent":
            assert r["source_record_id"] in consent_ids
        else:
            assert (r["source_system"], r["source_record_id"]) in truth, r


def _records_with(out: Path, kind: str) -> list[tuple[str, dict, str, str]]:
    """(system, raw row, person_id, detail) of the records that got noise ``kind``."""
    recs = {(s, rid): row for s, items in person_table_records(out).items() for rid, row in items}
    truth = truth_map(out)
    return [
        (
            n["source_system"],
            recs[(n["source_system"], n["source_record_id"])],
            truth[(n["source_system"], n["source_record_id"])],
            n["detail"],
        )
        for n in noise_rows(out, kind)
        if (n["source_system"], n["source_record_id"]) in recs
    ]


FIRST = {
    "salesforce": "first_name",
    "marketing_cloud": "first_name",
    "lms": "first_name",
    "commerce": "first_name",
    "club": "first_name",
    "mobile_app": "first_name",
    "travel": "lead_first_name",
    "data_lake": "first_name",
}
LAST = {k: v.replace("first", "last") for k, v in FIRST.items()}
EMAIL = {
    "salesforce": "email",
    "marketing_cloud": "email_address",
    "lms": "email",
    "commerce": "email",
    "club": "email",
    "mobile_app": "email",
    "travel": "email",
    "data_lake": "email",
}


def test_nicknames_are_visible(out: Path) -> None:
    folks = people(out)
    hits = _records_with(out, "nickname")
    assert hits
    for system, row, pid, _ in hits:
        canonical = folks[pid]["first_name"]
        assert row[FIRST[system]] != canonical
        assert canonical in NICKNAMES
    assert any(row[FIRST[s]] in NICKNAMES[folks[pid]["first_name"]] for s, row, pid, _ in hits)


def test_typos_and_swaps_are_visible(out: Path) -> None:
    folks = people(out)
    typos = _records_with(out, "typo")
    assert typos and all(
        (row[FIRST[s]], row[LAST[s]]) != (folks[p]["first_name"], folks[p]["last_name"])
        for s, row, p, _ in typos
    )
    swaps = _records_with(out, "name_swap")
    assert swaps and sum(row[FIRST[s]] == folks[p]["last_name"] for s, row, p, _ in swaps) >= len(swaps) // 2


def test_household_emails_are_shared_by_several_people(out: Path) -> None:
    hits = _records_with(out, "household_email")
    assert hits
    owners = defaultdict(set)
    truth = truth_map(out)
    for system, items in person_table_records(out).items():
        for rid, row in items:
            if system in EMAIL and row.get(EMAIL[system]):
                owners[row[EMAIL[system]].strip().lower()].add(truth[(system, rid)])
    shared = [row[EMAIL[s]] for s, row, _, _ in hits if row[EMAIL[s]]]
    assert sum(len(owners[e.strip().lower()]) >= 2 for e in shared) >= len(shared) * 0.8


def test_email_and_name_changes_are_visible(out: Path) -> None:
    folks = people(out)
    changed = _records_with(out, "email_change")
    assert (
        changed
        and sum(
            (row[EMAIL[s]] or "").strip().lower() == (folks[p]["previous_email"] or "")
            for s, row, p, _ in changed
        )
        >= len(changed) * 0.8
    )
    married = _records_with(out, "name_change")
    assert married and any(row[LAST[s]] == folks[p]["previous_last_name"] for s, row, p, _ in married)


def test_junk_and_whitespace_ids_are_visible(out: Path) -> None:
    junk = set(JUNK_EMAILS) | set(JUNK_PHONES) | set(JUNK_NAMES) | {dt.date(1900, 1, 1)}
    hits = _records_with(out, "junk_value")
    assert hits and all(
        any(v in junk for v in row.values() if isinstance(v, str | dt.date)) for _, row, _, _ in hits
    )
    spaced = 0
    for table, key in schema.PERSON_TABLES.items():
        spaced += sum(r[key] != r[key].strip() for r in rows(out, table))
    assert spaced == len(noise_rows(out, "id_whitespace")) > 0


def test_duplicates_within_a_system(out: Path) -> None:
    truth = truth_map(out)
    for system, _, pid, other_id in _records_with(out, "duplicate_record"):
        assert truth[(system, other_id)] == pid


def test_same_name_different_people(out: Path) -> None:
    names = defaultdict(set)
    cities = defaultdict(set)
    for pid, p in people(out).items():
        names[(p["first_name"], p["last_name"])].add(pid)
        cities[(p["first_name"], p["last_name"], p["city"])].add(pid)
    assert any(len(v) >= 2 for v in names.values())
    assert any(len(v) >= 2 for v in cities.values())


def test_shared_devices_and_late_logins(out: Path) -> None:
    logins = defaultdict(list)
    for r in sorted(rows(out, "mobile_app.app_event"), key=lambda r: (r["device_id"], r["event_at"])):
        logins[r["device_id"]].append(r["app_login"])
    shared = noise_rows(out, "shared_device")
    assert shared and all(len(set(logins[n["source_record_id"]]) - {None}) >= 2 for n in shared)
    for n in shared:
        counts = Counter(x for x in logins[n["source_record_id"]] if x)
        main = counts.most_common(1)[0][1]
        assert main > sum(counts.values()) - main
    web = defaultdict(list)
    for r in sorted(rows(out, "web.event"), key=lambda r: (r["anonymous_id"], r["event_at"])):
        web[r["anonymous_id"]].append(r["user_login"])
    late = [n["source_record_id"] for n in noise_rows(out, "late_login") if n["source_system"] == "web"]
    assert late and all(web[c][0] is None and web[c][-1] is not None for c in late)


def test_redelivered_rows(out: Path) -> None:
    logged = Counter(n["detail"] for n in noise_rows(out, "redelivered_row"))
    assert set(logged) == set(noise.REDELIVERED_TABLES)
    for table in noise.REDELIVERED_TABLES:
        t = read(out, table).to_pylist()
        key = t and next(iter(t[0]))
        by_key = defaultdict(list)
        for r in t:
            by_key[r[key]].append(r["_loaded_at"])
        repeated = {k: v for k, v in by_key.items() if len(v) > 1}
        assert len(repeated) == logged[table], table
        assert all(v[-1] > v[0] for v in repeated.values())
        assert len(repeated) <= 0.02 * len(by_key) + 1


def test_frequency_cap_has_people_to_catch(out: Path) -> None:
    truth = truth_map(out)
    start = dt.datetime.combine(AS_OF, dt.time()) - dt.timedelta(days=61)
    per_person = Counter(
        truth[("marketing_cloud", r["subscriber_key"])]
        for r in rows(out, "marketing_cloud.send")
        if r["event_date"] >= start
    )
    assert max(per_person.values()) >= 27


def test_consent_and_deletions_reference_real_records(out: Path) -> None:
    truth = truth_map(out)
    emails = set()
    for system, items in person_table_records(out).items():
        for _, row in items:
            value = row.get(EMAIL.get(system, ""), None) if system in EMAIL else None
            if value:
                emails.add(value.strip().lower())
    unmatched = {n["source_record_id"] for n in noise_rows(out, "unmatched_reference")}
    for table, key in (
        ("consent.consent_event", "consent_event_id"),
        ("consent.deletion_request", "request_id"),
    ):
        t = rows(out, table)
        bad = [r[key] for r in t if r[key] in unmatched]
        assert bad, table
        for r in t:
            found_record = (
                r["source_record_id"] is not None and (r["source_system"], r["source_record_id"]) in truth
            )
            found_email = r["email"] is not None and r["email"].strip().lower() in emails
            assert (found_record or found_email) != (r[key] in unmatched), r
    share = len([u for u in unmatched if u.startswith("CE")]) / len(rows(out, "consent.consent_event"))
    assert share < 3 * noise.RATES["unmatched_reference"].rate


# ---------------------------------------------------------------- realism: dates of birth, names, moves, isolation

DOB = {
    "salesforce": "birthdate",
    "lms": "date_of_birth",
    "commerce": "birth_date",
    "club": "date_of_birth",
    "travel": "date_of_birth",
    "data_lake": "birth_date",
}
CITY = {"salesforce": "mailing_city", "commerce": "city", "club": "city", "data_lake": "city"}
STREET = {"salesforce": "mailing_street", "commerce": "address1", "club": "street"}
UPDATED = {
    "salesforce": "last_modified_date",
    "commerce": "updated_at",
    "club": "updated_at",
    "data_lake": "created_at",
}
EMAIL_SHAPE = re.compile(r"[a-z0-9_%+'-]+([.][a-z0-9_%+'-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?[.])+[a-z]{2,}")


def assert_near_rate(observed: int, trials: int, rate: float, what: str) -> None:
    """``observed`` events in ``trials`` at probability ``rate``: within 4 standard deviations plus 25 %."""
    expected = trials * rate
    assert observed > 0, what
    assert abs(observed - expected) <= 4 * expected**0.5 + 0.25 * expected, (what, observed, expected)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _name_change(detail: str) -> tuple[str, str, str]:
    """(field, before, after) of a name noise detail ``first_name:Mary>Rnary``."""
    field, _, change = detail.partition(":")
    before, _, after = change.partition(">")
    return field, before, after


def test_new_noise_kinds_occur_at_their_rates(big: Path) -> None:
    log = pq.read_table(big / "truth" / "noise.parquet").to_pylist()
    counts = Counter(r["noise_kind"] for r in log)
    records = person_table_records(big)
    # Records that had a date of birth before noise: a date in the file, or one left out (missing_field).
    dated = sum(1 for s, items in records.items() if s in DOB for _, row in items if row[DOB[s]] is not None)
    dated += sum(1 for r in log if r["noise_kind"] == "missing_field" and r["detail"] == "dob")
    for kind in DOB_KINDS:
        # Day and month can only be swapped when the day is 12 or less and differs from the month.
        eligible = 11 / 30.44 if kind == "dob_swap" else 1.0
        assert_near_rate(counts[kind], dated, noise.RATES[kind].rate * eligible, kind)

    folks = people(big)
    truth = truth_map(big)
    named = [
        (folks[truth[(s, rid)]]["first_name"], folks[truth[(s, rid)]]["last_name"])
        for s, items in records.items()
        if s in FIRST
        for rid, row in items
        if FIRST[s] in row  # not an app device
    ]
    applies = {
        "keyboard_typo": lambda name: True,
        "ocr_error": lambda name: formats.ocr_error(name, 0.5) is not None,
        "phonetic_spelling": lambda name: formats.phonetic_spelling(name, 0.5) is not None,
        "name_truncation": lambda name: len(name) >= 7,
    }
    for kind, test in applies.items():
        eligible = sum(test(first) or test(last) for first, last in named)
        assert_near_rate(counts[kind], eligible, noise.RATES[kind].rate, kind)
    for kind in ("first_initial", "name_part_missing"):
        assert_near_rate(counts[kind], len(named), noise.RATES[kind].rate, kind)

    known = [p for p in folks.values() if p["person_kind"] == "known"]
    assert_near_rate(sum(p["moved_at"] is not None for p in known), len(known), noise.RATES["moved"].rate, "moved")
    isolated = sum(p["shares_no_identifier"] for p in known)
    assert_near_rate(isolated, len(known), noise.RATES["no_shared_identifier"].rate, "no_shared_identifier")
    assert not any(p["shares_no_identifier"] or p["moved_at"] for p in folks.values() if p["person_kind"] != "known")


def test_birth_date_corruptions_are_real_past_dates_changed_as_promised(big: Path) -> None:
    folks = people(big)
    for kind in DOB_KINDS:
        hits = _records_with(big, kind)
        assert hits, kind
        for system, row, pid, detail in hits:
            before_text, after_text = detail.split(">")
            before, after = _date(before_text), _date(after_text)
            assert before == folks[pid]["date_of_birth"], (kind, detail)
            assert dt.date(1900, 1, 2) <= after < AS_OF and after != before, (kind, detail)
            raw = row[DOB[system]]
            assert raw in (None, after, dt.date(1900, 1, 1)), (kind, detail, raw)
            b, a = before.strftime("%Y%m%d"), after.strftime("%Y%m%d")
            diff = [i for i in range(8) if a[i] != b[i]]
            if kind == "dob_digit":
                assert len(diff) == 1, detail
            elif kind == "dob_transposition":
                assert len(diff) == 2 and diff[1] == diff[0] + 1, detail
                assert a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]], detail
            elif kind == "dob_swap":
                assert (after.month, after.day, after.year) == (before.day, before.month, before.year), detail
            elif kind == "dob_wrong_year":
                assert (after.month, after.day) == (before.month, before.day), detail
                assert abs(after.year - before.year) in (1, 10), detail
            else:
                assert after.year == before.year and after.day == 1, detail
                assert after.month in (1, before.month), detail
    by_ten = [d for *_, d in _records_with(big, "dob_wrong_year") if abs(int(d[:4]) - int(d[11:15])) == 10]
    assert by_ten
    for system, column in DOB.items():
        table = next(t for t in schema.PERSON_TABLES if t.startswith(f"{system}."))
        values = [v for v in read(big, table).column(column).to_pylist() if v is not None]
        assert values and min(values) >= dt.date(1900, 1, 1) and max(values) < AS_OF, table


def _keyboard_typo(before: str, after: str) -> bool:
    if len(after) == len(before):
        diff = [i for i in range(len(before)) if before[i] != after[i]]
        return len(diff) == 1 and after[diff[0]].lower() in formats.QWERTY_NEIGHBOURS[before[diff[0]].lower()]
    if len(after) == len(before) + 1:
        for i in range(len(before)):
            if after[:i] + after[i + 1 :] == before:
                return after[i].lower() in formats.QWERTY_NEIGHBOURS.get(before[i].lower(), "")
    return False


def _rewritten(before: str, after: str, rules: tuple[tuple[str, str], ...], case_sensitive: bool) -> bool:
    """Whether ``after`` is ``before`` with one occurrence of a rule's pattern replaced."""
    b, a = (before, after) if case_sensitive else (before.lower(), after.lower())
    return any(
        b[:i] + new + b[i + len(old) :] == a
        for old, new in rules
        for i in range(len(b))
        if b.startswith(old, i)
    )


def test_name_corruptions_are_changed_as_promised(big: Path) -> None:
    doubled = tuple((c, c + c) for c in "bdfglmnprst")
    promised = {
        "keyboard_typo": _keyboard_typo,
        "ocr_error": lambda b, a: _rewritten(b, a, formats.OCR_CONFUSIONS, True) and not re.search(r"\d", a),
        "phonetic_spelling": lambda b, a: _rewritten(b, a, formats.PHONETIC_RESPELLINGS + doubled, False),
        "name_truncation": lambda b, a: len(b) >= 7 and b.startswith(a) and 3 <= len(a) <= 6,
        "first_initial": lambda b, a: a in (b[0].upper(), b[0].upper() + "."),
        "name_part_missing": lambda b, a: a == "" or (
            sorted(a.replace("-", " ").split()) < sorted(b.replace("-", " ").split())
            and len(a.replace("-", " ").split()) == len(b.replace("-", " ").split()) - 1
        ),
    }
    for kind, check in promised.items():
        hits = _records_with(big, kind)
        assert hits, kind
        visible = 0
        for system, row, _, detail in hits:
            field, before, after = _name_change(detail)
            assert field in ("first_name", "last_name") and before != after, detail
            assert check(before, after), (kind, detail)
            raw = {(row[FIRST[system]] or "").strip().lower(), (row[LAST[system]] or "").strip().lower()}
            visible += after.lower() in raw
        assert visible >= 0.8 * len(hits), kind
    initials = [_name_change(d) for *_, d in _records_with(big, "first_initial")]
    assert all(f == "first_name" for f, _, _ in initials)
    assert {a.endswith(".") for _, _, a in initials} == {True, False}
    missing = [_name_change(d) for *_, d in _records_with(big, "name_part_missing")]
    assert any(a == "" and f == "first_name" for f, _, a in missing)
    assert any(a == "" and f == "last_name" for f, _, a in missing)


def test_movers_records_carry_the_old_address_until_the_move(big: Path) -> None:
    folks = people(big)
    movers = {pid: p for pid, p in folks.items() if p["moved_at"] is not None}
    assert movers
    same_city = sum(p["previous_city"] == p["city"] for p in movers.values()) / len(movers)
    assert 0.5 <= same_city <= 0.95
    for p in movers.values():
        assert p["previous_postal_code"] and p["previous_street"]
        assert (p["previous_street"], p["previous_postal_code"]) != (p["street"], p["postal_code"])
    logged = {(n["source_system"], n["source_record_id"]) for n in noise_rows(big, "moved")}
    truth = truth_map(big)
    old = new = 0
    for system, items in person_table_records(big).items():
        if system not in CITY:
            continue
        for rid, row in items:
            pid = truth[(system, rid)]
            if pid not in movers:
                assert (system, rid) not in logged
                continue
            p = movers[pid]
            before_move = row[UPDATED[system]] < p["moved_at"]
            assert ((system, rid) in logged) == before_move, (system, rid)
            city = row[CITY[system]]
            if city is None:
                continue
            if before_move:
                old += 1
                assert city == p["previous_city"], (system, rid)
                if system in STREET and row[STREET[system]] == p["street"]:
                    assert p["street"] == p["previous_street"]
            else:
                new += 1
                assert city == p["city"], (system, rid)
    assert old and new
    # The legacy master (2018-2023) was written before most moves: most of its movers' records are old.
    legacy = [(s, r) for (s, r) in logged if s == "data_lake"]
    legacy_movers = [r for r, _ in person_table_records(big)["data_lake"] if truth[("data_lake", r)] in movers]
    assert len(legacy) >= 0.5 * len(legacy_movers)


def _named_identifiers(out: Path) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """Exact identifiers of every named record: emails, member IDs, certification IDs, card hashes, app logins."""
    ids: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    junk = {e.lower() for e in JUNK_EMAILS}

    def email(key: tuple[str, str], value: str | None) -> None:
        value = (value or "").strip().lower()
        if value not in junk and EMAIL_SHAPE.fullmatch(value):
            ids[key].add(("email", value))

    for system, items in person_table_records(out).items():
        if system not in EMAIL:
            continue
        for rid, row in items:
            if EMAIL[system] not in row:  # an app device: anonymous
                continue
            key = (system, rid)
            ids[key]  # every named record, with or without identifiers
            email(key, row[EMAIL[system]])
            if system == "club":
                ids[key].add(("member", rid))
                ids[key] |= {("cert", row["certification_id"]), ("card", row["payment_card_hash"])}
            elif system == "salesforce":
                ids[key] |= {("member", row["member_number_c"]), ("cert", row["certification_number_c"])}
            elif system == "travel":
                ids[key] |= {("member", row["member_id"]), ("card", row["payment_card_hash"])}
            elif system == "mobile_app":
                ids[key].add(("login", row["app_login"]))
                email(key, row["app_login"])
    for row in rows(out, "lms.certification"):
        ids[("lms", row["learner_id"])].add(("cert", row["certification_id"]))
    customer_of = {r["order_id"]: r["customer_id"] for r in rows(out, "commerce.orders")}
    for row in rows(out, "commerce.payment"):
        ids[("commerce", customer_of[row["order_id"]])].add(("card", row["card_hash"]))
    return {key: {(t, v) for t, v in values if v} for key, values in ids.items()}


def _shared_between_records(identifiers: dict[tuple[str, str], set], keys: list[tuple[str, str]]) -> set:
    holders: dict[tuple[str, str], set] = defaultdict(set)
    for key in keys:
        for value in identifiers.get(key, ()):
            holders[value].add(key)
    return {value for value, keys_ in holders.items() if len(keys_) > 1}


def test_people_sharing_no_identifier_share_none_across_their_named_records(big: Path) -> None:
    folks = people(big)
    identifiers = _named_identifiers(big)
    records_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, pid in truth_map(big).items():
        if key in identifiers:
            records_of[pid].append(key)
    isolated = [pid for pid, p in folks.items() if p["shares_no_identifier"]]
    several = [pid for pid in isolated if len(records_of[pid]) >= 3]
    assert several
    for pid in isolated:
        assert not _shared_between_records(identifiers, records_of[pid]), pid
    logged = {(n["source_system"], n["source_record_id"]) for n in noise_rows(big, "no_shared_identifier")}
    assert logged == {key for pid in isolated for key in records_of[pid]}
    # Everyone else usually does share one: the check above can fail.
    others = [pid for pid, keys in records_of.items() if not folks[pid]["shares_no_identifier"] and len(keys) >= 3]
    linked = sum(bool(_shared_between_records(identifiers, records_of[pid])) for pid in others)
    assert linked >= 0.8 * len(others)
    # Their records still carry emails (each its own), so they stay reachable.
    keys = [key for pid in isolated for key in records_of[pid]]
    assert sum(any(t == "email" for t, _ in identifiers[key]) for key in keys) >= 0.8 * len(keys)
    # None of them is in a thin system (a name and an email of its own would be all such a record carries),
    # while other people are.
    assert not [key for key in keys if key[0] in THIN_SYSTEMS]
    assert [key for pid in others for key in records_of[pid] if key[0] in THIN_SYSTEMS]


def test_realism_noise_is_deterministic(big: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", BIG_PEOPLE, SEED, AS_OF, progress=False)
    for name in ("noise.parquet", "people.parquet", "records.parquet"):
        assert (big / "truth" / name).read_bytes() == (tmp_path / "again" / "truth" / name).read_bytes(), name
    assert _file_bytes(big / "raw") == _file_bytes(tmp_path / "again" / "raw")
    lighter = tmp_path / "lighter"
    generate(lighter, BIG_PEOPLE, SEED, AS_OF, progress=False, rates={"moved": 0.0, "dob_digit": 0.0})
    kinds = Counter(r["noise_kind"] for r in pq.read_table(lighter / "truth" / "noise.parquet").to_pylist())
    assert kinds["moved"] == 0 and kinds["dob_digit"] == 0 and kinds["dob_wrong_year"] > 0


# ---------------------------------------------------------------- privacy


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def card_numbers(text: str) -> list[str]:
    found = []
    for match in PAN_PATTERN.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits):
            found.append(digits)
    return found


def test_card_detector_finds_card_numbers() -> None:
    assert card_numbers("paid with 4111 1111 1111 1111 yesterday") == ["4111111111111111"]
    assert card_numbers("5500-0000-0000-0004") and card_numbers("378282246310005")
    assert not card_numbers("+44 20 7946 0958") and not card_numbers("4111111111111112")


def test_no_card_numbers_in_any_string_column(out: Path) -> None:
    hashes = re.compile(r"[0-9a-f]{64}")
    for path in sorted(out.rglob("*.parquet")):
        t = pq.read_table(path)
        for name in t.column_names:
            if t.schema.field(name).type != pa.string():
                continue
            for value in t.column(name).to_pylist():
                if value and not hashes.fullmatch(value):
                    assert not card_numbers(value), (path.name, name, value)
    card_cols = [
        ("commerce.payment", "card_hash"),
        ("club.member", "payment_card_hash"),
        ("travel.booking", "payment_card_hash"),
    ]
    seen = [{v for v in read(out, t).column(c).to_pylist() if v} for t, c in card_cols]
    assert all(hashes.fullmatch(v) for s in seen for v in s)
    assert seen[0] & seen[1] and seen[0] & seen[2]


# ---------------------------------------------------------------- determinism


def _file_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


def test_same_seed_same_bytes(out: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", PEOPLE, SEED, AS_OF, progress=False)
    assert _file_bytes(out) == _file_bytes(tmp_path / "again")


def test_other_seed_other_data(out: Path, tmp_path: Path) -> None:
    generate(tmp_path / "other", PEOPLE, SEED + 1, AS_OF, progress=False)
    first, second = _file_bytes(out), _file_bytes(tmp_path / "other")
    assert first.keys() == second.keys()
    assert first["truth/records.parquet"] != second["truth/records.parquet"]
    assert first["raw/salesforce/contact.parquet"] != second["raw/salesforce/contact.parquet"]


def test_documentation_lists_every_noise_kind() -> None:
    text = (ROOT / "docs" / "synthetic_data.md").read_text()
    for kind, spec in noise.RATES.items():
        assert f"`{kind}`" in text, kind
        assert f"{spec.rate:g}" in text, kind
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")}
    for kind, spec in noise.RATES.items():
        assert f"| {spec.rate:g} |" in rows[f"`{kind}`"], kind
    for share, value in noise.SHARES.items():
        assert f"| {value:g} |" in rows[f"`{share}`"], share
