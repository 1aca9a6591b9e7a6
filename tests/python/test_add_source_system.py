"""Adding a source system is one local change: README's "Add a source system", done on a copy of the project.

A small generated world gets an extra person-bearing system, `ticketing` (a box office's ticket buyers), from
fixtures only: its raw feed and the truth of its records (data files), and at most four project files, none in the
identity core (the common identifier schema's union, the identity step's models and macros, the matching code).
The build must resolve the new system's records together with everyone else's: a buyer carrying the email and name
of an existing Salesforce contact joins that contact's unified individual, a buyer nobody else knows is an
individual of their own, and `cdp erase` knows the new staging table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, run_dbt

from cdp.erasure import ErasureError, erasable_plan, load_plan
from cdp.generator import generate
from cdp.systems import SystemsError, source_systems, system_names

PEOPLE, SEED = 300, 23
PROJECT_PARTS = ("dbt_project.yml", "macros", "models", "python_models", "seeds", "tests/dbt")
IDENTITY_CORE = ("models/intermediate/identity/", "python_models/intermediate/identity/", "macros/identity/",
                 "cdp/identity/")
NEWCOMER = ("T-NEW", "Quintessa", "Zebrowski", "quintessa.zebrowski.4711@example.org")
LOADED = dt.datetime(2026, 10, 31, 12, 0)

SOURCES_YML = """\
version: 2

sources:
  - name: ticketing
    description: Box office of the events business, one row per ticket buyer account.
    database: "{{ var('raw_database', target.database) }}"
    schema: "{{ var('raw_schema_prefix', 'raw') }}_ticketing"
    config:
      meta: {system: Ticketing, owner: Events, feed_cadence: batch, identifier_types: [email, name]}
    tables:
      - name: buyer
        description: One row per ticket buyer account.
        config:
          meta: {primary_key: buyer_id, person_bearing: true}
          loaded_at_field: _loaded_at
        columns:
          - {name: buyer_id, description: Buyer account ID., data_type: varchar, config: {meta: {required: true}}}
          - {name: first_name, description: First name., data_type: varchar}
          - {name: last_name, description: Last name., data_type: varchar}
          - {name: email, description: Email address., data_type: varchar}
          - {name: created_at, description: When the account was opened., data_type: timestamp}
          - {name: _loaded_at, description: When the row was loaded., data_type: timestamp}
"""

STAGING_SQL = """\
{{ config(materialized='incremental', unique_key='buyer_id', on_schema_change='fail',
          meta={'identity_record': {'source_system': 'ticketing', 'key': 'buyer_id'}}) }}

with source as (
    select * from {{ source('ticketing', 'buyer') }}
    where {{ loaded_since_last_run() }}
),

final as (
    select
        {{ normalize_id('buyer_id', reject_junk=false) }} as buyer_id,
        {{ normalize_name('first_name') }} as first_name,
        {{ normalize_name('last_name') }} as last_name,
        {{ normalize_email('email') }} as email,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('_loaded_at') }} as loaded_at
    from source
)

select * from final
"""

IDENTITY_SQL = """\
with buyers as (
    select * from {{ ref('stg_ticketing__buyers') }}
),

final as (
    select
        {{ identity_record_id('ticketing', 'buyer_id') }} as identity_record_id,
        cast('ticketing' as varchar) as source_system,
        cast('buyer' as varchar) as record_type,
        cast(buyer_id as varchar) as source_record_id,
        cast(first_name as varchar) as first_name,
        cast(last_name as varchar) as last_name,
        cast(null as date) as date_of_birth,
        cast(email as varchar) as email,
        cast(null as varchar) as phone,
        cast(null as varchar) as street,
        cast(null as varchar) as postal_code,
        cast(null as varchar) as city,
        cast(null as varchar) as country_code,
        cast(null as varchar) as member_id,
        cast(null as varchar) as app_login,
        cast(null as varchar) as certification_id,
        cast(null as varchar) as payment_card_hash,
        cast(null as varchar) as device_id,
        cast(null as varchar) as anonymous_id,
        cast(created_at as timestamp) as record_created_at,
        cast(created_at as timestamp) as record_updated_at,
        false as is_email_rejected,
        false as is_phone_rejected,
        false as is_first_name_rejected,
        false as is_last_name_rejected,
        false as is_date_of_birth_rejected,
        false as is_postal_code_rejected
    from buyers
)

select * from final
"""

SYSTEM_ENTRY = "    - {name: ticketing, record_types: [buyer]}\n"


def _copy_project(destination: Path) -> Path:
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, destination / part)
    return destination


def _tree(project: Path) -> dict[str, str]:
    """Every file of the project copy and a hash of its content."""
    return {path.relative_to(project).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(project.rglob("*")) if path.is_file()}


def _add_ticketing(project: Path) -> None:
    """README's steps for a new system: its source, its staging model, its identity records, its entry in the list."""
    staging = project / "models" / "staging" / "ticketing"
    staging.mkdir(parents=True)
    (staging / "_ticketing__sources.yml").write_text(SOURCES_YML)
    (staging / "stg_ticketing__buyers.sql").write_text(STAGING_SQL)
    (project / "models" / "intermediate" / "identity_sources" / "int_ticketing__identity_records.sql").write_text(
        IDENTITY_SQL)
    settings = project / "dbt_project.yml"
    text = settings.read_text()
    declared = re.search(r"^  source_systems:\n", text, flags=re.MULTILINE)
    assert declared, "dbt_project.yml declares no var source_systems"
    settings.write_text(text[:declared.end()] + SYSTEM_ENTRY + text[declared.end():])


