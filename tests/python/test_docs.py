"""The documentation site and the semantic layer, on the database `make test` built.

`dbt docs generate` must work and describe everything: every model (marts above all), source, source table, seed
and exposure, and every column that exists in a model's or source's relation (compared with dbt's catalog, i.e.
the warehouse itself, not only with the YAML). The site's front page is the project's `__overview__` doc block.

The semantic layer (models/marts/semantic/) must hold the metrics the issue asks for, each built on measures that
exist, all described. dbt validates it: `dbt parse` runs dbt-semantic-interfaces' validations on the semantic
models and metrics and must pass without a semantic-layer warning. No MetricFlow here (its CLI checks PyPI for
updates on every run and carries telemetry; nothing in this project phones home), so the test turns each metric's
definition in `semantic_manifest.json` into SQL itself (`MetricCompiler`), runs every semantic model's
expressions on the warehouse, and checks that every metric equals the same number counted directly from the marts.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from conftest import DBT, ROOT
from dbt_semantic_interfaces.implementations.semantic_manifest import PydanticSemanticManifest
from dbt_semantic_interfaces.validations.semantic_manifest_validator import SemanticManifestValidator

# The metrics the semantic layer promises (README, Documentation and semantic layer), by kind.
EXPECTED_METRICS = {
    "unified_individuals": "simple",
    "records_of_active_individuals": "simple",
    "revenue_to_date": "simple",
    "linked_records": "simple",
    "resolved_individuals": "simple",
    "records_per_unified_individual": "ratio",
    "unified_individuals_per_record": "ratio",
    "consolidation_rate": "derived",
    "segment_size": "simple",
    "scored_individuals": "simple",
    "average_engagement_score": "simple",
    "average_churn_risk": "simple",
    "high_churn_risk_individuals": "simple",
    "high_churn_risk_share": "ratio",
    "total_lifetime_value": "simple",
}


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def _column_problems(label: str, declared: dict[str, Any], relation_columns: list[str],
                     borrowed: dict[str, Any] | None = None) -> list[str]:
    """Columns of a relation that the YAML does not declare or describe, and declared columns it lacks (`borrowed`:
    descriptions of another model's YAML that may describe this relation's columns too)."""
    problems = []
    yaml_columns = {name.lower(): column for name, column in {**(borrowed or {}), **declared}.items()}
    actual = {name.lower() for name in relation_columns}
    for name in sorted(actual):
        column = yaml_columns.get(name)
        if column is None:
            problems.append(f"{label}: column {name} is in the relation but not declared in the YAML")
        elif _blank(column.get("description")):
            problems.append(f"{label}: column {name} has no description")
    for name in sorted({name.lower() for name in declared} - actual):
        problems.append(f"{label}: column {name} is declared in the YAML but not in the relation")
    return problems


def documentation_problems(manifest: dict[str, Any], catalog: dict[str, Any], project: str) -> list[str]:
    """Everything undocumented: nodes, sources, exposures and columns (the catalog's, i.e. the warehouse's)."""
    problems = []
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["package_name"] != project or node["resource_type"] not in {"model", "seed", "snapshot"}:
            continue
        if _blank(node.get("description")):
            problems.append(f"{unique_id}: no description")
        relation = catalog["nodes"].get(unique_id)
        if relation is None:
            problems.append(f"{unique_id}: not in the catalog (not built?)")
            continue
        # An intermediate model that a thin mart publishes column for column may leave its column descriptions to
        # that mart (`meta.columns_documented_on`), which must then describe every one of them.
        borrowed: dict[str, Any] = {}
        published_as = (node.get("config", {}).get("meta") or {}).get("columns_documented_on")
        if published_as:
            mart = next((other for other in manifest["nodes"].values()
                         if other["resource_type"] == "model" and other.get("name") == published_as), None)
            if mart is None:
                problems.append(f"{unique_id}: columns_documented_on names no model: {published_as}")
            else:
                borrowed = mart.get("columns", {})
        problems += _column_problems(unique_id, node.get("columns", {}), list(relation["columns"]), borrowed)
    for unique_id, source in sorted(manifest["sources"].items()):
        if source["package_name"] != project:
            continue
        if _blank(source.get("source_description")):
            problems.append(f"{unique_id}: source {source['source_name']} has no description")
        if _blank(source.get("description")):
            problems.append(f"{unique_id}: no description")
        relation = catalog["sources"].get(unique_id)
        if relation is None:
            problems.append(f"{unique_id}: not in the catalog")
            continue
        problems += _column_problems(unique_id, source.get("columns", {}), list(relation["columns"]))
    for unique_id, exposure in sorted(manifest["exposures"].items()):
        if exposure["package_name"] == project and _blank(exposure.get("description")):
            problems.append(f"{unique_id}: no description")
    return problems


def semantic_problems(semantic_manifest: dict[str, Any]) -> list[str]:
    """Expected metrics missing or of the wrong kind, inputs that do not exist, and anything undescribed."""
    problems = []
    measures = {}
    for model in semantic_manifest["semantic_models"]:
        if _blank(model.get("description")):
            problems.append(f"semantic model {model['name']}: no description")
        for kind, singular in (("entities", "entity"), ("dimensions", "dimension"), ("measures", "measure")):
            for element in model.get(kind) or []:
                if _blank(element.get("description")):
                    problems.append(f"semantic model {model['name']}: {singular} {element['name']} has no description")
        for measure in model.get("measures") or []:
            measures[measure["name"]] = model["name"]
    metrics = {metric["name"]: metric for metric in semantic_manifest["metrics"]}
    for name, kind in EXPECTED_METRICS.items():
        if name not in metrics:
            problems.append(f"metric {name} is missing")
        elif metrics[name]["type"] != kind:
            problems.append(f"metric {name} is {metrics[name]['type']}, expected {kind}")
    for name, metric in metrics.items():
        if _blank(metric.get("description")):
            problems.append(f"metric {name}: no description")
        params = metric["type_params"]
        if metric["type"] == "simple":
            measure = (params.get("measure") or {}).get("name")
            if measure not in measures:
                problems.append(f"metric {name}: measure {measure} is in no semantic model")
        inputs = [params.get("numerator"), params.get("denominator"), *(params.get("metrics") or [])]
        for metric_input in filter(None, inputs):
            if metric_input["name"] not in metrics:
                problems.append(f"metric {name}: input metric {metric_input['name']} does not exist")
    return problems


# --- Metrics as SQL, without MetricFlow -----------------------------------------------------------------------


class UnsupportedMetric(Exception):
    """A semantic-layer feature `MetricCompiler` does not translate (yet): extend it before using the feature."""


# MetricFlow's aggregation of a measure's expression, by `agg`.
_AGGREGATIONS = {
    "sum": "sum({})",
    "count": "count({})",
    "count_distinct": "count(distinct {})",
    "average": "avg({})",
    "min": "min({})",
    "max": "max({})",
    "sum_boolean": "sum(cast({} as integer))",
}
# Entity types that identify one row of their semantic model (what a join may land on).
_IDENTIFYING = {"primary", "unique"}
_REFERENCE = re.compile(r"""\{\{\s*(Dimension|Entity)\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)\s*\}\}""")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _where(filter_intersection: dict[str, Any] | None) -> list[str]:
    return [where["where_sql_template"] for where in (filter_intersection or {}).get("where_filters") or []]


class MetricCompiler:
    """Turns the simple, ratio and derived metrics of a `semantic_manifest.json` into SQL, the way MetricFlow does.

    `sql(metric, group_by)` selects one row per group: the group-by elements (by name) and `value`. A simple metric
    aggregates its measure's expression over its semantic model's node relation; a ratio metric is
    numerator / nullif(denominator, 0) in double precision; a derived metric evaluates its expression over its input
    metrics (by alias or name). Metric, input and measure filters (`{{ Dimension('entity__dimension') }}`,
    `{{ Entity('entity') }}`) become a WHERE on the measures below them. A group-by or filter element is either a
    dimension of the measure's own semantic model (qualified by its primary entity) or a dimension of another
    semantic model reached through a shared entity that is primary or unique there (a left join, as MetricFlow's).
    Anything else (time dimensions and metric_time, cumulative and conversion metrics, offsets, percentiles,
    non-additive dimensions, multi-hop joins, time-spine joins) raises `UnsupportedMetric` instead of guessing.
    """

    def __init__(self, semantic_manifest: dict[str, Any]) -> None:
        self.models = {model["name"]: model for model in semantic_manifest["semantic_models"]}
        self.metrics = {metric["name"]: metric for metric in semantic_manifest["metrics"]}
        self.measures = {
            measure["name"]: (model, measure)
            for model in self.models.values()
            for measure in model.get("measures") or []
        }

    def sql(self, metric_name: str, group_by: Sequence[str] = ()) -> str:
        return self._metric(metric_name, tuple(group_by), ())

    # -- metrics --

    def _metric(self, name: str, group_by: tuple[str, ...], filters: tuple[str, ...]) -> str:
        metric = self.metrics.get(name)
        if metric is None:
            raise UnsupportedMetric(f"no metric {name}")
        filters = (*filters, *_where(metric.get("filter")))
        params = metric["type_params"]
        if metric["type"] == "simple":
            measure_input = params["measure"]
            if measure_input.get("join_to_timespine"):
                raise UnsupportedMetric(f"metric {name}: join_to_timespine")
            sql = self._measure(measure_input["name"], group_by, (*filters, *_where(measure_input.get("filter"))))
            fill = measure_input.get("fill_nulls_with")
            if fill is None:
                return sql
            keys = "".join(f"{_quote(element)}, " for element in group_by)
            return f"select {keys}coalesce(value, {int(fill)}) as value from ({sql}) as filled"
        if metric["type"] == "ratio":
            inputs = [("numerator", params["numerator"]), ("denominator", params["denominator"])]
            expression = "cast(numerator as double) / cast(nullif(denominator, 0) as double)"
        elif metric["type"] == "derived":
            inputs = [(item.get("alias") or item["name"], item) for item in params.get("metrics") or []]
            expression = params["expr"]
        else:
            raise UnsupportedMetric(f"metric {name}: type {metric['type']}")
        return self._combine(name, inputs, expression, group_by, filters)

    def _combine(
        self,
        name: str,
        inputs: list[tuple[str, dict[str, Any]]],
        expression: str,
        group_by: tuple[str, ...],
        filters: tuple[str, ...],
    ) -> str:
        """Input metrics joined on the group-by elements (full outer, nulls matching nulls), then `expression`."""
        if not inputs:
            raise UnsupportedMetric(f"metric {name}: no input metrics")
        sources, columns = [], []
        for position, (column, item) in enumerate(inputs):
            if item.get("offset_window") or item.get("offset_to_grain"):
                raise UnsupportedMetric(f"metric {name}: input {item['name']} has a time offset")
            sql = self._metric(item["name"], group_by, (*filters, *_where(item.get("filter"))))
            alias = f"i{position}"
            if position == 0:
                sources.append(f"({sql}) as {alias}")
            else:
                conditions = ["true"] + [
                    "coalesce({}) is not distinct from {}.{}".format(
                        ", ".join(f"i{before}.{_quote(element)}" for before in range(position)), alias, _quote(element)
                    )
                    for element in group_by
                ]
                sources.append(f"full outer join ({sql}) as {alias} on {' and '.join(conditions)}")
            columns.append(f"{alias}.value as {_quote(column)}")
        keys = [
            "coalesce({}) as {}".format(
                ", ".join(f"i{position}.{_quote(element)}" for position in range(len(inputs))), _quote(element)
            )
            for element in group_by
        ]
        inner = f"select {', '.join(keys + columns)} from {' '.join(sources)}"
        outer_keys = "".join(f"{_quote(element)}, " for element in group_by)
        return f"select {outer_keys}({expression}) as value from ({inner}) as inputs"

    # -- measures --

    def _measure(self, name: str, group_by: tuple[str, ...], filters: Iterable[str]) -> str:
        if name not in self.measures:
            raise UnsupportedMetric(f"no measure {name}")
        model, measure = self.measures[name]
        if measure.get("agg_params") or measure.get("non_additive_dimension"):
            raise UnsupportedMetric(f"measure {name}: agg_params or non_additive_dimension")
        if measure["agg"] not in _AGGREGATIONS:
            raise UnsupportedMetric(f"measure {name}: aggregation {measure['agg']}")
        joins: dict[tuple[str, str, str], str] = {}
        keys = [f"{self._dimension(model, element, joins)} as {_quote(element)}" for element in group_by]
        conditions = [self._render(model, where, joins) for where in filters]
        value = _AGGREGATIONS[measure["agg"]].format("m.__measure")
        base = ", ".join(
            [f"({measure.get('expr') or name}) as __measure"]
            + [f"({entity.get('expr') or entity['name']}) as {_quote('entity__' + entity['name'])}"
               for entity in model.get("entities") or []]
            + [f"({dimension.get('expr') or dimension['name']}) as {_quote('dimension__' + dimension['name'])}"
               for dimension in model.get("dimensions") or []]
        )
        sql = f"select {', '.join([*keys, value + ' as value'])} from (select {base} from {_relation(model)}) as m"
        for (entity, other, dimension), alias in joins.items():
            target = self.models[other]
            target_entity = next(e for e in target["entities"] if e["name"] == entity)
            target_dimension = next(d for d in target["dimensions"] if d["name"] == dimension)
            sql += (
                f" left join (select ({target_entity.get('expr') or entity}) as __key,"
                f" ({target_dimension.get('expr') or dimension}) as __value from {_relation(target)}) as {alias}"
                f" on m.{_quote('entity__' + entity)} = {alias}.__key"
            )
        if conditions:
            sql += " where " + " and ".join(f"({condition})" for condition in conditions)
        if group_by:
            sql += " group by " + ", ".join(str(position) for position in range(1, len(group_by) + 1))
        return sql

    def _render(self, model: dict[str, Any], where: str, joins: dict[tuple[str, str, str], str]) -> str:
        def element(match: re.Match[str]) -> str:
            kind, name = match.groups()
            if kind == "Dimension":
                return self._dimension(model, name, joins)
            if name not in {entity["name"] for entity in model.get("entities") or []}:
                raise UnsupportedMetric(f"filter {where!r}: entity {name} is not in {model['name']}")
            return f"m.{_quote('entity__' + name)}"

        rendered = _REFERENCE.sub(element, where)
        if "{{" in rendered or "{%" in rendered:
            raise UnsupportedMetric(f"filter {where!r}: only Dimension('entity__name') and Entity('name')")
        return rendered

    def _dimension(self, model: dict[str, Any], reference: str, joins: dict[tuple[str, str, str], str]) -> str:
        """SQL for `entity__dimension` seen from `model`'s measures; records a join when it lives elsewhere."""
        parts = reference.split("__")
        if len(parts) != 2:
            raise UnsupportedMetric(f"{reference}: only entity__dimension (no metric_time, no multi-hop joins)")
        entity, name = parts
        entities = {e["name"]: e for e in model.get("entities") or []}
        own = {model.get("primary_entity")} | {e for e, spec in entities.items() if spec["type"] in _IDENTIFYING}
        dimensions = {d["name"]: d for d in model.get("dimensions") or []}
        if entity in own and name in dimensions:
            _categorical(model, dimensions[name])
            return f"m.{_quote('dimension__' + name)}"
        if entity in entities:
            for other in self.models.values():
                target = {e["name"]: e for e in other.get("entities") or []}.get(entity)
                dimension = {d["name"]: d for d in other.get("dimensions") or []}.get(name)
                if other is not model and target and target["type"] in _IDENTIFYING and dimension:
                    _categorical(other, dimension)
                    return f"{joins.setdefault((entity, other['name'], name), f'j{len(joins)}')}.__value"
        raise UnsupportedMetric(f"{reference}: no such dimension reachable from semantic model {model['name']}")


def _categorical(model: dict[str, Any], dimension: dict[str, Any]) -> None:
    if dimension["type"] != "categorical":
        raise UnsupportedMetric(f"{model['name']}.{dimension['name']}: {dimension['type']} dimensions")


def _relation(model: dict[str, Any]) -> str:
    relation = model["node_relation"]
    return relation.get("relation_name") or ".".join(
        _quote(part) for part in (relation.get("database"), relation["schema_name"], relation["alias"]) if part
    )


def metric_values(
    con: duckdb.DuckDBPyConnection, compiler: MetricCompiler, metric: str, group_by: Sequence[str] = ()
) -> dict[tuple[Any, ...], Any]:
    """A metric's value per group (the tuple of group-by values; `()` without a group-by)."""
    rows = con.sql(compiler.sql(metric, group_by)).fetchall()
    return {tuple(row[:-1]): row[-1] for row in rows}


def semantic_validation_messages(semantic_manifest: dict[str, Any]) -> dict[str, list[str]]:
    """dbt-semantic-interfaces' validation of a semantic manifest (what `dbt parse` runs), by severity."""
    manifest = PydanticSemanticManifest.parse_obj(semantic_manifest)
    results = SemanticManifestValidator[PydanticSemanticManifest]().validate_semantic_manifest(manifest)
    return {
        "errors": [issue.message for issue in results.errors],
        "future_errors": [issue.message for issue in results.future_errors],
        "warnings": [issue.message for issue in results.warnings],
    }


# --- Without a database: the checks themselves can fail ------------------------------------------------------


def test_documentation_problems_finds_every_kind_of_gap() -> None:
    manifest = {
        "nodes": {
            "model.p.described": {
                "package_name": "p",
                "name": "described",
                "resource_type": "model",
                "description": "A mart.",
                "columns": {"id": {"description": "Key."}, "gone": {"description": "Stale."}},
            },
            "model.p.bare": {
                "package_name": "p",
                "resource_type": "model",
                "description": " ",
                "columns": {"id": {"description": ""}},
            },
            "model.p.int_published": {
                "package_name": "p",
                "resource_type": "model",
                "description": "What the mart publishes.",
                "config": {"meta": {"columns_documented_on": "described"}},
                "columns": {},
            },
            "model.p.int_orphan": {
                "package_name": "p",
                "resource_type": "model",
                "description": "Points at nothing.",
                "config": {"meta": {"columns_documented_on": "missing"}},
                "columns": {},
            },
            "seed.p.unbuilt": {"package_name": "p", "resource_type": "seed", "description": "A seed.", "columns": {}},
            "test.p.ignored": {"package_name": "p", "resource_type": "test", "description": "", "columns": {}},
        },
        "sources": {
            "source.p.crm.contacts": {
                "package_name": "p",
                "source_name": "crm",
                "source_description": "",
                "description": "Contacts.",
                "columns": {"id": {"description": "Key."}},
            },
        },
        "exposures": {"exposure.p.dashboard": {"package_name": "p", "description": ""}},
    }
    catalog = {
        "nodes": {"model.p.described": {"columns": {"ID": {}, "extra": {}}}, "model.p.bare": {"columns": {"id": {}}},
                  "model.p.int_published": {"columns": {"id": {}, "unpublished": {}}},
                  "model.p.int_orphan": {"columns": {"id": {}}}},
        "sources": {"source.p.crm.contacts": {"columns": {"id": {}, "email": {}}}},
    }
    assert documentation_problems(manifest, catalog, "p") == [
        "model.p.bare: no description",
        "model.p.bare: column id has no description",
        "model.p.described: column extra is in the relation but not declared in the YAML",
        "model.p.described: column gone is declared in the YAML but not in the relation",
        "model.p.int_orphan: columns_documented_on names no model: missing",
        "model.p.int_orphan: column id is in the relation but not declared in the YAML",
        "model.p.int_published: column unpublished is in the relation but not declared in the YAML",
        "seed.p.unbuilt: not in the catalog (not built?)",
        "source.p.crm.contacts: source crm has no description",
        "source.p.crm.contacts: column email is in the relation but not declared in the YAML",
        "exposure.p.dashboard: no description",
    ]


def test_semantic_problems_finds_missing_and_dangling_metrics() -> None:
    semantic_manifest = {
        "semantic_models": [
            {
                "name": "people",
                "description": "People.",
                "entities": [{"name": "person", "description": ""}],
                "dimensions": [],
                "measures": [{"name": "person_count", "description": "People."}],
            }
        ],
        "metrics": [
            {
                "name": "unified_individuals",
                "type": "simple",
                "description": "People.",
                "type_params": {"measure": {"name": "person_count"}},
            },
            {
                "name": "segment_size",
                "type": "simple",
                "description": "",
                "type_params": {"measure": {"name": "member_count"}},
            },
            {
                "name": "consolidation_rate",
                "type": "ratio",
                "description": "Rate.",
                "type_params": {
                    "numerator": {"name": "linked_records"},
                    "denominator": {"name": "unified_individuals"},
                },
            },
        ],
    }
    problems = semantic_problems(semantic_manifest)
    assert "semantic model people: entity person has no description" in problems
    assert "metric segment_size: no description" in problems
    assert "metric segment_size: measure member_count is in no semantic model" in problems
    assert "metric consolidation_rate is ratio, expected derived" in problems
    assert "metric consolidation_rate: input metric linked_records does not exist" in problems
    assert "metric average_engagement_score is missing" in problems
    assert [problem for problem in problems if problem.split()[1].rstrip(":") == "unified_individuals"] == []


def _toy_semantic_manifest() -> dict[str, Any]:
    """A semantic manifest in `semantic_manifest.json`'s shape over the toy tables of `toy_warehouse`."""

    def model(name: str, entities: list, dimensions: list, measures: list, **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "node_relation": {"alias": name, "schema_name": "main", "database": None, "relation_name": f"main.{name}"},
            "entities": [{"name": n, "type": t, "expr": e} for n, t, e in entities],
            "dimensions": [{"name": n, "type": t, "expr": None} for n, t in dimensions],
            "measures": [{"name": n, "agg": a, "expr": e, "agg_params": None} for n, a, e in measures],
            **extra,
        }

    def metric(name: str, kind: str, filter_sql: str | None = None, **params: Any) -> dict[str, Any]:
        return {"name": name, "type": kind, "type_params": params, "filter": where(filter_sql)}

    def where(sql: str | None) -> dict[str, Any] | None:
        return {"where_filters": [{"where_sql_template": sql}]} if sql else None

    def measure(name: str, filter_sql: str | None = None, **extra: Any) -> dict[str, Any]:
        return {"name": name, "filter": where(filter_sql), "join_to_timespine": False, "fill_nulls_with": None, **extra}

    crm = "{{ Dimension('record__system') }} = 'crm'"
    return {
        "semantic_models": [
            model(
                "people",
                [("person", "primary", "person_id")],
                [("country", "categorical"), ("tier", "categorical"), ("as_of", "time")],
                [
                    ("person_count", "count_distinct", "person_id"),
                    ("gold_count", "sum_boolean", "tier = 'gold'"),
                    ("tier_p90", "percentile", "person_id"),
                ],
            ),
            model(
                "links",
                [("record", "primary", "record_id"), ("person", "foreign", "person_id")],
                [("system", "categorical")],
                [("record_count", "count", "record_id"), ("linked_person_count", "count_distinct", "person_id")],
            ),
        ],
        "metrics": [
            metric("people", "simple", measure=measure("person_count")),
            metric(
                "german_people", "simple", "{{ Dimension('person__country') }} = 'DE'", measure=measure("person_count")
            ),
            metric("gold_people", "simple", measure=measure("gold_count")),
            metric("records", "simple", measure=measure("record_count")),
            metric("crm_records", "simple", measure=measure("record_count", crm)),
            metric("linked_people", "simple", measure=measure("linked_person_count")),
            metric(
                "records_per_person", "ratio", numerator={"name": "records"}, denominator={"name": "linked_people"}
            ),
            metric(
                "crm_share",
                "ratio",
                numerator={"name": "records", "filter": where(crm)},
                denominator={"name": "records"},
            ),
            metric(
                "nobody_ratio",
                "ratio",
                "{{ Dimension('person__country') }} = 'XX'",
                numerator={"name": "records"},
                denominator={"name": "people"},
            ),
            metric(
                "consolidation",
                "derived",
                expr="1 - linked / recs",
                metrics=[{"name": "linked_people", "alias": "linked"}, {"name": "records", "alias": "recs"}],
            ),
            metric("records_to_date", "cumulative", measure=measure("record_count")),
            metric("p90", "simple", measure=measure("tier_p90")),
            metric("records_filled", "simple", measure=measure("record_count", join_to_timespine=True)),
            metric("recent_records", "simple", "{{ TimeDimension('person__as_of', 'day') }} > '2000-01-01'",
                   measure=measure("record_count")),
        ],
    }


@pytest.fixture
def toy_warehouse() -> Any:
    con = duckdb.connect()
    con.sql(
        "create table people as select *, date '2026-01-01' as as_of from (values (1, 'DE', 'gold'), (2, 'DE', null),"
        " (3, 'FR', 'gold'), (4, 'US', null)) as t(person_id, country, tier)"
    )
    # person 5 has no profile (deleted): the join to people gives no country
    con.sql(
        "create table links as select * from (values (10, 1, 'crm'), (11, 1, 'shop'), (12, 2, 'crm'), (13, 3, 'crm'),"
        " (14, 3, 'crm'), (15, 3, 'shop'), (16, 5, 'shop')) as t(record_id, person_id, system)"
    )
    yield con
    con.close()


def test_metric_compiler_computes_simple_ratio_and_derived_metrics(toy_warehouse: Any) -> None:
    compiler = MetricCompiler(_toy_semantic_manifest())

    def values(metric: str, *group_by: str) -> dict[tuple[Any, ...], Any]:
        return metric_values(toy_warehouse, compiler, metric, group_by)

    assert values("people") == {(): 4}
    assert values("german_people") == {(): 2}
    assert values("gold_people") == {(): 2}
    assert values("people", "person__tier") == {("gold",): 2, (None,): 2}
    assert values("records", "record__system") == {("crm",): 4, ("shop",): 3}
    # through the person entity to another semantic model: a left join, records without a profile in the null group
    assert values("records", "person__country") == {("DE",): 3, ("FR",): 3, (None,): 1}
    assert values("crm_records") == {(): 4}
    assert values("records_per_person") == {(): pytest.approx(7 / 4)}
    assert values("consolidation") == {(): pytest.approx(1 - 4 / 7)}
    assert values("consolidation", "record__system") == {("crm",): pytest.approx(0.25), ("shop",): 0.0}
    # an input filter applies to its input only; a group without numerator rows has no value
    assert values("crm_share") == {(): pytest.approx(4 / 7)}
    assert values("crm_share", "person__country") == {
        ("DE",): pytest.approx(2 / 3),
        ("FR",): pytest.approx(2 / 3),
        (None,): None,
    }
    # a metric filter applies to every input; a zero denominator gives null, not an error
    assert values("nobody_ratio") == {(): None}


@pytest.mark.parametrize(
    ("metric", "group_by", "message"),
    [
        ("records_to_date", (), "type cumulative"),
        ("p90", (), "aggregation percentile"),
        ("records_filled", (), "join_to_timespine"),
        ("recent_records", (), "only Dimension"),
        ("records", ("metric_time",), "only entity__dimension"),
        ("records", ("record__person__country",), "only entity__dimension"),
        ("people", ("person__as_of",), "time dimensions"),
        ("records", ("record__tier_name",), "no such dimension"),
        ("no_such_metric", (), "no metric"),
    ],
)
def test_metric_compiler_refuses_what_it_does_not_translate(
    metric: str, group_by: tuple[str, ...], message: str
) -> None:
    with pytest.raises(UnsupportedMetric, match=message):
        MetricCompiler(_toy_semantic_manifest()).sql(metric, group_by)


# --- On the built database -------------------------------------------------------------------------------------


def _environment(built_data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CDP_RAW_DIR": str(built_data / "raw"),
        "CDP_TRUTH_DIR": str(built_data / "truth"),
        "CDP_DUCKDB_PATH": str(built_data / "cdp.duckdb"),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


def _run_dbt(built_data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DBT), *args], cwd=ROOT, env=_environment(built_data), capture_output=True, text=True, check=False
    )


