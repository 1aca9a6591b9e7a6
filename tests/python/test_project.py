"""The Python side reads the project's facts from the project: relation names from dbt's manifest (cdp.project),
thresholds from dbt_project.yml's vars, the partial-name rule from one definition, and no private attribute of
Splink. Toy manifests and project files: no built database needed."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from cdp.project import (
    ProjectError,
    Relation,
    Relations,
    merge_policy,
    project_vars,
    relations,
)

ROOT = Path(__file__).resolve().parents[2]
PYTHON_PACKAGE = ROOT / "cdp"
# String literals that may name a model's relation schema-qualified, with why. (None today.)
ALLOWED_QUALIFIED_NAMES: dict[str, str] = {}


def _node(name: str, schema: str, alias: str | None = None, resource_type: str = "model",
          package: str = "toy") -> dict:
    return {"name": name, "schema": schema, "alias": alias or name, "resource_type": resource_type,
            "package_name": package, "database": "toy_db"}


def _write_manifest(folder: Path, nodes: dict[str, dict]) -> Path:
    path = folder / "manifest.json"
    path.write_text(json.dumps({"metadata": {"project_name": "toy"}, "nodes": nodes}))
    return path


@pytest.fixture
def toy_manifest(tmp_path: Path) -> Path:
    return _write_manifest(tmp_path, {
        "model.toy.unified_links": _node("unified_links", "main"),
        "model.toy.int_inputs": _node("int_inputs", "intermediate", alias="matching_inputs"),
        "seed.toy.country_codes": _node("country_codes", "reference", resource_type="seed"),
        "test.toy.not_null_x": _node("not_null_x", "dbt_test__audit", resource_type="test"),
        # A package's model of the same name does not hide the project's own.
        "model.other.unified_links": _node("unified_links", "elsewhere", package="other"),
    })


def test_relations_resolve_model_names_to_schema_and_alias(toy_manifest: Path) -> None:
    found = relations(manifest=toy_manifest, parse=False)
    assert found["unified_links"] == Relation("unified_links", "main", "unified_links")
    assert found.sql("int_inputs") == "intermediate.matching_inputs"
    assert found["int_inputs"].sql(database="warehouse") == "warehouse.intermediate.matching_inputs"
    assert found.sql("country_codes") == "reference.country_codes"
    assert "not_null_x" not in found  # tests build no relation


def test_a_model_missing_from_the_manifest_is_a_clear_error(toy_manifest: Path) -> None:
    found = Relations.from_manifest(toy_manifest)
    with pytest.raises(ProjectError, match=r"has no model 'identity_edges'.*dbt parse"):
        found.sql("identity_edges")


def test_no_manifest_is_a_clear_error_when_parsing_is_off(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"no dbt manifest at .*manifest\.json: run `dbt parse`"):
        relations(tmp_path, parse=False)
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text("{not json")
    with pytest.raises(ProjectError, match="cannot read the dbt manifest"):
        relations(tmp_path, parse=False)


def test_the_target_path_follows_dbt_target_path(tmp_path: Path, toy_manifest: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(toy_manifest.parent))
    assert relations(tmp_path / "elsewhere", parse=False).sql("unified_links") == "main.unified_links"


def _toy_project(folder: Path, variables: str) -> Path:
    (folder / "dbt_project.yml").write_text(f"name: toy\nvars:\n{variables}")
    return folder


def test_vars_are_read_from_dbt_project_yml_and_an_override_wins(tmp_path: Path) -> None:
    project = _toy_project(tmp_path, "  match_threshold_probability: 0.8\n  review_band_lower_probability: 0.3\n"
                                     "  other: [a, b]\n")
    assert project_vars(project)["other"] == ["a", "b"]
    assert merge_policy(project) == merge_policy(project, {})
    policy = merge_policy(project)
    assert (policy.threshold, policy.review_band) == (0.8, 0.3)
    # As dbt's --vars: a YAML mapping (string) or a mapping; what it names wins, the rest stays.
    overridden = merge_policy(project, "{match_threshold_probability: 0.9}")
    assert (overridden.threshold, overridden.review_band) == (0.9, 0.3)
    assert merge_policy(project, {"review_band_lower_probability": 0.5}).review_band == 0.5


def test_a_missing_or_bad_var_is_a_clear_error(tmp_path: Path) -> None:
    project = _toy_project(tmp_path, "  match_threshold_probability: 0.8\n")
    with pytest.raises(ProjectError, match="no var 'review_band_lower_probability'"):
        merge_policy(project)
    with pytest.raises(ProjectError, match="must be a number"):
        merge_policy(project, {"review_band_lower_probability": "{{ var('x') }}"})
    with pytest.raises(ProjectError, match="review_band_lower_probability .* <= match_threshold_probability"):
        merge_policy(project, {"review_band_lower_probability": 0.9})
    with pytest.raises(ProjectError, match="--vars must be a YAML mapping"):
        project_vars(project, "[0.5]")


def test_the_report_marks_the_projects_thresholds() -> None:
    from cdp.report import read_policy

    policy = read_policy(ROOT)
    assert policy == merge_policy(ROOT)
    assert read_policy(ROOT, {"match_threshold_probability": 0.95}).threshold == 0.95


# ---------------------------------------------------------------- what the Python code may not restate


def _model_names() -> set[str]:
    names = {path.stem for folder in ("models", "python_models", "snapshots")
             for pattern in ("*.sql", "*.py") for path in (ROOT / folder).rglob(pattern)}
    return names | {path.stem for path in (ROOT / "seeds").glob("*.csv")}


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a Python file, f-string parts included."""
    tree = ast.parse(path.read_text())
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_no_python_file_hard_codes_a_models_schema_qualified_name() -> None:
    models = _model_names()
    assert {"unified_links", "int_identity_match_inputs", "stg_salesforce__contacts"} <= models
    qualified = re.compile(r"\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b")
    found = []
    for path in sorted(PYTHON_PACKAGE.rglob("*.py")):
        for line, text in _string_literals(path):
            for match in qualified.finditer(text):
                if match.group(2) in models and match.group(0) not in ALLOWED_QUALIFIED_NAMES:
                    found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)}")
    assert not found, "resolve these through cdp.project.relations():\n" + "\n".join(found)


