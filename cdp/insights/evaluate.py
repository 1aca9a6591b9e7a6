"""Back-testing the insight scores on the held-out snapshot: a measure, not a claim.

For each trained model and the fixed formula it replaces, over the model's population at the holdout snapshot
(var insight_holdout_snapshot_date, never trained on): the AUC (how often a person who had the outcome is scored
above one who did not), the precision at the top decile (the outcome's rate among the tenth scored highest, against
the base rate) and the calibration by decile (the mean score against the observed rate in each tenth of the
population, lowest scores first; the fixed formulas are scores, not probabilities, so theirs shows ranking only).

The next-course recommendation is measured the same way: among the people who enrolled in a course in the window
after the holdout snapshot, how often the recommended course was that course (the hit rate), for the catalog-chain
rule of int_next_best_offers__selected (the nearest later course of the last certification's chain not taken yet)
and for a rule learned from the training snapshots (the course most often enrolled in next after the person's last
course, among those not taken yet; the chain rule when the last course was never seen). Both are applied point in
time, from the enrollments and certifications before the snapshot (a course counts as taken once enrolled in or
certified: the enrollment status it has today is not known at the snapshot).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cdp.insights.models import TARGETS

DECILES = 10


@dataclass(frozen=True)
class Scores:
    """One scorer's results on one population."""

    auc: float
    top_decile_precision: float
    calibration: list[tuple[float, float]]  # (mean score, observed rate) per decile, lowest scores first


@dataclass(frozen=True)
class TargetResult:
    name: str
    rows: int
    base_rate: float
    trained: Scores | None
    formula: Scores


def _order(scores: np.ndarray, ids: Sequence[str]) -> np.ndarray:
    """Indices from the highest score to the lowest; ties broken by id (a stable, data-independent order)."""
    return np.lexsort((np.asarray(ids, dtype=object).astype(str), -scores))


def score(y: np.ndarray, scores: np.ndarray, ids: Sequence[str]) -> Scores:
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y, dtype=bool)
    scores = np.asarray(scores, dtype=np.float64)
    auc = float(roc_auc_score(y, scores)) if 0 < y.sum() < len(y) else float("nan")
    order = _order(scores, ids)
    top = order[: max(1, int(np.ceil(len(order) / DECILES)))]
    calibration = [(float(scores[part].mean()), float(y[part].mean()))
                   for part in np.array_split(order[::-1], DECILES) if len(part)]
    return Scores(auc, float(y[top].mean()), calibration)


def evaluate_targets(rows: Mapping[str, Sequence[Any]]) -> list[TargetResult]:
    """The trained models and the fixed formulas on the holdout rows (column name -> values)."""
    results = []
    ids = np.asarray(rows["unified_individual_id"], dtype=object)
    for target in TARGETS:
        mask = np.asarray(rows[target.population], dtype=bool)
        y = np.asarray(rows[target.outcome], dtype=bool)[mask]
        trained_scores = np.asarray(rows[f"{target.name}_probability"], dtype=object)[mask]
        trained = None
        if len(trained_scores) and all(value is not None and not np.isnan(value) for value in trained_scores):
            trained = score(y, trained_scores.astype(np.float64), ids[mask])
        formula = score(y, np.asarray(rows[target.baseline], dtype=np.float64)[mask], ids[mask])
        results.append(TargetResult(target.name, int(mask.sum()), float(y.mean()) if len(y) else float("nan"),
                                    trained, formula))
    return results


@dataclass(frozen=True)
class CourseResult:
    people: int
    chain_hits: int
    learned_hits: int

    @property
    def chain_hit_rate(self) -> float:
        return self.chain_hits / self.people if self.people else float("nan")

    @property
    def learned_hit_rate(self) -> float:
        return self.learned_hits / self.people if self.people else float("nan")


