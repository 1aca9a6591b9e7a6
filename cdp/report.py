"""`cdp report`: a static, self-contained HTML identity-resolution report of a built DuckDB database.

It reads the identity marts (unified_links, identity_edges, identity_resolution_metrics, the review queue,
guard activity, unified_id_changes), the scored pairs of int_identity_edges__probabilistic and, on synthetic
data, the ground truth; it scores the candidate pairs again with the committed Splink model for the
match-weight distribution and Splink's dashboards. Charts are inline SVG drawn by `cdp.report_charts`: the
report loads nothing from the network. Splink's comparison viewer and cluster studio are written next to it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import pkgutil
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from string import Template
from typing import Any

import duckdb

from cdp.identity.matching import MERGE_POLICY_ADMITS_SQL
from cdp.project import BuiltDatabase, MergePolicy, Relations, merge_policy, relations
from cdp.report_charts import (
    BLUE,
    GREEN,
    ORANGE,
    RED,
    Marker,
    Series,
    WeightRow,
    bar_chart,
    legend,
    line_chart,
    weights_chart,
)
from cdp.review.agreement import agreement_by_band, read_decisions

# Thresholds the accuracy curve is computed at; the review band's lower end and the current threshold are added.
CURVE_THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99)
# A reference to anything outside the file: what an offline report must not contain.
EXTERNAL_REFERENCE = re.compile(
    r"""<(?:script|img|iframe|audio|video|source|embed)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""",
    re.IGNORECASE,
)


# The merge policy the report marks: dbt vars `match_threshold_probability` and `review_band_lower_probability`.
Policy = MergePolicy


@dataclass(frozen=True)
class Accuracy:
    threshold: float
    precision: float | None
    recall: float | None
    f1: float | None
    unified_individuals: int


@dataclass
class Report:
    """What `write_report` wrote."""

    path: Path
    dashboards: list[Path] = field(default_factory=list)
    sampled_clusters: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- configuration


def read_policy(project_dir: Path, overrides: str | dict[str, Any] | None = None) -> Policy:
    """The thresholds of the project's dbt_project.yml vars, `overrides` (as dbt's `--vars`) on top."""
    return merge_policy(project_dir, overrides)


def probability_to_weight(probability: float) -> float:
    """Splink's match weight of a match probability (log2 of the odds)."""
    return math.log2(probability / (1 - probability))


# ---------------------------------------------------------------- reading the database


def _rows(db: BuiltDatabase, sql: str) -> list[tuple[Any, ...]]:
    return db.con.execute(sql).fetchall()


def _metrics(db: BuiltDatabase) -> dict[str, Any]:
    relation = db.con.execute(f"select * from {db.table('identity_resolution_metrics')}")
    row = relation.fetchone()
    names = [column[0] for column in relation.description]
    return dict(zip(names, row, strict=True)) if row else {}


def _truth(db: BuiltDatabase) -> dict[str, str]:
    """Record -> real person, when the database has ground truth (synthetic data); empty otherwise."""
    if not db.exists("stg_evaluation__truth_records"):
        return {}
    try:
        rows = _rows(db, f"select identity_record_id, person_id from {db.table('stg_evaluation__truth_records')}")
    except duckdb.Error:  # a view over a truth file that is not there (real data, or moved)
        return {}
    return {record: str(person) for record, person in rows}


def _stored_pairs(db: BuiltDatabase) -> list[tuple[str, str, float, bool]]:
    """Scored pairs the pipeline kept (down to the review band): both records, probability, and whether the
    merge policy lets them join (`MERGE_POLICY_ADMITS_SQL`: a record lacking a name needs an exact birth date,
    email or phone)."""
    if not db.exists("int_identity_edges__probabilistic"):
        return []
    table = db.table("int_identity_edges__probabilistic")
    columns = {row[0] for row in _rows(db, f"describe {table}")}
    current = "where is_current" if "is_current" in columns else ""
    return _rows(db, f"""
        select identity_record_id_l, identity_record_id_r, match_probability,
               {MERGE_POLICY_ADMITS_SQL}
        from {table} {current}""")


# ---------------------------------------------------------------- accuracy across thresholds


def _find(parent: dict[str, str], node: str) -> str:
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


