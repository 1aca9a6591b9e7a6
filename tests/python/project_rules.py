"""dbt-project-evaluator's published rules, applied to this project's `manifest.json`.

The package itself is a dbt hub package (it cannot be installed here, and it builds its findings as models in the
warehouse); these are the same rules, with its default settings, read from the manifest dbt writes on every parse:
modeling (the DAG), testing, documentation, structure, performance and governance. Each finding is a `Finding(rule,
resource, detail)`; `tests/project_rule_exceptions.yml` is the one place where a finding the project keeps is
written down with its reason (tests/python/test_project_rules.py fails on any other finding, and on an exception
that no longer matches anything).

Rule names are the evaluator's model names (fct_*), so its documentation explains each one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Any

# The evaluator's defaults (its dbt_project.yml vars).
TOO_MANY_JOINS_THRESHOLD = 7
MODELS_FANOUT_THRESHOLD = 3
CHAINED_VIEWS_THRESHOLD = 5
PREFIXES = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_"), "other": ("rpt_",)}
PRIMARY_KEY_TESTS = ({"unique", "not_null"}, {"unique_combination_of_columns"})
NOT_PHYSICAL = {"view", "ephemeral"}


@dataclass(frozen=True, order=True)
class Finding:
    rule: str
    resource: str
    detail: str = ""


class Project:
    """The manifest's resources of one project, and its DAG as the evaluator sees it."""

    def __init__(self, manifest: dict[str, Any], project: str | None = None) -> None:
        self.project = project or manifest["metadata"]["project_name"]
        self.nodes = {uid: node for uid, node in manifest["nodes"].items() if node["package_name"] == self.project}
        self.sources = {uid: s for uid, s in manifest["sources"].items() if s["package_name"] == self.project}
        self.exposures = {uid: e for uid, e in manifest["exposures"].items() if e["package_name"] == self.project}
        self.models = {uid: node for uid, node in self.nodes.items() if node["resource_type"] == "model"}
        self.tests = {uid: node for uid, node in self.nodes.items() if node["resource_type"] == "test"}
        self.resources = {**self.nodes, **self.sources, **self.exposures}
        # Direct edges between the project's resources (tests included, as the evaluator counts them).
        self.parents: dict[str, list[str]] = {uid: [] for uid in self.resources}
        self.children: dict[str, list[str]] = {uid: [] for uid in self.resources}
        for uid, resource in self.resources.items():
            for parent in dict.fromkeys(resource.get("depends_on", {}).get("nodes", [])):
                if parent in self.resources:
                    self.parents[uid].append(parent)
                    self.children[parent].append(uid)

    def name(self, uid: str) -> str:
        resource = self.resources[uid]
        if resource["resource_type"] == "source":
            return f"{resource['source_name']}.{resource['name']}"
        return resource["name"]

    def kind(self, uid: str) -> str:
        return self.resources[uid]["resource_type"]

    def model_type(self, uid: str) -> str:
        """staging, intermediate, marts or other: the first layer folder on the model's path."""
        folders = PurePosixPath(self.resources[uid]["original_file_path"]).parts[1:-1]
        return next((folder for folder in folders if folder in ("staging", "intermediate", "marts")), "other")

    def materialized(self, uid: str) -> str:
        return self.resources[uid].get("config", {}).get("materialized", "")


def _described(resource: dict[str, Any]) -> bool:
    return bool((resource.get("description") or "").strip())


# --- Modeling -----------------------------------------------------------------------------------------------------

def direct_join_to_source(p: Project) -> Iterable[Finding]:
    for uid in p.models:
        kinds = {p.kind(parent) for parent in p.parents[uid]}
        if "source" in kinds and "model" in kinds:
            yield Finding("fct_direct_join_to_source", p.name(uid))


def marts_or_intermediate_dependent_on_source(p: Project) -> Iterable[Finding]:
    for uid in p.models:
        if p.model_type(uid) in ("intermediate", "marts"):
            for parent in p.parents[uid]:
                if p.kind(parent) == "source":
                    yield Finding("fct_marts_or_intermediate_dependent_on_source", p.name(uid), p.name(parent))