def course_history(events: Sequence[tuple[str, str, str, Any]], snapshot_date: Any) -> dict[str, dict[str, Any]]:
    """Per person, from (person, activity_type, course_code, activity_date) LMS events before the snapshot: the
    courses taken (enrolled or certified), the last course (enrolled or certified) and the last certified course."""
    history: dict[str, dict[str, Any]] = defaultdict(lambda: {"taken": set(), "last": None, "last_certified": None})
    for person, kind, course, when in sorted(events, key=lambda event: (event[0], event[3], event[2])):
        if when >= snapshot_date:
            continue
        entry = history[person]
        entry["taken"].add(course)
        entry["last"] = course
        if kind == "certification":
            entry["last_certified"] = course
    return history


def chain_recommendation(last_certified: str | None, taken: set[str],
                         progressions: Mapping[str, Sequence[tuple[int, str]]],
                         discipline: Mapping[str, str]) -> str | None:
    """The catalog-chain rule: the nearest later course of the last certification's chain, same discipline, not
    taken."""
    if last_certified is None:
        return None
    for _, successor in sorted(progressions.get(last_certified, ())):
        if successor not in taken and discipline.get(successor) == discipline.get(last_certified):
            return successor
    return None


def learned_transitions(training: Sequence[tuple[str | None, str]]) -> dict[str, Counter]:
    """Counts of the next course enrolled in after each last course, from (last course, next course) examples."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for last, following in training:
        if last is not None:
            counts[last][following] += 1
    return counts


def learned_recommendation(last: str | None, taken: set[str], transitions: Mapping[str, Counter],
                           fallback: str | None) -> str | None:
    if last is not None and last in transitions:
        ranked = sorted(transitions[last].items(), key=lambda item: (-item[1], item[0]))
        for course, _ in ranked:
            if course not in taken:
                return course
    return fallback


def evaluate_courses(events: Sequence[tuple[str, str, str, Any]], outcomes: Sequence[tuple[Any, str, str, str]],
                     progressions: Mapping[str, Sequence[tuple[int, str]]],
                     discipline: Mapping[str, str]) -> CourseResult:
    """Hit rates at the holdout snapshot. ``outcomes``: (snapshot_date, snapshot_role, person, next course) of the
    people who enrolled in a course in a snapshot's window."""
    by_snapshot: dict[tuple[Any, str], list[tuple[str, str]]] = defaultdict(list)
    for snapshot_date, role, person, following in outcomes:
        by_snapshot[(snapshot_date, role)].append((person, following))
    training: list[tuple[str | None, str]] = []
    for (snapshot_date, role), people in sorted(by_snapshot.items()):
        if role != "training":
            continue
        history = course_history(events, snapshot_date)
        training.extend((history[person]["last"] if person in history else None, following)
                        for person, following in people)
    transitions = learned_transitions(training)
    people = chain_hits = learned_hits = 0
    for (snapshot_date, role), holdout in by_snapshot.items():
        if role != "holdout":
            continue
        history = course_history(events, snapshot_date)
        for person, following in holdout:
            entry = history.get(person, {"taken": set(), "last": None, "last_certified": None})
            chain = chain_recommendation(entry["last_certified"], entry["taken"], progressions, discipline)
            learned = learned_recommendation(entry["last"], entry["taken"], transitions, chain)
            people += 1
            chain_hits += chain == following
            learned_hits += learned == following
    return CourseResult(people, chain_hits, learned_hits)