def _known_contact(raw: Path, truth: dict[tuple[str, str], str]) -> tuple[str, str, str, str, str]:
    """A Salesforce contact with a clean email of its own and plain names: (contact ID, first, last, email, person)."""
    contacts = pq.read_table(raw / "salesforce" / "contact.parquet").to_pylist()
    emails = [str(row["email"] or "").strip().lower() for row in contacts]
    plain = re.compile(r"[A-Z][a-z]+")
    for row, email in zip(contacts, emails, strict=True):
        if (row["email"] == email and emails.count(email) == 1 and not row["is_deleted"]
                and re.fullmatch(r"[a-z0-9._]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}", email)
                and plain.fullmatch(row["first_name"] or "") and plain.fullmatch(row["last_name"] or "")
                and row["id"] == row["id"].strip() and ("salesforce", row["id"]) in truth):
            return row["id"], row["first_name"], row["last_name"], email, truth[("salesforce", row["id"])]
    raise AssertionError("the generated world has no Salesforce contact with a clean email of its own")


def _write_feed(raw: Path, truth_file: Path, contact: tuple[str, str, str, str, str]) -> None:
    """The ticketing feed (a buyer who is the contact, and a newcomer) and the truth of its two records."""
    _, first, last, email, person = contact
    buyers = [("T-KNOWN", first, last, email), NEWCOMER]
    (raw / "ticketing").mkdir(parents=True)
    pq.write_table(pa.table({
        "buyer_id": [b[0] for b in buyers], "first_name": [b[1] for b in buyers],
        "last_name": [b[2] for b in buyers], "email": [b[3] for b in buyers],
        "created_at": [dt.datetime(2026, 9, 1)] * len(buyers), "_loaded_at": [LOADED] * len(buyers),
    }), raw / "ticketing" / "buyer.parquet")
    truth = pq.read_table(truth_file)
    extra = pa.table({"source_system": ["ticketing", "ticketing"], "source_record_id": ["T-KNOWN", "T-NEW"],
                      "person_id": [person, "P-TICKETING-NEWCOMER"]}, schema=truth.schema)
    pq.write_table(pa.concat_tables([truth, extra]), truth_file)