def duplicate_sources(p: Project) -> Iterable[Finding]:
    seen: dict[tuple[str, ...], str] = {}
    for uid, source in sorted(p.sources.items()):
        key = tuple((source.get(part) or "").lower() for part in ("database", "schema", "identifier"))
        if key in seen:
            yield Finding("fct_duplicate_sources", p.name(uid), f"same relation as {seen[key]}")
        else:
            seen[key] = p.name(uid)


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_COMMENT = re.compile(r"--[^\n]*")
# `extract(year from t.c)`, `trim(both ' ' from t.c)`, `substring(t.c from 2)`: a column, not a relation.
_FROM_IN_FUNCTION = re.compile(r"\b(?:extract|trim|substring|position|overlay)\s*\([^()]*$", re.I)
# `a is distinct from t.c`: a comparison.
_DISTINCT_FROM = re.compile(r"\bdistinct\s*$", re.I)
_HARD_CODED = re.compile(r"\b(?:from|join)\s+((?:\"?[A-Za-z_][\w$]*\"?\.){1,2}\"?[A-Za-z_][\w$]*\"?)", re.I)


def hard_coded_references(p: Project) -> Iterable[Finding]:
    """A relation named in SQL (schema.table after from/join) instead of through ref() or source()."""
    for uid, node in p.models.items():
        if node.get("language") != "sql":
            continue
        code = _COMMENT.sub("", _JINJA.sub(" ", node.get("raw_code", "")))
        for match in _HARD_CODED.finditer(code):
            prefix = code[:match.start()]
            if not (_FROM_IN_FUNCTION.search(prefix) or _DISTINCT_FROM.search(prefix)):
                yield Finding("fct_hard_coded_references", p.name(uid), match.group(1))


def multiple_sources_joined(p: Project) -> Iterable[Finding]:
    for uid in p.models:
        sources = [parent for parent in p.parents[uid] if p.kind(parent) == "source"]
        if len(sources) > 1:
            yield Finding("fct_multiple_sources_joined", p.name(uid), ", ".join(sorted(map(p.name, sources))))


def rejoining_of_upstream_concepts(p: Project) -> Iterable[Finding]:
    """parent -> between -> child and parent -> child, where `between` has no other child."""
    graph_kinds = {"model", "source", "seed", "snapshot", "test"}
    for parent in p.resources:
        if p.kind(parent) not in graph_kinds:
            continue
        direct = {child for child in p.children[parent] if p.kind(child) in graph_kinds}
        for between in sorted(direct):
            between_children = [child for child in p.children[between] if p.kind(child) in graph_kinds]
            if len(between_children) == 1 and between_children[0] in direct:
                yield Finding("fct_rejoining_of_upstream_concepts", p.name(between_children[0]),
                              f"{p.name(parent)} -> {p.name(between)} -> {p.name(between_children[0])}")


def model_fanout(p: Project) -> Iterable[Finding]:
    """A model with three or more direct children that are models with no children of their own (tests count)."""
    leaves = {uid for uid in p.models if not p.children[uid]}
    for uid in p.models:
        leaf_children = sorted(p.name(child) for child in p.children[uid] if child in leaves)
        if len(leaf_children) >= MODELS_FANOUT_THRESHOLD:
            yield Finding("fct_model_fanout", p.name(uid), ", ".join(leaf_children))


def root_models(p: Project) -> Iterable[Finding]:
    for uid, node in p.models.items():
        if not node["depends_on"]["nodes"]:
            yield Finding("fct_root_models", p.name(uid))


def source_fanout(p: Project) -> Iterable[Finding]:
    for uid in p.sources:
        models = sorted(p.name(child) for child in p.children[uid] if p.kind(child) == "model")
        if len(models) > 1:
            yield Finding("fct_source_fanout", p.name(uid), ", ".join(models))


def staging_dependent_on_staging(p: Project) -> Iterable[Finding]:
    for uid in p.models:
        if p.model_type(uid) == "staging":
            for parent in p.parents[uid]:
                if p.kind(parent) == "model" and p.model_type(parent) == "staging":
                    yield Finding("fct_staging_dependent_on_staging", p.name(uid), p.name(parent))


def staging_dependent_on_marts_or_intermediate(p: Project) -> Iterable[Finding]:
    for uid in p.models:
        if p.model_type(uid) == "staging":
            for parent in p.parents[uid]:
                if p.kind(parent) == "model" and p.model_type(parent) in ("intermediate", "marts"):
                    yield Finding("fct_staging_dependent_on_marts_or_intermediate", p.name(uid), p.name(parent))


