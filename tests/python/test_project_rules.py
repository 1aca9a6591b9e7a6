"""dbt-project-evaluator's rules (tests/python/project_rules.py) hold on this project, but for the findings written
down with their reason in tests/project_rule_exceptions.yml."""

from __future__ import annotations

import json
from typing import Any

import project_rules as rules
import pytest
import yaml
from conftest import ROOT, run_dbt
from project_rules import Finding

EXCEPTIONS = ROOT / "tests" / "project_rule_exceptions.yml"


def _node(name: str, path: str, parents: list[str] = (), resource_type: str = "model", **extra: Any) -> dict:
    return {"unique_id": f"{resource_type}.p.{name}", "name": name, "package_name": "p",
            "resource_type": resource_type, "original_file_path": path, "description": extra.pop("description", "d"),
            "depends_on": {"nodes": list(parents)}, "config": {"materialized": extra.pop("materialized", "table")},
            "columns": extra.pop("columns", {}), "language": "sql", "raw_code": extra.pop("raw_code", ""), **extra}


def _test(name: str, model: str, test_name: str, path: str) -> dict:
    return _node(name, path, [model], "test", attached_node=model, test_metadata={"name": test_name})


def _toy_manifest() -> dict:
    source = {"unique_id": "source.p.crm.contacts", "name": "contacts", "source_name": "crm", "package_name": "p",
              "resource_type": "source", "original_file_path": "models/staging/crm/_crm__sources.yml",
              "description": "Contacts.", "source_description": "", "database": "db", "schema": "raw",
              "identifier": "contacts", "freshness": {"warn_after": {"count": 1, "period": "day"}},
              "depends_on": {"nodes": []}}
    twin = {**source, "unique_id": "source.p.crm_copy.contacts", "source_name": "crm_copy",
            "source_description": "Again.", "original_file_path": "models/_sources.yml", "freshness": {}}
    nodes = [
        _node("stg_crm__contacts", "models/staging/crm/stg_crm__contacts.sql", ["source.p.crm.contacts"]),
        _node("contacts_cleaned", "models/staging/other/contacts_cleaned.sql",
              ["model.p.stg_crm__contacts", "source.p.crm_copy.contacts"], description=""),
        _node("int_people", "models/intermediate/int_people.sql", ["model.p.stg_crm__contacts"],
              materialized="view", raw_code="select * from {{ ref('x') }} join analytics.raw_people using (id) "
                                            "where extract(year from people.born) > 1900 "
                                            "and people.id is distinct from other.id"),
        _node("people", "models/marts/people.sql", ["model.p.int_people", "model.p.stg_crm__contacts"],
              access="public", contract={"enforced": False}, columns={"id": {"description": ""}}),
        _node("spine", "models/marts/fct_spine.sql", []),
        _test("unique_people_id", "model.p.people", "unique", "models/marts/_models.yml"),
        _test("not_null_people_id", "model.p.people", "not_null", "models/_elsewhere.yml"),
    ]
    exposure = {"unique_id": "exposure.p.crm_sync", "name": "crm_sync", "package_name": "p",
                "resource_type": "exposure", "depends_on": {"nodes": ["model.p.int_people"]}}
    return {"metadata": {"project_name": "p"}, "nodes": {node["unique_id"]: node for node in nodes},
            "sources": {source["unique_id"]: source, twin["unique_id"]: twin},
            "exposures": {exposure["unique_id"]: exposure}}


