"""Training the churn and membership-upgrade models, their JSON, and the Python reference scores.

A model is a logistic regression on standardized features: `p = 1 / (1 + exp(-(b + sum_i w_i * (x_i - m_i) / s_i)))`,
so it is a weighted sum the warehouse computes in SQL (`cdp.insights.render`). The features are the ordinary
behavioural aggregates of `int_insight_features__as_of`; each model learns from the rows of its population (churn:
people with activity in the year before the snapshot; upgrade: club members below the top tier) at the training
snapshots, and is never shown the held-out snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "insight_models.json"
"""The committed, reviewed model file (`cdp train-insights` writes it)."""

FEATURES: tuple[str, ...] = (
    "last_activity_days",
    "last_purchase_days",
    "last_certification_days",
    "purchases_total",
    "purchases_365d",
    "revenue_365d",
    "bookings_365d",
    "digital_events_30d",
    "digital_events_90d",
    "email_opens_90d",
    "email_clicks_90d",
    "enrollments_365d",
    "certifications_total",
    "active_months_365d",
    "club_tier_rank",
    "tier_days",
)
"""Feature columns of int_insight_features__as_of the models read (all numbers, none null)."""


@dataclass(frozen=True)
class Target:
    """One trained model: its outcome column, the population flag it learns and scores on, the fixed formula it
    is compared with (a column of int_insight_predictions__scored)."""

    name: str
    outcome: str
    population: str
    baseline: str


TARGETS: tuple[Target, ...] = (
    Target("churn", "is_churned", "has_activity_365d", "churn_risk_formula"),
    Target("upgrade", "has_upgraded", "is_upgrade_eligible", "upgrade_likelihood_formula"),
)


class InsightModelError(RuntimeError):
    """The examples or the model file cannot give a model (no rows, one class only, a malformed JSON)."""


def examples_sql(features: str, outcomes: str, roles: Sequence[str]) -> str:
    """SQL: every feature row of the given snapshot roles with its outcomes, in a stable order."""
    role_list = ", ".join(f"'{role}'" for role in roles)
    columns = ", ".join(f"features.{name}" for name in FEATURES)
    return (
        f"select features.snapshot_role, features.snapshot_date, features.unified_individual_id, {columns}, "
        "features.has_activity_365d, features.is_upgrade_eligible, outcomes.is_churned, outcomes.has_upgraded, "
        "outcomes.next_enrolled_course_code "
        f"from {features} as features inner join {outcomes} as outcomes "
        "on features.snapshot_date = outcomes.snapshot_date "
        "and features.unified_individual_id = outcomes.unified_individual_id "
        f"where features.snapshot_role in ({role_list}) "
        "order by features.snapshot_date, features.unified_individual_id"
    )


def feature_matrix(rows: Mapping[str, Sequence[Any]], features: Sequence[str] = FEATURES) -> np.ndarray:
    """The rows' features as a float matrix, in the model's feature order."""
    return np.column_stack([np.asarray(rows[name], dtype=np.float64) for name in features])


def fit(x: np.ndarray, y: np.ndarray, features: Sequence[str] = FEATURES, c: float = 1.0) -> dict[str, Any]:
    """Fit a standardized logistic regression; return its parameters as the JSON stores them."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    y = np.asarray(y, dtype=bool)
    if len(y) == 0 or y.all() or not y.any():
        raise InsightModelError(
            f"{len(y)} training rows with {int(y.sum())} positive: a model needs both outcomes; build the insight "
            "models on data whose history covers the training snapshots "
            "(dbt build --select +int_insight_outcomes__observed)")
    scaler = StandardScaler().fit(x)
    # A constant feature has scale 1 in sklearn (its standardized value is 0): the SQL divides by the same 1.
    classifier = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x), y)
    return {
        "features": list(features),
        "means": [float(v) for v in scaler.mean_],
        "scales": [float(v) for v in scaler.scale_],
        "coefficients": [float(v) for v in classifier.coef_[0]],
        "intercept": float(classifier.intercept_[0]),
        "regularization_c": c,
        "training_rows": int(len(y)),
        "training_positive_rate": round(float(y.mean()), 6),
    }


def reference_scores(model: Mapping[str, Any], x: np.ndarray) -> np.ndarray:
    """The Python reference: scikit-learn's predict_proba of the model the JSON entry holds."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler()
    scaler.mean_ = np.asarray(model["means"], dtype=np.float64)
    scaler.scale_ = np.asarray(model["scales"], dtype=np.float64)
    scaler.var_ = scaler.scale_**2
    scaler.n_features_in_ = len(model["features"])
    classifier = LogisticRegression()
    classifier.classes_ = np.array([False, True])
    classifier.coef_ = np.asarray([model["coefficients"]], dtype=np.float64)
    classifier.intercept_ = np.asarray([model["intercept"]], dtype=np.float64)
    classifier.n_features_in_ = len(model["features"])
    return classifier.predict_proba(scaler.transform(x))[:, 1]


def train(rows: Mapping[str, Sequence[Any]], variables: Mapping[str, Any]) -> dict[str, Any]:
    """Both models from the training rows (column name -> values), with what they were trained on."""
    models: dict[str, Any] = {}
    for target in TARGETS:
        mask = np.asarray(rows[target.population], dtype=bool)
        x = feature_matrix(rows, FEATURES)[mask]
        y = np.asarray(rows[target.outcome], dtype=bool)[mask]
        models[target.name] = {"outcome": target.outcome, "population": target.population, **fit(x, y)}
    return {
        "written_by": "cdp train-insights",
        "model": "logistic regression on standardized features (scikit-learn LogisticRegression, StandardScaler)",
        "training_snapshot_dates": [str(v) for v in variables["insight_training_snapshot_dates"]],
        "outcome_window_days": int(variables["insight_outcome_window_days"]),
        "models": models,
    }


def write(model: Mapping[str, Any], path: Path = MODEL_PATH) -> None:
    path.write_text(json.dumps(model, indent=2) + "\n")


def load(path: Path = MODEL_PATH) -> dict[str, Any] | None:
    """The model file, or None when there is none (the fixed formulas apply)."""
    if not path.exists():
        return None
    try:
        model = json.loads(path.read_text())
        for target in TARGETS:
            entry = model["models"][target.name]
            if not (len(entry["features"]) == len(entry["means"]) == len(entry["scales"])
                    == len(entry["coefficients"])):
                raise ValueError(f"{target.name}: features, means, scales and coefficients differ in length")
            float(entry["intercept"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise InsightModelError(f"{path} is not an insight model file ({error}): rewrite it with "
                                "`cdp train-insights`, or delete it to score with the fixed formulas") from None
    return model