def unused_sources(p: Project) -> Iterable[Finding]:
    for uid in p.sources:
        if not any(p.kind(child) == "model" for child in p.children[uid]):
            yield Finding("fct_unused_sources", p.name(uid))


def too_many_joins(p: Project) -> Iterable[Finding]:
    for uid in p.models:
        if len(p.parents[uid]) >= TOO_MANY_JOINS_THRESHOLD:
            yield Finding("fct_too_many_joins", p.name(uid), f"{len(p.parents[uid])} direct parents")


# --- Testing ------------------------------------------------------------------------------------------------------

def _tests_of(p: Project, uid: str) -> set[str]:
    names = set()
    for test_id in p.children[uid]:
        test = p.resources[test_id]
        if test["resource_type"] == "test" and test.get("attached_node") == uid and test.get("test_metadata"):
            names.add(test["test_metadata"]["name"])
    return names


def missing_primary_key_tests(p: Project) -> Iterable[Finding]:
    for uid in p.models:
        tests = _tests_of(p, uid)
        if not any(required <= tests for required in PRIMARY_KEY_TESTS):
            yield Finding("fct_missing_primary_key_tests", p.name(uid))


def sources_without_freshness(p: Project) -> Iterable[Finding]:
    for uid, source in p.sources.items():
        freshness = source.get("freshness") or {}
        if not any((freshness.get(key) or {}).get("count") for key in ("warn_after", "error_after")):
            yield Finding("fct_sources_without_freshness", p.name(uid))


def test_coverage(p: Project) -> Iterable[Finding]:
    for uid in p.models:
        if not any(p.kind(child) == "test" for child in p.children[uid]):
            yield Finding("fct_test_coverage", p.name(uid), "no test")


# --- Documentation ------------------------------------------------------------------------------------------------

def undocumented_models(p: Project) -> Iterable[Finding]:
    for uid, node in p.models.items():
        if not _described(node):
            yield Finding("fct_undocumented_models", p.name(uid))


def undocumented_sources(p: Project) -> Iterable[Finding]:
    undescribed = {s["source_name"] for s in p.sources.values() if not (s.get("source_description") or "").strip()}
    for name in sorted(undescribed):
        yield Finding("fct_undocumented_sources", name)


def undocumented_source_tables(p: Project) -> Iterable[Finding]:
    for uid, source in p.sources.items():
        if not _described(source):
            yield Finding("fct_undocumented_source_tables", p.name(uid))


# --- Structure ----------------------------------------------------------------------------------------------------

def test_directories(p: Project) -> Iterable[Finding]:
    """A model's generic tests are declared in a YAML file of the model's own folder."""
    for test in p.tests.values():
        model = test.get("attached_node")
        if not test.get("test_metadata") or model not in p.models:
            continue
        yaml_folder = PurePosixPath(test["original_file_path"]).parent
        if yaml_folder != PurePosixPath(p.models[model]["original_file_path"]).parent:
            yield Finding("fct_test_directories", test["name"], f"declared in {yaml_folder}")


def model_naming_conventions(p: Project) -> Iterable[Finding]:
    for uid in p.models:
        model_type = p.model_type(uid)
        if not p.name(uid).startswith(PREFIXES[model_type]):
            yield Finding("fct_model_naming_conventions", p.name(uid),
                          f"{model_type} model without prefix {' or '.join(PREFIXES[model_type])}")


def model_directories(p: Project) -> Iterable[Finding]:
    """Staging models in staging/<their source>/; other models in the folder of their name's prefix."""
    for uid in p.models:
        name, folders = p.name(uid), PurePosixPath(p.models[uid]["original_file_path"]).parts[1:-1]
        sources = {p.resources[parent]["source_name"] for parent in p.parents[uid] if p.kind(parent) == "source"}
        if p.model_type(uid) == "staging" and sources and not sources & set(folders):
            yield Finding("fct_model_directories", name, f"not in a folder of its source {sorted(sources)}")
        expected = next((model_type for model_type, prefixes in PREFIXES.items() if name.startswith(prefixes)), None)
        if expected and expected != "other" and expected != p.model_type(uid):
            yield Finding("fct_model_directories", name, f"{expected} model in {'/'.join(folders)}")