def test_rules_find_what_the_evaluator_flags() -> None:
    found = set(rules.findings(_toy_manifest()))
    expected = {
        Finding("fct_direct_join_to_source", "contacts_cleaned"),
        Finding("fct_duplicate_sources", "crm_copy.contacts", "same relation as crm.contacts"),
        Finding("fct_hard_coded_references", "int_people", "analytics.raw_people"),
        Finding("fct_rejoining_of_upstream_concepts", "people",
                "stg_crm__contacts -> int_people -> people"),
        Finding("fct_root_models", "spine"),
        Finding("fct_staging_dependent_on_staging", "contacts_cleaned", "stg_crm__contacts"),
        Finding("fct_missing_primary_key_tests", "int_people"),
        Finding("fct_sources_without_freshness", "crm_copy.contacts"),
        Finding("fct_test_coverage", "int_people", "no test"),
        Finding("fct_undocumented_models", "contacts_cleaned"),
        Finding("fct_undocumented_sources", "crm"),
        Finding("fct_test_directories", "not_null_people_id", "declared in models"),
        Finding("fct_model_naming_conventions", "contacts_cleaned", "staging model without prefix stg_"),
        Finding("fct_model_naming_conventions", "people", "marts model without prefix fct_ or dim_"),
        Finding("fct_model_directories", "contacts_cleaned", "not in a folder of its source ['crm_copy']"),
        Finding("fct_source_directories", "crm_copy.contacts", "declared in "),
        Finding("fct_exposure_parents_materializations", "crm_sync", "int_people"),
        Finding("fct_public_models_without_contract", "people"),
        Finding("fct_undocumented_public_models", "people"),
        Finding("fct_exposures_dependent_on_private_models", "crm_sync", "int_people"),
    }
    assert expected - found == set(), "rules that did not fire"
    # Columns read by extract(... from ...) and `is distinct from` are not taken for relations.
    assert not any(f.rule == "fct_hard_coded_references" and f.detail in ("people.born", "other.id") for f in found)


def test_too_many_joins_and_chained_views_count_from_their_thresholds() -> None:
    parents = [_node(f"stg_s__t{i}", f"models/staging/s/stg_s__t{i}.sql", materialized="view") for i in range(7)]
    wide = _node("int_wide", "models/intermediate/int_wide.sql", [p["unique_id"] for p in parents])
    chain = [_node("int_v0", "models/intermediate/int_v0.sql", [parents[0]["unique_id"]], materialized="view")]
    for i in range(1, 4):
        chain.append(_node(f"int_v{i}", f"models/intermediate/int_v{i}.sql", [chain[-1]["unique_id"]],
                           materialized="view"))
    nodes = {node["unique_id"]: node for node in [*parents, wide, *chain]}
    found = rules.findings({"metadata": {"project_name": "p"}, "nodes": nodes, "sources": {}, "exposures": {}})
    assert Finding("fct_too_many_joins", "int_wide", "7 direct parents") in found
    chained = [f.resource for f in found if f.rule == "fct_chained_views_dependencies"]
    assert chained == ["int_v3"]  # stg_s__t0 -> int_v0 -> ... -> int_v3: five views in a row


def test_unexcused_reports_uncovered_findings_and_stale_exceptions() -> None:
    found = [Finding("fct_root_models", "spine"), Finding("fct_too_many_joins", "int_wide", "9 direct parents")]
    exceptions = [{"rule": "fct_root_models", "resources": ["sp*"], "reason": "a calendar"},
                  {"rule": "fct_test_coverage", "resources": ["gone"], "reason": "old"}]
    left, stale = rules.unexcused(found, exceptions)
    assert left == [found[1]] and stale == [exceptions[1]]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("rules")
    result = run_dbt(["parse", "--no-partial-parse"], folder / "raw", folder / "cdp.duckdb")  # no database needed
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((folder / "target" / "manifest.json").read_text())


def test_project_follows_the_evaluators_rules_or_says_why_not(manifest: dict) -> None:
    exceptions = yaml.safe_load(EXCEPTIONS.read_text())["exceptions"]
    assert all((entry.get("reason") or "").strip() for entry in exceptions), "every exception needs its reason"
    found = rules.findings(manifest)
    assert len([n for n in manifest["nodes"].values() if n["resource_type"] == "model"]) >= 80  # not vacuous
    left, stale = rules.unexcused(found, exceptions)
    assert left == [], "findings without an exception in tests/project_rule_exceptions.yml:\n" + "\n".join(
        f"{f.rule}: {f.resource} {f.detail}" for f in left)
    assert stale == [], f"exceptions that match no finding any more (remove them): {stale}"