def run(con: Any, project: Any) -> dict[str, Any]:
    """Every measure on a built database (a DuckDB connection; `project`: cdp.project.relations())."""
    from cdp.insights.models import FEATURES

    features = project.sql("int_insight_features__as_of")
    outcomes = project.sql("int_insight_outcomes__observed")
    predictions = project.sql("int_insight_predictions__scored")
    score_columns = ", ".join(
        [f"predictions.{t.name}_probability, predictions.{t.baseline}" for t in TARGETS])
    holdout = con.sql(
        f"select features.unified_individual_id, features.snapshot_date, "
        f"{', '.join('features.' + name for name in FEATURES)}, features.has_activity_365d, "
        f"features.is_upgrade_eligible, outcomes.is_churned, outcomes.has_upgraded, {score_columns} "
        f"from {features} as features "
        f"inner join {outcomes} as outcomes on features.snapshot_date = outcomes.snapshot_date "
        "and features.unified_individual_id = outcomes.unified_individual_id "
        f"inner join {predictions} as predictions on features.snapshot_date = predictions.snapshot_date "
        "and features.unified_individual_id = predictions.unified_individual_id "
        "where features.snapshot_role = 'holdout' order by features.unified_individual_id"
    ).fetchnumpy()
    holdout_rows = {name: list(values) for name, values in holdout.items()}
    targets = evaluate_targets(holdout_rows)
    snapshot = str(holdout_rows["snapshot_date"][0])[:10] if holdout_rows["snapshot_date"] else None

    events = con.sql(
        f"select unified_individual_id, activity_type, course_code, cast(activity_at as date) "
        f"from {project.sql('int_individual_activities__unioned')} "
        "where activity_type in ('enrollment', 'certification') and course_code is not null").fetchall()
    next_courses = con.sql(
        f"select snapshot_date, snapshot_role, unified_individual_id, next_enrolled_course_code from {outcomes} "
        "where next_enrolled_course_code is not null").fetchall()
    progressions: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for course, successor, steps in con.sql(
            f"select course_code, successor_course_code, steps_ahead from {project.sql('int_course_progressions')}"
    ).fetchall():
        progressions[course].append((steps, successor))
    discipline = dict(con.sql(
        f"select course_code, discipline from {project.sql('stg_content__courses')}").fetchall())
    courses = evaluate_courses(events, next_courses, progressions, discipline)
    return {"holdout_snapshot_date": snapshot, "targets": targets, "courses": courses}


def _number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None or np.isnan(value) else f"{value:.{digits}f}"


def markdown(results: Mapping[str, Any], command: str = "make evaluate-insights") -> str:
    """The BENCHMARKS.md section."""
    lines = [
        "## Predictive insights: back-testing on the held-out snapshot",
        "",
        f"`{command}` (`cdp evaluate-insights`) on the demo data (3,000 people, seed 42): the trained models of "
        "`cdp/insights/insight_models.json` against the fixed formulas, on the held-out snapshot "
        f"{results['holdout_snapshot_date']} (never trained on; outcome window: the days after it). AUC: the chance "
        "that a person with the outcome is scored above one without; top-decile precision: the outcome's rate among "
        "the tenth scored highest (the base rate is what a random tenth would give).",
        "",
        "| model | population | base rate | scorer | AUC | top-decile precision |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for target in results["targets"]:
        for label, scores in (("trained", target.trained), ("fixed formula", target.formula)):
            if scores is None:
                lines.append(f"| {target.name} | {target.rows:,} | {_number(target.base_rate)} | {label} | "
                             "no trained model | |")
                continue
            lines.append(f"| {target.name} | {target.rows:,} | {_number(target.base_rate)} | {label} | "
                         f"{_number(scores.auc)} | {_number(scores.top_decile_precision)} |")
    lines += ["", "Calibration by decile (lowest scores first): mean score / observed rate.", ""]
    lines.append("| model | scorer | " + " | ".join(f"d{i}" for i in range(1, DECILES + 1)) + " |")
    lines.append("|---|---|" + "---:|" * DECILES)
    for target in results["targets"]:
        for label, scores in (("trained", target.trained), ("fixed formula", target.formula)):
            if scores is None:
                continue
            cells = [f"{_number(mean, 2)} / {_number(rate, 2)}" for mean, rate in scores.calibration]
            lines.append(f"| {target.name} | {label} | " + " | ".join(cells) + " |")
    courses = results["courses"]
    lines += [
        "",
        f"Next course: of the {courses.people:,} people who enrolled in a course in the window after the holdout "
        f"snapshot, the catalog-chain rule recommended that course to {courses.chain_hits:,} "
        f"(hit rate {_number(courses.chain_hit_rate)}), the rule learned from the training snapshots to "
        f"{courses.learned_hits:,} (hit rate {_number(courses.learned_hit_rate)}).",
    ]
    return "\n".join(lines)