def source_directories(p: Project) -> Iterable[Finding]:
    for uid, source in p.sources.items():
        folders = PurePosixPath(source["original_file_path"]).parts[1:-1]
        if folders[:1] != ("staging",) or source["source_name"] not in folders:
            yield Finding("fct_source_directories", p.name(uid), f"declared in {'/'.join(folders)}")


# --- Performance --------------------------------------------------------------------------------------------------

def chained_views_dependencies(p: Project) -> Iterable[Finding]:
    """A model reached through a chain of CHAINED_VIEWS_THRESHOLD or more views/ephemeral models."""
    depth: dict[str, int] = {}

    def chain(uid: str) -> int:
        if uid not in depth:
            depth[uid] = 0  # cycles cannot occur in a dbt DAG; this only guards the recursion
            upstream = [chain(parent) for parent in p.parents[uid]
                        if parent in p.models and p.materialized(parent) in NOT_PHYSICAL]
            depth[uid] = max(upstream, default=0) + (1 if p.materialized(uid) in NOT_PHYSICAL else 0)
        return depth[uid]

    for uid in p.models:
        if chain(uid) >= CHAINED_VIEWS_THRESHOLD:
            yield Finding("fct_chained_views_dependencies", p.name(uid), f"{chain(uid)} views in a row")


def exposure_parents_materializations(p: Project) -> Iterable[Finding]:
    for uid in p.exposures:
        for parent in p.parents[uid]:
            if p.kind(parent) == "source" or (p.kind(parent) == "model" and p.materialized(parent) in NOT_PHYSICAL):
                yield Finding("fct_exposure_parents_materializations", p.name(uid), p.name(parent))


# --- Governance ---------------------------------------------------------------------------------------------------

def public_models_without_contract(p: Project) -> Iterable[Finding]:
    for uid, node in p.models.items():
        if node.get("access") == "public" and not node.get("contract", {}).get("enforced"):
            yield Finding("fct_public_models_without_contract", p.name(uid))


def undocumented_public_models(p: Project) -> Iterable[Finding]:
    for uid, node in p.models.items():
        columns = node.get("columns", {})
        if node.get("access") == "public" and (
                not _described(node) or not columns or not all(_described(column) for column in columns.values())):
            yield Finding("fct_undocumented_public_models", p.name(uid))


def exposures_dependent_on_private_models(p: Project) -> Iterable[Finding]:
    for uid in p.exposures:
        for parent in p.parents[uid]:
            if p.kind(parent) == "model" and p.resources[parent].get("access") != "public":
                yield Finding("fct_exposures_dependent_on_private_models", p.name(uid), p.name(parent))


RULES: tuple[Callable[[Project], Iterable[Finding]], ...] = (
    direct_join_to_source, marts_or_intermediate_dependent_on_source, duplicate_sources, hard_coded_references,
    multiple_sources_joined, rejoining_of_upstream_concepts, model_fanout, root_models, source_fanout,
    staging_dependent_on_staging, staging_dependent_on_marts_or_intermediate, unused_sources, too_many_joins,
    missing_primary_key_tests, sources_without_freshness, test_coverage,
    undocumented_models, undocumented_sources, undocumented_source_tables,
    test_directories, model_naming_conventions, model_directories, source_directories,
    chained_views_dependencies, exposure_parents_materializations,
    public_models_without_contract, undocumented_public_models, exposures_dependent_on_private_models,
)


def findings(manifest: dict[str, Any], project: str | None = None) -> list[Finding]:
    """Every rule's findings on the manifest, sorted."""
    p = Project(manifest, project)
    return sorted({finding for rule in RULES for finding in rule(p)})


def unexcused(found: list[Finding], exceptions: list[dict[str, Any]]) -> tuple[list[Finding], list[dict[str, Any]]]:
    """The findings no exception covers, and the exceptions that cover no finding (stale). An exception names a
    `rule`, its `resources` (exact names, or shell-style patterns such as `export_*`) and gives its `reason`."""
    def covers(exception: dict[str, Any], finding: Finding) -> bool:
        return exception["rule"] == finding.rule and any(
            fnmatchcase(finding.resource, pattern) for pattern in exception["resources"])

    left = [finding for finding in found if not any(covers(exception, finding) for exception in exceptions)]
    stale = [exception for exception in exceptions if not any(covers(exception, finding) for finding in found)]
    return left, stale