def _components(records: Iterable[str], edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    parent = {record: record for record in records}
    for left, right in edges:
        if left in parent and right in parent:
            root_l, root_r = _find(parent, left), _find(parent, right)
            if root_l != root_r:
                parent[max(root_l, root_r)] = min(root_l, root_r)
    return {record: _find(parent, record) for record in parent}


def _pairs(counts: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def pairwise_accuracy(cluster_of: dict[str, str], truth: dict[str, str]) -> tuple[float | None, float | None]:
    """Pairwise precision and recall of a clustering over the records with ground truth."""
    labelled = [(cluster_of[r], person) for r, person in truth.items() if r in cluster_of]
    true_positive = _pairs(Counter(labelled).values())
    predicted = _pairs(Counter(c for c, _ in labelled).values())
    actual = _pairs(Counter(p for _, p in labelled).values())
    return (true_positive / predicted if predicted else None, true_positive / actual if actual else None)


def accuracy_by_threshold(
    records: Sequence[str],
    fixed_edges: Sequence[tuple[str, str]],
    pairs: Sequence[tuple[str, str, float, bool]],
    truth: dict[str, str],
    thresholds: Sequence[float],
) -> list[Accuracy]:
    """Pairwise precision, recall and F1 if the match threshold were each of `thresholds`: clusters are the
    connected components of the fixed (deterministic, manual) edges plus the scored pairs the merge policy
    admits at that threshold. Cuts and the cluster cap are not replayed."""
    results = []
    for threshold in thresholds:
        edges = [*fixed_edges, *((left, right) for left, right, p, ok in pairs if ok and p >= threshold)]
        cluster_of = _components(records, edges)
        precision, recall = pairwise_accuracy(cluster_of, truth)
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
        results.append(Accuracy(threshold, precision, recall, f1, len(set(cluster_of.values()))))
    return results


# ---------------------------------------------------------------- Splink: scoring, its chart, its dashboards


@dataclass
class Scored:
    """Every candidate pair scored by the committed model (Splink predictions, with their linker)."""

    linker: Any
    predictions: Any
    records: Any
    weights: list[tuple[str, str, float]]


def score_candidate_pairs(db: BuiltDatabase) -> Scored | None:
    """Score all candidate pairs of the matching inputs with the committed model, in an in-memory DuckDB."""
    if not db.exists("int_identity_match_inputs"):
        return None
    from splink import DuckDBAPI, Linker

    from cdp.identity.matching import INPUT_COLUMNS, load_model, model_path_from_env

    records = db.con.sql(f"select {', '.join(INPUT_COLUMNS)} from {db.table('int_identity_match_inputs')} "
                         "order by identity_record_id").to_arrow_table()
    if records.num_rows < 2:
        return None
    model = load_model(model_path_from_env(), records.num_rows)
    model["retain_intermediate_calculation_columns"] = True
    model["retain_matching_columns"] = True
    db_api = DuckDBAPI(connection=duckdb.connect())
    frame = db_api.register(records, dataset_display_name="identity_match_inputs")
    linker = Linker(frame, model, log_level=logging.WARNING)
    logging.getLogger("splink").setLevel(logging.WARNING)
    predictions = linker.inference.predict()
    weights = predictions.as_duckdbpyrelation().select(
        "identity_record_id_l, identity_record_id_r, match_weight").fetchall()
    return Scored(linker, predictions, records, weights)


def model_weight_rows(linker: Any) -> list[WeightRow]:
    """The bars of Splink's match-weights chart (`linker.visualisations.match_weights_chart()`)."""
    rows = []
    for record in linker.visualisations.match_weights_chart().chart_data:
        if record.comparison_name == "probability_two_random_records_match":
            rows.append(WeightRow("prior", "two random records match", record.log2_bayes_factor))
        elif not record.is_null_level:
            rows.append(WeightRow(record.comparison_name, record.label_for_charts, record.log2_bayes_factor))
    return rows


def _offline(html: str) -> str:
    """Splink's dashboards inline their scripts but link a web font: drop the links (a system font is used)."""
    return re.sub(r"<link\b[^>]*\bhref\s*=\s*[\"'](?:https?:)?//[^>]*>\s*", "", html, flags=re.IGNORECASE)


def sample_clusters(db: BuiltDatabase, size: int, seed: int = 42) -> list[str]:
    """Unified individuals to show in cluster studio: the largest half by matched records, and a seeded random
    draw from those holding a probabilistic link."""
    rows = _rows(db, f"""
        select links.unified_individual_id, count(*) as records,
               count(*) filter (where links.link_method = 'probabilistic') as probabilistic
        from {db.table('unified_links')} as links
        inner join {db.table('int_identity_match_inputs')} as inputs
            on links.identity_record_id = inputs.identity_record_id
        group by links.unified_individual_id
        having count(*) > 1
        order by records desc, links.unified_individual_id""")
    largest = [row[0] for row in rows[: size // 2]]
    others = sorted(row[0] for row in rows[size // 2:] if row[2] > 0)
    return largest + random.Random(seed).sample(others, min(size - len(largest), len(others)))


def write_dashboards(db: BuiltDatabase, scored: Scored, out: Path, clusters: Sequence[str]) -> list[Path]:
    """Splink's comparison viewer and cluster studio (for `clusters`), next to the report, made offline."""
    import pyarrow as pa

    viewer = out.with_name(f"{out.stem}_comparison_viewer.html")
    studio = out.with_name(f"{out.stem}_cluster_studio.html")
    visualisations = scored.linker.visualisations
    visualisations.comparison_viewer_dashboard(scored.predictions, str(viewer), overwrite=True, num_example_rows=2)
    cluster_of = dict(_rows(db, f"select identity_record_id, unified_individual_id from {db.table('unified_links')}"))
    ids = scored.records.column("identity_record_id").to_pylist()
    clustered_table = scored.records.append_column(
        "cluster_id", pa.array([cluster_of.get(record, record) for record in ids], pa.string()))
    clustered = scored.linker.table_management.register_table(clustered_table, "identity_clusters", overwrite=True)
    visualisations.cluster_studio_dashboard(scored.predictions, clustered, str(studio), cluster_ids=list(clusters),
                                            overwrite=True)
    for path in (viewer, studio):
        path.write_text(_offline(path.read_text()))
    return [viewer, studio]


# ---------------------------------------------------------------- HTML pieces


def _n(value: Any) -> str:
    return "–" if value is None else f"{value:,}"


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}%}"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = (),
           total: Sequence[Any] | None = None) -> str:
    def cells(row: Sequence[Any], tag: str) -> str:
        return "".join(f'<{tag}{" class=num" if i in numeric else ""}>{escape(str(v))}</{tag}>'
                       for i, v in enumerate(row))

    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
    if total is not None:
        body += f'<tr class="total">{cells(total, "td")}</tr>'
    return f"<table><thead><tr>{cells(headers, 'th')}</tr></thead><tbody>{body}</tbody></table>"


def _section(anchor: str, title: str, lead: str, body: str) -> str:
    return (f'<section id="{anchor}"><h2>{escape(title)}</h2><p class="lead">{lead}</p>{body}</section>')


def _figure(svg: str, caption: str = "", extra: str = "") -> str:
    return f"<figure>{svg}{extra}<figcaption>{caption}</figcaption></figure>"


def _empty(text: str) -> str:
    return f'<p class="empty">{escape(text)}</p>'


def _kpis(metrics: dict[str, Any], policy: Policy) -> str:
    cards = [
        (_n(metrics.get("record_count")), "records"),
        (_n(metrics.get("unified_individual_count")), "unified individuals"),
        (_pct(metrics.get("consolidation_rate")), "consolidation rate"),
        (_n(metrics.get("largest_cluster_record_count")), "largest cluster"),
        (f"{policy.threshold:g}", "match threshold"),
        (_n(metrics.get("review_queue_count")), "review items"),
    ]
    if metrics.get("ground_truth_record_count"):
        cards.insert(4, (_ratio(metrics.get("pairwise_f1")), "pairwise F1"))
    items = "".join(f'<div class="kpi"><div class="value">{escape(v)}</div><div class="label">{escape(label)}'
                    f"</div></div>" for v, label in cards)
    return f'<div class="kpis">{items}</div>'


# ---------------------------------------------------------------- sections


def _systems_section(db: BuiltDatabase, metrics: dict[str, Any]) -> str:
    rows = _rows(db, f"""
        select source_system, count(*), count(distinct unified_individual_id)
        from {db.table('unified_links')} group by source_system order by count(*) desc, source_system""")
    table_rows = [(system, _n(records), _n(people), f"{records / people:.2f}") for system, records, people in rows]
    total = ("all systems", _n(metrics.get("record_count")), _n(metrics.get("unified_individual_count")),
             f"{(metrics.get('record_count') or 0) / max(metrics.get('unified_individual_count') or 1, 1):.2f}")
    edges = [("deterministic", metrics.get("deterministic_edge_count")),
             ("probabilistic", metrics.get("probabilistic_edge_count")),
             ("manual override", metrics.get("manual_edge_count")), ("cut", metrics.get("cut_edge_count"))]
    chart = bar_chart([system for system, _, _ in rows], [Series("records", [r for _, r, _ in rows], BLUE)],
                      title="records per source system", y_title="records", height=250, rotate_labels=True)
    systems = _table(["source system", "records", "unified individuals", "records each"], table_rows, (1, 2, 3),
                     total)
    body = (f'<div class="grid2"><div>{systems}</div>'
            f"<div>{_figure(chart, 'Person-bearing records per system.')}"
            f"<h3>Edges used to link records</h3>{_table(['method', 'edges'], [(m, _n(c)) for m, c in edges], (1,))}"
            f"</div></div>")
    lead = (f"{_n(metrics.get('record_count'))} person-bearing records resolve to "
            f"{_n(metrics.get('unified_individual_count'))} unified individuals: a consolidation rate of "
            f"<b>{_pct(metrics.get('consolidation_rate'))}</b> (1 − individuals / records). A unified individual "
            "counts once per system holding one of its records.")
    return _section("systems", "Records and unified individuals per source system", lead, body)


def _size_label(size: int) -> str:
    return str(size) if size <= 15 else "16+"


def _clusters_section(db: BuiltDatabase, metrics: dict[str, Any]) -> str:
    sizes = _rows(db, f"""
        select records, count(*) from (
            select count(*) as records from {db.table('unified_links')} group by unified_individual_id)
        group by records order by records""")
    binned: Counter[str] = Counter()
    for size, count in sizes:
        binned[_size_label(size)] += count
    labels = [label for label in [*(str(s) for s in range(1, 16)), "16+"] if label in binned or label != "16+"]
    chart = bar_chart(labels, [Series("unified individuals", [binned.get(label, 0) for label in labels], BLUE)],
                      title="cluster-size histogram", x_title="records per unified individual",
                      y_title="unified individuals")
    largest = _rows(db, f"""
        select unified_individual_id, count(*), count(distinct source_system),
               string_agg(distinct source_system, ', ' order by source_system),
               count(*) filter (where link_method = 'probabilistic')
        from {db.table('unified_links')} group by unified_individual_id
        order by count(*) desc, unified_individual_id limit 10""")
    table = _table(["unified individual", "records", "systems", "records linked by Splink", "source systems"],
                   [(uid, _n(n), _n(k), _n(p), systems) for uid, n, k, systems, p in largest], (1, 2, 3))
    buckets = [("1 (singletons)", "singleton_count", 1, 1), ("2 to 5", "cluster_2_to_5_count", 2, 5),
               ("6 to 20", "cluster_6_to_20_count", 6, 20), ("over 20", "cluster_over_20_count", 21, 10**9)]
    total_records = metrics.get("record_count") or 1
    bucket_rows = [(label, _n(metrics.get(key)),
                    _pct(sum(size * count for size, count in sizes if low <= size <= high) / total_records))
                   for label, key, low, high in buckets]
    lead = (f"How many records each unified individual holds; the largest has "
            f"{_n(metrics.get('largest_cluster_record_count'))} records (cap: var <code>max_cluster_size</code>).")
    by_size = _table(["records", "unified individuals", "share of records"], bucket_rows, (1, 2))
    body = (f'<div class="grid2"><div>{_figure(chart, "Unified individuals by number of records.")}</div>'
            f"<div><h3>By size</h3>{by_size}</div></div><h3>Largest unified individuals</h3>{table}")
    return _section("clusters", "Cluster sizes", lead, body)


def _weights_section(scored: Scored | None, truth: dict[str, str], policy: Policy) -> str:
    if scored is None or not scored.weights:
        return _section("weights", "Match weights of scored pairs", "",
                        _empty("No matching inputs or candidate pairs in this database."))
    values = [w for _, _, w in scored.weights]
    low, high = math.floor(min(values)), math.ceil(max(values))
    high = max(high, low + 1)
    labels = [str(b) for b in range(low, high)]

    def counts(selected: Iterable[float]) -> list[float]:
        histogram = Counter(min(math.floor(w), high - 1) - low for w in selected)
        return [histogram.get(i, 0) for i in range(len(labels))]

    if truth:
        same = [truth.get(left) is not None and truth.get(left) == truth.get(right)
                for left, right, _ in scored.weights]
        flagged = list(zip(values, same, strict=True))
        series = [Series("same person (ground truth)", counts(w for w, s in flagged if s), BLUE),
                  Series("different people", counts(w for w, s in flagged if not s), RED)]
    else:
        series = [Series("candidate pairs", counts(values), BLUE)]
    markers = [Marker(probability_to_weight(policy.threshold) - low, f"threshold {policy.threshold:g}"),
               Marker(probability_to_weight(policy.review_band) - low, f"review band from {policy.review_band:g}",
                      "marker-band", "left")]
    chart = bar_chart(labels, series, title="match-weight histogram", x_title="match weight (bins of 1)",
                      y_title="candidate pairs", markers=markers, width=1000, height=280,
                      label_every=max(1, len(labels) // 25))
    above = sum(1 for w in values if w >= probability_to_weight(policy.threshold))
    lead = (f"All {_n(len(values))} candidate pairs of the blocking rules, scored with the committed model; "
            f"{_n(above)} reach the threshold (probability {policy.threshold:g}, match weight "
            f"{probability_to_weight(policy.threshold):+.2f}); the dotted line starts the review band.")
    return _section("weights", "Match weights of scored pairs", lead, _figure(chart, "", legend(series)))


def _model_section(scored: Scored | None) -> str:
    if scored is None:
        return _section("model", "Matching model", "", _empty("No matching inputs in this database."))
    rows = model_weight_rows(scored.linker)
    left = [row for row in rows if row.group in ("prior", "full_name", "date_of_birth")]
    right = [row for row in rows if row not in left]
    body = (f'<div class="grid2"><div>{weights_chart(left, title="match weights: prior, names, birth date")}'
            f'</div><div>{weights_chart(right, title="match weights: email, phone, address")}</div></div>'
            '<p class="note">Each bar is a comparison level\'s match weight, log2(m / u), from the committed model '
            "<code>cdp/identity/splink_model.json</code> as Splink's <code>match_weights_chart()</code> reports it; "
            "the prior is set for this database's number of records. Term-frequency adjustments (full name, email, "
            "phone, postal code, city) move a pair's weight further.</p>")
    lead = "How much each comparison level counts for (blue) or against (red) two records being one person."
    return _section("model", "Matching model (Splink match weights)", lead, body)


def _training_section(db: BuiltDatabase) -> str:
    """Where each parameter of the model came from (cdp train's provenance), and the model-health checks."""
    from cdp.identity.matching import PRIOR_PER_RECORD_KEY, TRAINING_KEY, model_bytes, model_path_from_env
    from cdp.identity.training import m_source_text

    title = "How the model was trained, and whether it fits this data"
    model = json.loads(model_bytes(model_path_from_env()))
    training = model.get(TRAINING_KEY) or {}
    health = (_rows(db, "select check_name, comparison_name, status, message "
                        f"from {db.table('identity_model_health')} "
                        "where status <> 'ok' order by status desc, check_name, comparison_name")
              if db.exists("identity_model_health") else [])
    warnings = [row for row in health if row[2] == "warn"]
    health_table = (_table(["check", "comparison", "status", "message"],
                           [(c, comp or "", status, message) for c, comp, status, message in health])
                    if health else _empty("No health check to report."))
    if not training:
        return _section("training", title, "This model carries no training provenance.", health_table)

    levels = _table(["comparison", "level", "match weight", "m", "u", "m from"],
                    [(level["comparison"], level["level"], f"{level['match_weight']:+.2f}", f"{level['m']:.3g}",
                      f"{level['u']:.3g}", m_source_text(level)) for level in training.get("levels", [])], (2, 3, 4))
    prior = training.get("prior", {})
    sessions = "; ".join(
        f"{' + '.join(s['blocking_keys'])}: " + (f"{s['pairs_used']:,} pairs, about {s['matching_pairs']:,.0f} matching"
                                                 if s["status"] == "estimated" else s["status"])
        for s in training.get("em_sessions", []))
    lead = (f"Trained by <code>cdp train</code> on {training.get('records', 0):,} records: u by random sampling, m by "
            f"expectation maximisation (blocked on {escape(sessions)}), labels from exact identifiers "
            f"({training.get('labels', {}).get('labelled_pairs', 0):,} pairs"
            + ("" if training.get("labels", {}).get("used") else ", too few to use") + "), the prior by "
            f"{escape(str(prior.get('method', '?')))} ({model.get(PRIOR_PER_RECORD_KEY, 0):.2f} other records of the "
            "same person per record). "
            + (f"<strong>{len(warnings)} health warning(s): the model may not fit this data; retrain with "
               "<code>make train</code>.</strong>" if warnings else "No health warning: the model fits this data."))
    body = f"<h3>Model health</h3>{health_table}<h3>Every comparison level</h3>{levels}"
    return _section("training", title, lead, body)


def _accuracy_section(db: BuiltDatabase, metrics: dict[str, Any], truth: dict[str, str],
                      policy: Policy) -> str:
    title = "Accuracy against ground truth"
    if not truth:
        return _section("accuracy", title, "", _empty(
            "No ground truth in this database (real data): precision and recall cannot be measured here."))
    records = [row[0] for row in _rows(db, f"select identity_record_id from {db.table('unified_links')}")]
    fixed = [(left, right) for left, right in _rows(db, f"""
        select identity_record_id_l, identity_record_id_r from {db.table('identity_edges')}
        where is_used and match_method <> 'probabilistic'""")]
    thresholds = sorted({policy.review_band, policy.threshold, *CURVE_THRESHOLDS})
    curve = accuracy_by_threshold(records, fixed, _stored_pairs(db), truth, thresholds)
    series = [Series("precision", [a.precision for a in curve], BLUE), Series("recall", [a.recall for a in curve],
                                                                              ORANGE),
              Series("F1", [a.f1 for a in curve], GREEN)]
    observed = [v for s in series for v in s.values if v is not None]
    y_low = min(math.floor(min(observed, default=0) * 100) / 100, 0.95)
    chart = line_chart(thresholds, series, title="precision, recall and F1 by threshold",
                       x_title="match threshold (probability)", y_title="pairwise", y_range=(y_low, 1.0),
                       markers=[Marker(policy.threshold, f"current {policy.threshold:g}")])
    table = _table(["threshold", "precision", "recall", "F1", "unified individuals"],
                   [(f"{a.threshold:g}" + (" (current)" if a.threshold == policy.threshold else ""),
                     _ratio(a.precision), _ratio(a.recall), _ratio(a.f1), _n(a.unified_individuals))
                    for a in curve], (1, 2, 3, 4))
    built = _table(["measure (as built)", "value"], [
        ("pairwise precision", _ratio(metrics.get("pairwise_precision"))),
        ("pairwise recall", _ratio(metrics.get("pairwise_recall"))),
        ("pairwise F1", _ratio(metrics.get("pairwise_f1"))),
        ("B-cubed precision", _ratio(metrics.get("b_cubed_precision"))),
        ("B-cubed recall", _ratio(metrics.get("b_cubed_recall"))),
        ("people resolved exactly", _pct(metrics.get("exact_cluster_rate"))),
        ("blocking recall (true pairs made candidates)", _ratio(metrics.get("blocking_recall"))),
        ("true pairs reachable through candidates and exact edges", _ratio(metrics.get("reachable_recall"))),
        ("records with ground truth", _n(metrics.get("ground_truth_record_count"))),
    ], (1,))
    body = (f'<div class="grid2"><div>{_figure(chart, "", legend(series))}<h3>As built</h3>{built}</div>'
            f"<div>{table}</div></div>"
            '<p class="note">Per threshold, unified individuals are recomputed as the connected components of the '
            "deterministic and manual edges plus the scored pairs the merge policy admits at that threshold "
            f"(pairs are kept from the review band, {policy.review_band:g}, up); the graph's cuts and cluster cap "
            "are not replayed, so the current threshold's row can differ slightly from the figures as built.</p>")
    lead = ("Pairwise precision and recall over record pairs: of the pairs put in one unified individual, the share "
            "that are one real person; of the pairs of one real person, the share put together.")
    return _section("accuracy", title, lead, body)


def _review_section(db: BuiltDatabase, policy: Policy) -> str:
    rows = _rows(db, f"""
        select review_type, count(*), min(match_probability), max(match_probability), any_value(review_reason)
        from {db.table('identity_review_queue')} group by review_type order by count(*) desc, review_type""")
    agreement = _agreement(db, policy)
    if not rows:
        return _section("review", "Review queue", "", _empty("The review queue is empty.") + agreement)
    table = _table(["review type", "items", "probability from", "to", "example reason"],
                   [(t, _n(n), "–" if lo is None else f"{lo:.3f}", "–" if hi is None else f"{hi:.3f}", reason)
                    for t, n, lo, hi, reason in rows], (1, 2, 3),
                   total=("all", _n(sum(r[1] for r in rows)), "", "", ""))
    lead = ("Decisions for a person (<code>identity_review_queue</code>): <code>cdp review</code> (<code>make "
            "review</code>) records them in <code>seeds/identity_overrides.csv</code> and rebuilds.")
    return _section("review", "Review queue", lead, table + agreement)


def _agreement(db: BuiltDatabase, policy: Policy) -> str:
    """Reviewer agreement with the model per score band (cdp.review.agreement), from the decisions in force."""
    bands = agreement_by_band(read_decisions(db), policy.threshold)
    heading = "<h3>Reviewer agreement with the model, by score band</h3>"
    if not bands:
        return heading + _empty("No decisions in force yet: reviewer agreement appears once overrides are applied.")
    table = _table(["score band", "decisions", "force_link", "agreed with the model", "agreement"],
                   [(b.band, _n(b.decisions), _n(b.links), "–" if b.agreed is None else _n(b.agreed), _pct(b.rate))
                    for b in bands], (1, 2, 3, 4))
    note = (f"<p>The model's call: link at a match probability of {policy.threshold:g} or more when the merge policy "
            "admits the pair. Low agreement just under the threshold (reviewers link) says it is too high; above "
            "it (reviewers keep apart), too low. Unscored pairs have no model call.</p>")
    return heading + table + note


def _guards_section(db: BuiltDatabase) -> str:
    blocked = _rows(db, f"""
        select identifier_type, guard_action, count(*), sum(record_count)
        from {db.table('identity_blocked_identifiers')}
        group by all order by count(*) desc, identifier_type, guard_action""")
    cuts = _rows(db, f"""
        select coalesce(cut_reason, 'unknown'), match_method, count(*)
        from {db.table('identity_edges')} where not is_used group by all order by count(*) desc""")
    blocked_html = (_table(["identifier type", "guard action", "values or logins", "records carrying them"],
                           [(t, a, _n(n), _n(r)) for t, a, n, r in blocked], (2, 3)) if blocked
                    else _empty("No identifier value was held back."))
    cuts_html = (_table(["cut reason", "edge method", "edges cut"], [(r, m, _n(n)) for r, m, n in cuts], (2,))
                 if cuts else _empty("No edge was cut (no force-separation, bridge or oversized cluster)."))
    body = (f"<h3>Identifiers held back (<code>identity_blocked_identifiers</code>)</h3>{blocked_html}"
            f"<h3>Edges cut by the graph (<code>identity_edges.cut_reason</code>)</h3>{cuts_html}")
    lead = ("What the over-merge guards kept from linking records: shared identifier values, logins that may not tie "
            "an anonymous cookie or device, and bridges cut between groups.")
    return _section("guards", "Guard activity", lead, body)


def _churn_section(db: BuiltDatabase) -> str:
    rows = _rows(db, f"""
        select changed_at, change_type, count(*), sum(records_moved)
        from {db.table('unified_id_changes')} group by all order by changed_at desc, change_type limit 20""")
    if not rows:
        return _section("churn", "Unified-ID churn", "", _empty(
            "No unified ID has changed since the first run: every cluster kept its ID."))
    table = _table(["run (UTC)", "change", "IDs changed", "records moved"],
                   [(f"{at:%Y-%m-%d %H:%M:%S}", kind, _n(n), _n(moved)) for at, kind, n, moved in rows], (2, 3))
    latest = rows[0][0]
    last = {kind: (n, moved) for at, kind, n, moved in rows if at == latest}
    summary = ", ".join(f"{n:,} {kind}s ({moved:,} records moved)" for kind, (n, moved) in sorted(last.items()))
    lead = (f"Changes of unified IDs between runs (<code>unified_id_changes</code>). The latest run with changes, "
            f"{latest:%Y-%m-%d %H:%M} UTC: {summary}.")
    return _section("churn", "Unified-ID churn", lead, table)


def _insights_section(db: BuiltDatabase) -> str:
    """The back-test of the insight scores (cdp.insights.evaluate) on the held-out snapshot, when they are built."""
    from cdp.insights import evaluate

    needed = ("int_insight_features__as_of", "int_insight_outcomes__observed", "int_insight_predictions__scored",
              "int_individual_activities__unioned", "int_course_progressions")
    if not all(model in db.relations and db.exists(model) for model in needed):
        return _section("insights", "Predictive insights", "", _empty(
            "The insight models' features, outcomes and scores are not built in this database."))
    results = evaluate.run(db.con, db.relations)
    rows = []
    for target in results["targets"]:
        for label, scores in (("trained model", target.trained), ("fixed formula", target.formula)):
            if scores is not None:
                rows.append((target.name, label, _n(target.rows), _ratio(target.base_rate), _ratio(scores.auc),
                             _ratio(scores.top_decile_precision)))
    table = _table(["outcome", "scorer", "people", "base rate", "AUC", "top-decile precision"], rows, (2, 3, 4, 5))
    courses = results["courses"]
    lead = (f"Churn and membership-upgrade scores back-tested on the held-out snapshot "
            f"{escape(str(results['holdout_snapshot_date']))} (<code>make evaluate-insights</code>; BENCHMARKS.md "
            "has the calibration by decile). Next course: of the "
            f"{courses.people:,} people who enrolled in a course after it, the catalog-chain rule named that course "
            f"for {_pct(courses.chain_hit_rate)}, the rule learned from the training snapshots for "
            f"{_pct(courses.learned_hit_rate)}.")
    return _section("insights", "Predictive insights", lead, table)


def _dashboards_section(report: Report) -> str:
    if not report.dashboards:
        return _section("dashboards", "Splink dashboards", "",
                        _empty("Not written (no matching inputs in this database, or --no-dashboards)."))
    viewer, studio = report.dashboards
    clusters = ", ".join(f"<code>{escape(c)}</code>" for c in report.sampled_clusters)
    body = (f'<ul><li><a href="{escape(viewer.name)}">Comparison viewer</a>: every comparison vector of the '
            f'candidate pairs, with examples and each pair\'s waterfall of match weights.</li>'
            f'<li><a href="{escape(studio.name)}">Cluster studio</a>: the records and scored pairs of '
            f"{len(report.sampled_clusters)} unified individuals (the largest, and a random draw of those linked by "
            f"Splink): {clusters}.</li></ul>"
            '<p class="note">Splink\'s interactive dashboards, written next to this report with their scripts '
            "inlined; they open offline too.</p>")
    return _section("dashboards", "Splink dashboards", "Interactive views of the matching, for a sample.", body)


# ---------------------------------------------------------------- the report


NAV = (("systems", "Systems"), ("clusters", "Clusters"), ("weights", "Match weights"), ("model", "Model"),
       ("training", "Training and health"), ("accuracy", "Accuracy"), ("review", "Review queue"),
       ("guards", "Guards"), ("churn", "ID churn"), ("insights", "Insights"), ("dashboards", "Dashboards"))


def _template() -> Template:
    data = pkgutil.get_data("cdp", "report_template.html")
    if data is None:
        raise FileNotFoundError("cdp/report_template.html is missing from the installed package")
    return Template(data.decode())


def render(db: BuiltDatabase, database: Path, policy: Policy, scored: Scored | None,
           report: Report) -> str:
    metrics = _metrics(db)
    truth = _truth(db)
    sections = [
        _systems_section(db, metrics),
        _clusters_section(db, metrics),
        _weights_section(scored, truth, policy),
        _model_section(scored),
        _training_section(db),
        _accuracy_section(db, metrics, truth, policy),
        _review_section(db, policy),
        _guards_section(db),
        _churn_section(db),
        _insights_section(db),
        _dashboards_section(report),
    ]
    measured = metrics.get("measured_at")
    subtitle = (f"Database <code>{escape(str(database))}</code> · built {measured:%Y-%m-%d %H:%M} UTC · "
                if isinstance(measured, dt.datetime) else f"Database <code>{escape(str(database))}</code> · ")
    subtitle += (f"report {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · match threshold {policy.threshold:g}, "
                 f"review band from {policy.review_band:g}" + ("" if truth else " · no ground truth"))
    nav = "".join(f'<a href="#{anchor}">{escape(text)}</a>' for anchor, text in NAV)
    return _template().substitute(subtitle=subtitle, kpis=_kpis(metrics, policy), nav=nav,
                                  sections="\n".join(sections))


def missing_marts(db: BuiltDatabase) -> list[str]:
    needed = ["unified_links", "identity_edges", "identity_resolution_metrics", "identity_review_queue",
              "identity_blocked_identifiers", "unified_id_changes"]
    return [name for name in needed if not db.exists(name)]


def write_report(database: Path, out: Path, policy: Policy, dashboards: bool = True,
                 cluster_sample: int = 10, project: Relations | None = None) -> Report:
    """Write the report (and, with `dashboards`, Splink's two dashboards next to it). The marts are found where
    the dbt manifest `project` says (default: the project's, `cdp.project.relations()`)."""
    project = project if project is not None else relations()
    con = duckdb.connect(str(database), read_only=True)
    db = BuiltDatabase(con, project)
    try:
        missing = missing_marts(db)
        if missing:
            raise ValueError(f"{database} lacks the identity marts {', '.join(missing)}: run `make build` first")
        out.parent.mkdir(parents=True, exist_ok=True)
        report = Report(out)
        scored = score_candidate_pairs(db)
        if scored is not None and dashboards:
            report.sampled_clusters = sample_clusters(db, cluster_sample)
            report.dashboards = write_dashboards(db, scored, out, report.sampled_clusters)
        html = render(db, database, policy, scored, report)
    finally:
        con.close()
    if EXTERNAL_REFERENCE.search(html):
        raise AssertionError("the report references a resource outside the file")
    out.write_text(html)
    return report