def test_the_partial_name_rule_has_one_python_definition() -> None:
    rule = re.compile(r"is_partial_name[^\n]*\b(?:or|and)\b[^\n]*has_exact_identifier")
    stating = []
    for path in sorted(PYTHON_PACKAGE.rglob("*.py")):
        for line, text in _string_literals(path):
            if rule.search(text):
                stating.append(f"{path.relative_to(ROOT)}:{line}")
    assert len(stating) == 1 and stating[0].startswith("cdp/identity/matching.py"), stating


# Private Splink names still used, per file, with why. Anything else private is a failure.
ALLOWED_PRIVATE_SPLINK = {
    # Splink 5.0 exports neither class publicly: a type annotation, and the error EM raises when it cannot train.
    "cdp/identity/matching.py": {"splink.internals.blocking_rule_creator"},
    "cdp/identity/training.py": {
        "splink.internals.exceptions",
        # Training weighs each EM session's own m estimates (not Splink's median over sessions), tells a level
        # "not observed" from a small probability (the public getters return 1e-6 for both), and sets each
        # session's starting m on the linker's comparisons: Splink 5.0 has no public API for any of the three.
        "_settings_obj", "_comparison_levels_excluding_null", "_m_probability", "_u_probability",
        "_trained_m_probabilities", "_blocking_rule_for_training",
    },
}


def test_no_private_attribute_of_splink_is_read() -> None:
    """No `obj._name` on anything but the object's own `self`/`cls`, and no import from splink.internals, in the
    package and the dbt Python models, but the written exceptions above."""
    found = []
    for path in sorted([*PYTHON_PACKAGE.rglob("*.py"), *(ROOT / "python_models").rglob("*.py")]):
        name = str(path.relative_to(ROOT))
        allowed = ALLOWED_PRIVATE_SPLINK.get(name, set())
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")) \
                        and node.attr not in allowed:
                    found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("splink.internals") \
                    and node.module not in allowed:
                found.append(f"{name}:{node.lineno}: from {node.module} import ...")
    assert not found, "\n".join(found)


def test_without_a_manifest_dbt_parse_writes_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The documented fallback: no manifest in the target path, so `dbt parse` writes it, and the project's own
    models resolve (marts in the target schema, the layers in theirs)."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_PROFILES_DIR", str(ROOT))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    found = relations(ROOT)
    assert (tmp_path / "target" / "manifest.json").exists()
    assert found.sql("int_identity_match_inputs") == "intermediate.int_identity_match_inputs"
    assert found["stg_salesforce__contacts"].schema == "staging"
    assert found["unified_links"].identifier == "unified_links"