# Words of a warning about the semantic layer.
_SEMANTIC_WORDS = ("semantic", "metric", "time spine", "timespine", "measure")


@pytest.fixture(scope="module")
def docs_target(built_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt parse` (which validates the semantic layer), then `dbt docs generate`, into a temporary target path.

    dbt runs dbt-semantic-interfaces' validations on every full parse: an error fails the parse ("Semantic Manifest
    validation failed"), a warning is logged as a SemanticValidationFailure event. The parse writes its log file as
    JSON so that every warning is checked by its event, not by its wording.
    """
    target = tmp_path_factory.mktemp("docs_target")
    parse_logs = target / "parse_logs"
    result = _run_dbt(
        built_data, "parse", "--no-partial-parse", "--target-path", str(target), "--log-path", str(parse_logs),
        "--log-format-file", "json",
    )
    assert result.returncode == 0, f"dbt parse failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    events = [json.loads(line)["info"] for line in (parse_logs / "dbt.log").read_text().splitlines() if line.strip()]
    assert events and (target / "semantic_manifest.json").exists(), "dbt parse logged nothing or wrote no manifest"
    semantic_warnings = [
        f"{event['name']}: {event['msg']}"
        for event in events
        if event["name"] == "SemanticValidationFailure"  # dbt-semantic-interfaces' findings
        or event["name"].startswith("MF")  # deprecations of the semantic layer's YAML (MFTimespine..., ...)
        or (
            event["level"] in {"warn", "error"}
            and any(word in f"{event['name']} {event['msg']}".lower() for word in _SEMANTIC_WORDS)
        )
    ]
    assert semantic_warnings == [], "dbt parse warned about the semantic layer:\n" + "\n".join(semantic_warnings)

    result = _run_dbt(
        built_data, "docs", "generate", "--target-path", str(target), "--log-path", str(target / "logs")
    )
    assert result.returncode == 0, f"dbt docs generate failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    semantic_warnings = [
        line
        for line in result.stdout.splitlines()
        if "warn" in line.lower() and any(word in line.lower() for word in _SEMANTIC_WORDS)
    ]
    assert semantic_warnings == [], "dbt warned about the semantic layer:\n" + "\n".join(semantic_warnings)
    for artifact in ("index.html", "manifest.json", "catalog.json", "semantic_manifest.json"):
        assert (target / artifact).exists(), f"dbt docs generate wrote no {artifact}"
    return target


def _artifact(target: Path, name: str) -> dict[str, Any]:
    return json.loads((target / name).read_text())


def test_docs_describe_every_node_source_exposure_and_column(docs_target: Path) -> None:
    manifest, catalog = _artifact(docs_target, "manifest.json"), _artifact(docs_target, "catalog.json")
    project = manifest["metadata"]["project_name"]
    problems = documentation_problems(manifest, catalog, project)
    assert problems == [], "undocumented:\n" + "\n".join(problems)
    # Not vacuous: the catalog holds the project's relations and their columns.
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    assert len(models) >= 80 and len(manifest["sources"]) >= 30 and len(manifest["exposures"]) >= 3
    assert sum(len(relation["columns"]) for relation in catalog["nodes"].values()) >= 800


def test_marts_document_exactly_their_columns_with_real_descriptions(docs_target: Path) -> None:
    manifest, catalog = _artifact(docs_target, "manifest.json"), _artifact(docs_target, "catalog.json")
    marts = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")
    }
    assert len(marts) >= 16
    thin = []
    for unique_id, node in sorted(marts.items()):
        relation_columns = {name.lower() for name in catalog["nodes"][unique_id]["columns"]}
        assert relation_columns == {name.lower() for name in node["columns"]}, unique_id
        for name, column in node["columns"].items():
            words = column["description"].split()
            # A description says more than the column's own name does.
            if len(words) < 3 or " ".join(words).lower().strip(".") == name.replace("_", " "):
                thin.append(f"{unique_id}.{name}: {column['description']!r}")
    assert thin == [], "mart columns with filler descriptions:\n" + "\n".join(thin)


def test_overview_page_is_the_projects(docs_target: Path) -> None:
    manifest = _artifact(docs_target, "manifest.json")
    overview = manifest["docs"].get(f"doc.{manifest['metadata']['project_name']}.__overview__")
    assert overview is not None, "models/overview.md must define {% docs __overview__ %}"
    text = overview["block_contents"]
    for needle in (
        "Ingest / staging",
        "Resolve / identity graph",
        "Activate",
        "Splink",
        "Clusters",
        "Stable unified IDs",
        "identity_review_queue",
        "Lineage overview",
        "unified_links",
        "segment_memberships",
    ):
        assert needle in text, f"the overview page does not mention {needle!r}"
    assert "mermaid" not in text  # the docs site does not render it


def test_semantic_layer_is_complete_and_described(docs_target: Path) -> None:
    semantic_manifest = _artifact(docs_target, "semantic_manifest.json")
    problems = semantic_problems(semantic_manifest)
    assert problems == [], "\n".join(problems)
    models = {model["name"]: model for model in semantic_manifest["semantic_models"]}
    assert {"segment_name"} <= {d["name"] for d in models["segment_memberships"]["dimensions"]}
    assert {m["name"] for m in models["calculated_insights"]["measures"]} >= {"engagement_score_average"}
    spines = semantic_manifest["project_configuration"]["time_spines"]
    assert [
        (s["node_relation"]["alias"], s["primary_column"]["name"], s["primary_column"]["time_granularity"])
        for s in spines
    ] == [("time_spine_daily", "date_day", "day")]


def test_dbt_semantic_validation_passes_and_would_catch_errors(docs_target: Path) -> None:
    """The validations `dbt parse` ran, rerun on its semantic manifest: none fails; a broken metric would."""
    semantic_manifest = _artifact(docs_target, "semantic_manifest.json")
    assert semantic_validation_messages(semantic_manifest) == {"errors": [], "future_errors": [], "warnings": []}

    broken = json.loads(json.dumps(semantic_manifest))
    metric = next(metric for metric in broken["metrics"] if metric["name"] == "unified_individuals")
    metric["type_params"]["measure"]["name"] = "no_such_measure"
    metric["type_params"]["input_measures"] = [{"name": "no_such_measure"}]
    assert any("no_such_measure" in message for message in semantic_validation_messages(broken)["errors"])


@pytest.fixture(scope="module")
def warehouse(docs_target: Path, built_data: Path) -> Any:
    """A read-only connection to the built database (after dbt is done with it)."""
    con = duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True)
    yield con
    con.close()


def test_semantic_models_run_on_the_warehouse(docs_target: Path, warehouse: Any) -> None:
    """Every node relation exists and has every entity, dimension and measure expression (time dimensions as dates
    or timestamps), aggregated as its measure says; the time spine covers run_date."""
    semantic_manifest = _artifact(docs_target, "semantic_manifest.json")
    problems = []
    for model in semantic_manifest["semantic_models"]:
        elements = [
            (kind, element)
            for kind in ("entities", "dimensions", "measures")
            for element in model.get(kind) or []
        ]
        for kind, element in elements:
            expression = element.get("expr") or element["name"]
            if kind == "measures":
                expression = _AGGREGATIONS.get(element["agg"], "{}").format(f"({expression})")
            try:
                relation = warehouse.sql(f"select {expression} from {_relation(model)}")
                column_type = str(relation.types[0]).upper()
                relation.fetchall()
            except duckdb.Error as error:
                singular = {"entities": "entity", "dimensions": "dimension", "measures": "measure"}[kind]
                problems.append(f"{model['name']}: {singular} {element['name']}: {error}")
                continue
            if element.get("type") == "time" and not column_type.startswith(("DATE", "TIMESTAMP")):
                problems.append(f"{model['name']}: time dimension {element['name']} is {column_type}")
    assert problems == [], "\n".join(problems)
    [spine] = semantic_manifest["project_configuration"]["time_spines"]
    relation = spine["node_relation"]["relation_name"]
    column = spine["primary_column"]["name"]
    [(days, distinct_days, covers_run_date)] = warehouse.sql(
        f"select count(*), count(distinct {column}),"
        f" bool_or({column} = (select max(profile_as_of) from main.unified_profiles)) from {relation}"
    ).fetchall()
    assert days == distinct_days > 365 and covers_run_date


def test_every_metric_compiles_to_sql_that_runs(docs_target: Path, warehouse: Any) -> None:
    """No metric uses a feature the compiler cannot translate, so the comparisons below cover all of them."""
    compiler = MetricCompiler(_artifact(docs_target, "semantic_manifest.json"))
    values = {name: metric_values(warehouse, compiler, name) for name in compiler.metrics}
    assert set(values) == set(EXPECTED_METRICS)
    assert all(set(value) == {()} and value[()] is not None for value in values.values()), values


def test_metric_values_equal_the_marts(docs_target: Path, warehouse: Any) -> None:
    compiler = MetricCompiler(_artifact(docs_target, "semantic_manifest.json"))
    values = {name: metric_values(warehouse, compiler, name)[()] for name in EXPECTED_METRICS}
    threshold = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]["high_churn_risk_threshold"]

    [(profiles, profile_records, revenue)] = warehouse.sql(
        "select count(*), sum(record_count), sum(revenue_total) from main.unified_profiles"
    ).fetchall()
    [(records, individuals, rate)] = warehouse.sql(
        "select record_count, unified_individual_count, consolidation_rate from main.identity_resolution_metrics"
    ).fetchall()
    [(scored, engagement, churn, high_churn, lifetime_value)] = warehouse.execute(
        "select count(*), avg(engagement_score), avg(churn_risk_score), count(*) filter (churn_risk_score >= ?),"
        " sum(lifetime_value) from main.calculated_insights",
        [threshold],
    ).fetchall()
    segments = dict(warehouse.sql("select segment_name, count(*) from main.segment_memberships group by 1").fetchall())
    [(segment_people,)] = warehouse.sql(
        "select count(distinct unified_individual_id) from main.segment_memberships"
    ).fetchall()

    assert values["unified_individuals"] == profiles > 0
    assert values["scored_individuals"] == scored == profiles
    assert values["records_of_active_individuals"] == profile_records
    assert float(values["revenue_to_date"]) == pytest.approx(float(revenue))
    assert values["linked_records"] == records > profiles
    assert values["resolved_individuals"] == individuals >= profiles
    assert values["consolidation_rate"] == pytest.approx(float(rate), abs=1e-9)
    assert 0 < values["consolidation_rate"] < 1
    assert values["records_per_unified_individual"] == pytest.approx(records / individuals)
    assert values["unified_individuals_per_record"] == pytest.approx(individuals / records)
    assert values["average_engagement_score"] == pytest.approx(float(engagement))
    assert values["average_churn_risk"] == pytest.approx(float(churn))
    assert values["high_churn_risk_individuals"] == high_churn > 0
    assert values["high_churn_risk_share"] == pytest.approx(high_churn / scored)
    assert float(values["total_lifetime_value"]) == pytest.approx(float(lifetime_value))
    assert values["segment_size"] == segment_people
    assert len(segments) >= 3
    by_segment = metric_values(warehouse, compiler, "segment_size", ["segment_membership__segment_name"])
    assert {segment: size for (segment,), size in by_segment.items()} == segments


def test_metrics_by_dimension_equal_the_marts(docs_target: Path, warehouse: Any) -> None:
    """Grouped by a dimension of the metric's own semantic model, and by a person dimension of another one."""
    compiler = MetricCompiler(_artifact(docs_target, "semantic_manifest.json"))

    by_system = metric_values(warehouse, compiler, "consolidation_rate", ["identity_record__source_system"])
    expected = dict(
        warehouse.sql(
            "select source_system, 1 - count(distinct unified_individual_id) / count(*)"
            " from main.unified_links group by 1"
        ).fetchall()
    )
    assert len(expected) >= 5
    assert {system: rate for (system,), rate in by_system.items()} == pytest.approx(expected)

    by_tier = metric_values(warehouse, compiler, "average_engagement_score", ["unified_individual__club_tier"])
    expected = dict(
        warehouse.sql(
            "select p.club_tier, avg(i.engagement_score) from main.calculated_insights as i"
            " left join main.unified_profiles as p using (unified_individual_id) group by 1"
        ).fetchall()
    )
    assert len(expected) >= 3
    assert {tier: score for (tier,), score in by_tier.items()} == pytest.approx(expected)


def test_every_model_is_selected_by_its_layer_folder(docs_target: Path) -> None:
    """A model's folder path names its layer and area, Python models included (python_models/ mirrors models/),
    so `dbt ls --select intermediate.identity` takes every model of the identity step."""
    manifest = _artifact(docs_target, "manifest.json")
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    python = [node for node in models if node["language"] == "python"]
    assert len(python) >= 5
    misplaced = []
    for node in models:
        folders = Path(node["original_file_path"]).parts[1:-1]
        if tuple(node["fqn"][1:-1]) != folders or folders[0] not in {"staging", "intermediate", "marts"}:
            misplaced.append(f"{node['original_file_path']}: fqn {'.'.join(node['fqn'])}")
    assert misplaced == [], "models outside the layer tree:\n" + "\n".join(misplaced)
    identity = {node["name"] for node in models if node["fqn"][1:3] == ["intermediate", "identity"]}
    assert {node["name"] for node in python} <= identity


def _layer(node: dict[str, Any]) -> str:
    return node["fqn"][1] if len(node["fqn"]) > 2 else ""


def layer_violations(manifest: dict[str, Any]) -> list[str]:
    """Edges against the direction of the layers: staging reads sources, seeds and staging; intermediate reads no
    mart; a mart reads another mart only where its YAML says so (`config.meta.reads_marts`: {mart: why})."""
    nodes = manifest["nodes"]
    problems = []
    for node in sorted(nodes.values(), key=lambda n: n["unique_id"]):
        if node["resource_type"] != "model":
            continue
        layer = _layer(node)
        declared = (node.get("config", {}).get("meta") or {}).get("reads_marts") or {}
        for parent_id in node["depends_on"]["nodes"]:
            parent = nodes.get(parent_id)
            if parent is None or parent["resource_type"] != "model":
                continue
            parent_layer = _layer(parent)
            wrong = (
                (layer == "staging" and parent_layer != "staging")
                or (layer == "intermediate" and parent_layer == "marts")
                or (layer == "marts" and parent_layer == "marts" and parent["name"] not in declared)
            )
            if wrong:
                problems.append(f"{node['name']} ({layer}) reads {parent['name']} ({parent_layer})")
    return problems


def test_layer_violations_finds_backward_edges() -> None:
    def model(name: str, layer: str, parents: list[str], meta: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"unique_id": f"model.p.{name}", "name": name, "resource_type": "model", "fqn": ["p", layer, name],
                "depends_on": {"nodes": [f"model.p.{parent}" for parent in parents]}, "config": {"meta": meta or {}}}
    nodes = [model("stg_a", "staging", []), model("int_b", "intermediate", ["stg_a", "mart_c"]),
             model("mart_c", "marts", ["int_b"]), model("mart_d", "marts", ["mart_c", "int_b"]),
             model("mart_e", "marts", ["mart_c"], {"reads_marts": {"mart_c": "why"}}),
             model("stg_f", "staging", ["int_b"])]
    manifest = {"nodes": {node["unique_id"]: node for node in nodes}}
    assert layer_violations(manifest) == [
        "int_b (intermediate) reads mart_c (marts)",
        "mart_d (marts) reads mart_c (marts)",
        "stg_f (staging) reads int_b (intermediate)",
    ]


def test_layers_run_one_way(docs_target: Path) -> None:
    """No intermediate model reads a mart; a mart reads a mart only where its folder's YAML says why."""
    assert layer_violations(_artifact(docs_target, "manifest.json")) == []


def thin_mart_problems(manifest: dict[str, Any]) -> list[str]:
    """Marts that are not thin, contracted, public selects: a mart reads at most one model (the intermediate model
    holding its logic; the time spine reads none), enforces its contract and is `access: public`."""
    problems = []
    for node in sorted(manifest["nodes"].values(), key=lambda n: n["unique_id"]):
        if node["resource_type"] != "model" or _layer(node) != "marts":
            continue
        parents = [parent for parent in node["depends_on"]["nodes"] if parent.startswith("model.")]
        if len(parents) > 1:
            problems.append(f"{node['name']} reads {len(parents)} models, not one")
        if not ((node.get("config") or {}).get("contract") or {}).get("enforced"):
            problems.append(f"{node['name']} has no enforced contract")
        if node.get("access") != "public":
            problems.append(f"{node['name']} is not public")
    return problems


def test_thin_mart_problems_finds_logic_missing_contracts_and_protected_marts() -> None:
    def model(name: str, parents: list[str], contract: bool = True, access: str = "public") -> dict[str, Any]:
        return {"unique_id": f"model.p.{name}", "name": name, "resource_type": "model", "fqn": ["p", "marts", name],
                "depends_on": {"nodes": [f"model.p.{parent}" for parent in parents]}, "access": access,
                "config": {"contract": {"enforced": contract}}}
    nodes = [model("thin", ["int_a"]), model("spine", []), model("joins", ["int_a", "int_b"]),
             model("loose", ["int_a"], contract=False), model("hidden", ["int_a"], access="protected")]
    manifest = {"nodes": {node["unique_id"]: node for node in nodes}}
    assert thin_mart_problems(manifest) == [
        "hidden is not public", "joins reads 2 models, not one", "loose has no enforced contract"]


def test_every_mart_is_a_thin_contracted_public_select(docs_target: Path) -> None:
    """A mart publishes one intermediate model (README: marts): its logic lives in that model."""
    assert thin_mart_problems(_artifact(docs_target, "manifest.json")) == []


def _is_pii(column: dict[str, Any]) -> bool:
    config = column.get("config") or {}
    tags = [*(column.get("tags") or []), *(config.get("tags") or [])]
    return "pii" in tags or bool((column.get("meta") or {}).get("pii") or (config.get("meta") or {}).get("pii"))


def untagged_published_pii(manifest: dict[str, Any]) -> list[str]:
    """PII columns of a mart that the intermediate model it publishes (`meta.columns_documented_on`) holds untagged:
    the tag is what attaches Snowflake's masking policy to the table that stores the values (pii_masking.sql). A
    view stores nothing: it shows what the tables under it show, masked where they are."""
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    problems = []
    for name, node in sorted(models.items()):
        mart = models.get((node.get("config", {}).get("meta") or {}).get("columns_documented_on") or "")
        if mart is None or node.get("config", {}).get("materialized") in ("view", "ephemeral"):
            continue
        own = node.get("columns", {})
        for column_name, column in sorted(mart.get("columns", {}).items()):
            if _is_pii(column) and not (column_name in own and _is_pii(own[column_name])):
                problems.append(f"{name}.{column_name} is PII in {mart['name']} but not tagged pii")
    return problems


def test_untagged_published_pii_finds_a_column_tagged_on_the_mart_only() -> None:
    pii = {"config": {"tags": ["pii"], "meta": {"pii": True}}}
    nodes = {
        "model.p.mart": {"name": "mart", "resource_type": "model", "columns": {"email": pii, "phone": pii, "n": {}}},
        "model.p.int_a": {"name": "int_a", "resource_type": "model", "columns": {"email": pii, "n": {}},
                          "config": {"meta": {"columns_documented_on": "mart"}}},
        "model.p.int_view": {"name": "int_view", "resource_type": "model", "columns": {},
                             "config": {"materialized": "view", "meta": {"columns_documented_on": "mart"}}},
    }
    assert untagged_published_pii({"nodes": nodes}) == ["int_a.phone is PII in mart but not tagged pii"]


def test_intermediate_models_tag_the_pii_their_marts_publish(docs_target: Path) -> None:
    assert untagged_published_pii(_artifact(docs_target, "manifest.json")) == []


LAYOUT_TOPS = ("models", "python_models", "macros", "seeds", "tests", "cdp", "docs")


def layout_problems(readme: str, root: Path) -> list[str]:
    """README's Layout table against the tree: every folder holding files (under LAYOUT_TOPS) is a row (or holds a
    file a row names), or is named in the row of a folder above it (`identity/` in the row of `models/marts/`);
    every folder and file a row names exists. A row's `<name>` stands for any one folder."""
    section = readme.split("\n## Layout\n", 1)[1].split("\n#", 1)[0]
    rows = [line.split("|")[1:3] for line in section.splitlines() if line.startswith("| `")]
    patterns, files = [], []
    for first, text in rows:
        files += [path for path in re.findall(r"`([^`]+)`", first) if "/" in path and not path.endswith("/")]
        for path in re.findall(r"`([^`]+/)`", first):
            regex = "^" + re.sub(r"<[^>]+>", "[^/]+", re.escape(path).replace(r"\<", "<").replace(r"\>", ">")) + "$"
            patterns.append((path, re.compile(regex), first + text))
    every_folder = {
        folder.relative_to(root).as_posix() + "/": folder
        for top in LAYOUT_TOPS if (root / top).is_dir() for folder in [root / top, *(root / top).rglob("*")]
        if folder.is_dir() and "__pycache__" not in folder.parts}
    folders = sorted(name for name, folder in every_folder.items() if any(c.is_file() for c in folder.iterdir()))
    problems = [f"README's Layout table names {path}, which does not exist" for path in files
                if not (root / path).is_file()]
    for folder in folders:
        if any(regex.match(folder) for _, regex, _ in patterns) or any(
                path.rsplit("/", 1)[0] + "/" == folder for path in files):
            continue
        named = any(folder.startswith(path) and folder != path
                    and (f"`{folder[len(path):]}`" in text or f"`{folder}`" in text)
                    for path, _, text in patterns if "<" not in path)
        if not named:
            problems.append(f"{folder} is not in README's Layout table")
    for path, regex, _ in patterns:
        if not any(regex.match(folder) for folder in every_folder):
            problems.append(f"README's Layout table names {path}, which does not exist")
    return problems


def test_layout_problems_finds_missing_and_stale_rows(tmp_path: Path) -> None:
    for folder in ("models/staging/crm", "models/marts/identity", "models/marts/extra", "cdp"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "f.sql").write_text("")
    readme = ("# x\n\n## Layout\n\n| path | what |\n|---|---|\n| `models/staging/<system>/` | staging |\n"
              "| `models/marts/` | marts: `identity/` |\n| `macros/gone/` | stale |\n\n## Next\n")
    assert layout_problems(readme, tmp_path) == [
        "cdp/ is not in README's Layout table",
        "models/marts/extra/ is not in README's Layout table",
        "README's Layout table names macros/gone/, which does not exist",
    ]


def test_readme_layout_table_matches_the_tree() -> None:
    assert layout_problems((ROOT / "README.md").read_text(), ROOT) == []