@pytest.fixture(scope="module")
def with_ticketing(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("add_source_system")
    data = root / "data"
    generate(data, PEOPLE, SEED, dt.date(2026, 11, 1), progress=False)
    raw, truth_file = data / "raw", data / "truth" / "records.parquet"
    truth = {(r["source_system"], r["source_record_id"]): r["person_id"] for r in pq.read_table(truth_file).to_pylist()}
    contact = _known_contact(raw, truth)
    _write_feed(raw, truth_file, contact)
    project = _copy_project(root / "project")
    before = _tree(project)
    _add_ticketing(project)
    after = _tree(project)
    database = data / "cdp.duckdb"
    built = run_dbt(["build", "--project-dir", str(project)], raw, database)
    return {"project": project, "database": database, "built": built, "contact": contact,
            "touched": sorted(name for name in after if before.get(name) != after[name]),
            "removed": sorted(set(before) - set(after))}


def _links(database: Path) -> dict[str, str]:
    with duckdb.connect(str(database), read_only=True) as con:
        return dict(con.execute("select identity_record_id, unified_individual_id from main.unified_links").fetchall())


def test_a_new_system_touches_at_most_four_files_none_in_the_identity_core(with_ticketing: dict) -> None:
    touched = with_ticketing["touched"]
    assert with_ticketing["removed"] == []
    assert 0 < len(touched) <= 4, touched
    assert [name for name in touched if name.startswith(IDENTITY_CORE)] == []


def test_the_project_with_the_new_system_builds(with_ticketing: dict) -> None:
    built = with_ticketing["built"]
    assert built.returncode == 0, built.stdout[-4000:]


def test_the_new_systems_records_are_resolved_with_everyone_elses(with_ticketing: dict) -> None:
    assert with_ticketing["built"].returncode == 0, with_ticketing["built"].stdout[-4000:]
    links = _links(with_ticketing["database"])
    contact_id = with_ticketing["contact"][0]
    # The buyer with the contact's email and name is the contact.
    assert links["ticketing:T-KNOWN"] == links[f"salesforce:{contact_id}"]
    # The buyer nobody else knows is an individual of their own.
    newcomer = links["ticketing:T-NEW"]
    assert [record for record, uid in links.items() if uid == newcomer] == ["ticketing:T-NEW"]
    with duckdb.connect(str(with_ticketing["database"]), read_only=True) as con:
        assert con.execute("select count(*) from main.unified_profiles where unified_individual_id = ?",
                           [newcomer]).fetchone() == (1,)


def test_erasure_knows_the_new_systems_staging_table(with_ticketing: dict) -> None:
    assert with_ticketing["built"].returncode == 0, with_ticketing["built"].stdout[-4000:]
    plan = load_plan(with_ticketing["database"].parent / "target" / "manifest.json")
    assert ("stg_ticketing__buyers", "'ticketing:' || buyer_id") in plan.record_tables
    assert plan.keys["stg_ticketing__buyers"] == "buyer_id"


# ---------------------------------------------------------------- the list of systems


def test_the_list_of_systems_is_read_from_dbt_project_yml() -> None:
    systems = source_systems()
    assert [s.name for s in systems if s.bears_persons] == list(system_names(bears_persons=True))
    not_systems = {"evaluation", "raw_meta", "review"}  # ground truth, the hooks' bookkeeping, the review desk's table
    assert set(system_names()) == {path.name for path in (ROOT / "models" / "staging").iterdir()
                                   if (path / f"_{path.name}__sources.yml").exists()} - not_systems
    assert all(s.record_types for s in systems if s.multi_valued_identifiers or s.sign_ins)


def test_every_person_bearing_system_has_its_identity_records_model() -> None:
    folder = ROOT / "models" / "intermediate" / "identity_sources"
    for system in source_systems():
        assert (folder / f"int_{system.name}__identity_records.sql").exists() == system.bears_persons, system.name
        assert (folder / f"int_{system.name}__identity_identifiers.sql").exists() == bool(
            system.multi_valued_identifiers), system.name
        assert (folder / f"int_{system.name}__identity_sign_ins.sql").exists() == system.sign_ins, system.name


@pytest.mark.parametrize(("var", "message"), [
    ("", "must list the source systems"),
    ("  source_systems:\n    - {name: a}\n", "needs a name and a list of record_types"),
    ("  source_systems:\n    - {name: a, record_types: []}\n    - {name: a, record_types: [x]}\n", "twice"),
])
def test_a_malformed_list_of_systems_is_a_clear_error(tmp_path: Path, var: str, message: str) -> None:
    settings = tmp_path / "dbt_project.yml"
    settings.write_text("name: p\nvars:\n  other: 1\n" + var)
    with pytest.raises(SystemsError, match=message):
        source_systems(settings)


# ---------------------------------------------------------------- what cdp erase reads from the manifest


def _model(name: str, unique_key: str | None, declared: dict | None) -> tuple[str, dict]:
    return f"model.p.{name}", {"name": name, "resource_type": "model",
                               "config": {"unique_key": unique_key, "meta": {"identity_record": declared} if declared
                                          else {}}}


def test_the_erasure_plan_is_read_from_the_staging_models_meta() -> None:
    manifest = {"nodes": dict([
        _model("stg_shop__orders", "order_id", {"source_system": "shop", "key": "customer_id"}),
        _model("stg_shop__payments", "payment_id", {"through": "stg_shop__orders", "key": "order_id"}),
        _model("stg_consent__events", "event_id", {"source_system_column": "source_system", "key": "record_id"}),
        _model("stg_shop__products", "product_id", None),
    ])}
    plan = erasable_plan(manifest)
    assert plan.record_tables == (("stg_consent__events", "source_system || ':' || record_id"),
                                  ("stg_shop__orders", "'shop:' || customer_id"))
    assert plan.through == (("stg_shop__payments", "order_id", "stg_shop__orders", "order_id"),)
    assert plan.keys == {"stg_consent__events": "event_id", "stg_shop__orders": "order_id",
                         "stg_shop__payments": "payment_id"}


@pytest.mark.parametrize(("node", "message"), [
    (_model("stg_a__x", None, {"source_system": "a", "key": "k"}), "single unique_key"),
    (_model("stg_a__x", "id", {"source_system": "a"}), "needs a `key`"),
    (_model("stg_a__x", "id", {"key": "k"}), "names neither"),
    (_model("stg_a__x", "id", {"through": "stg_a__gone", "key": "k"}), "declares no record"),
])
def test_a_wrong_erasure_declaration_is_a_clear_error(node: tuple[str, dict], message: str) -> None:
    with pytest.raises(ErasureError, match=message):
        erasable_plan({"nodes": dict([node])})


def test_erasure_without_a_manifest_says_to_parse_first(tmp_path: Path) -> None:
    with pytest.raises(ErasureError, match="run `dbt parse`"):
        load_plan(tmp_path / "target" / "manifest.json")


def test_the_identity_core_names_no_system() -> None:
    """The identity step reads the common schema: no SQL or Python file of the core refers to a system by name."""
    names = "|".join(re.escape(name) for name in system_names())
    naming = re.compile(rf"stg_({names})__|['\"]({names})[:'\"]")
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}"
             for folder in IDENTITY_CORE for path in sorted((ROOT / folder).rglob("*"))
             if path.suffix in {".sql", ".py"} for match in naming.finditer(path.read_text())]
    assert found == []
