"""Does the trained matching model fit the data it scores? The checks `int_identity_model_health` runs at every
build, one row each, `warn` where the model and the data disagree:

- `comparison_empty_here`: a comparison the model weighs (a level at least `WEIGHTED_BITS` from neutral) whose
  columns are (nearly) empty in these records: the model leans on evidence this data cannot give.
- `comparison_neutral_here`: a comparison the model leaves neutral (its columns were empty or too rare where it was
  trained) that these records do carry: evidence the model ignores.
- `pairs_on_default_levels`: the share of scored pairs that landed, on some comparison, on a level whose
  parameters are a default rather than estimated.
- `prior`: the model's expected other records of the same person per record against this data's own estimate
  (the pairs the prior rules find here, over the share of matching pairs those rules find by the model's m).
- `model`: what the model was trained on (information).

Each check's limit is a module constant; retraining on the data (`make train`) clears the warnings.

Every check is a count: the counts run in the warehouse the model is given (`Warehouse`: the dbt Python model's
session, DuckDB or Snowflake), over the queries for the records and the pairs, and only the counts come back (one row
per statement), so the check needs no more memory for a billion records than for a thousand.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa

from cdp.identity.matching import PRIOR_PER_RECORD_KEY, TRAINING_KEY
from cdp.identity.training import completeness, count_prior_rule_pairs, prior_rule_recall
from cdp.identity.warehouse import Warehouse

HEALTH_SCHEMA = pa.schema([
    ("check_name", pa.string()), ("comparison_name", pa.string()), ("level_label", pa.string()),
    ("observed_value", pa.float64()), ("expected_value", pa.float64()), ("status", pa.string()),
    ("message", pa.string()),
])
# A comparison is empty here below this share of records, and present at or above the second.
EMPTY_SHARE, PRESENT_SHARE = 0.01, 0.10
# A comparison is weighted when one of its levels is at least this far from neutral (bits).
WEIGHTED_BITS = 1.0
# At most this share of scored pairs may land on levels with default parameters.
MAX_DEFAULT_LEVEL_PAIR_SHARE = 0.05
# The model's prior and this data's may differ by at most this factor either way.
MAX_PRIOR_FACTOR = 4.0


def _row(check: str, status: str, message: str, comparison: str | None = None, level: str | None = None,
         observed: float | None = None, expected: float | None = None) -> dict[str, Any]:
    return {"check_name": check, "comparison_name": comparison, "level_label": level, "observed_value": observed,
            "expected_value": expected, "status": status, "message": message}


def _levels(model: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Per comparison, its non-null levels with label, weight and the source of m (provenance where the model has
    it; a model without provenance counts every level as estimated)."""
    provenance = {(level["comparison"], level["level"]): level
                  for level in (model.get(TRAINING_KEY) or {}).get("levels", [])}
    levels: dict[str, list[dict[str, Any]]] = {}
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            label = level.get("label_for_charts", level["sql_condition"])
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else 0.0
            source = provenance.get((name, label), {}).get("m_source", "em")
            levels.setdefault(name, []).append({"label": label, "weight": weight, "m_source": source})
    return levels


def check(warehouse: Warehouse, records: str, pairs: str, model: dict[str, Any]) -> pa.Table:
    """The health rows for `records` (a query for the matching inputs), `pairs` (a query for the current scored
    pairs, with their `explanation`), both run in `warehouse`, and the trained `model` as stored (with
    `cdp_training` and the per-record prior)."""
    training = model.get(TRAINING_KEY) or {}
    trained_completeness = training.get("completeness", {})
    levels = _levels(model)
    record_count = int(warehouse.scalar(f"select count(*) from ({records}) as records"))
    here = completeness(warehouse, records)
    rows = [_row("model", "info", f"trained on {training.get('records', 'an unknown number of'):,} records"
                 if isinstance(training.get("records"), int) else "a model without training provenance",
                 observed=float(record_count), expected=_float(training.get("records")))]

    for name, comparison_levels in levels.items():
        share, trained = here.get(name, 0.0), _float(trained_completeness.get(name))
        weighted = max(abs(level["weight"]) for level in comparison_levels) >= WEIGHTED_BITS
        neutral = all(level["m_source"] == "default" for level in comparison_levels)
        if weighted and share < EMPTY_SHARE:
            rows.append(_row("comparison_empty_here", "warn",
                             f"{name} is weighted in the model but {share:.1%} of these records carry it"
                             + (f" ({trained:.0%} where it was trained)" if trained is not None else "")
                             + ": retrain on this data (make train)", name, observed=share, expected=trained))
        else:
            rows.append(_row("comparison_empty_here", "ok", f"{name}: {share:.1%} of these records carry it",
                             name, observed=share, expected=trained))
        if neutral and share >= PRESENT_SHARE:
            rows.append(_row("comparison_neutral_here", "warn",
                             f"{name} is on {share:.0%} of these records but the model leaves it neutral (too little "
                             "of it where it was trained): retrain on this data (make train) to use it",
                             name, observed=share, expected=trained))
        else:
            rows.append(_row("comparison_neutral_here", "ok", f"{name}: "
                             + ("neutral in the model" if neutral else "estimated in the model"),
                             name, observed=share, expected=trained))

    rows.extend(_default_level_rows(warehouse, pairs, levels))
    rows.append(_prior_row(warehouse, records, model, training, record_count))
    return pa.Table.from_pylist(rows, schema=HEALTH_SCHEMA)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _default_level_rows(warehouse: Warehouse, pairs: str, levels: dict[str, list[dict[str, Any]]]
                        ) -> list[dict[str, Any]]:
    """The scored pairs that landed on default-parameter levels: one row per such level hit, and the share of
    pairs with any (all counted in one statement)."""
    defaults = sorted({(name, level["label"]) for name, comparison_levels in levels.items()
                       for level in comparison_levels if level["m_source"] == "default"})
    conditions = [f"{warehouse.json_text('explanation', name, 'level')} = {warehouse.literal(label)}"
                  for name, label in defaults]
    counts = [f"count(case when {condition} then 1 end)" for condition in conditions]
    if conditions:
        counts.append(f"count(case when {' or '.join(f'({condition})' for condition in conditions)} then 1 end)")
    pair_count, *hits = (int(value) for value in
                         warehouse.rows(f"select {', '.join(['count(*)', *counts])} from ({pairs}) as pairs")[0])
    rows, hit = [], None
    if pair_count and defaults:
        for (name, label), count in zip(defaults, hits, strict=False):
            if count:
                rows.append(_row("pairs_on_default_levels", "info",
                                 f"{count:,} scored pairs at {name} '{label}', whose parameters are a default",
                                 name, label, observed=float(count)))
        hit = hits[-1] / pair_count
    share = hit or 0.0
    status = "warn" if share > MAX_DEFAULT_LEVEL_PAIR_SHARE else "ok"
    message = (f"{share:.1%} of the {pair_count:,} scored pairs landed on a level with default parameters"
               + (": retrain on this data (make train)" if status == "warn" else ""))
    rows.append(_row("pairs_on_default_levels", status, message, observed=share,
                     expected=MAX_DEFAULT_LEVEL_PAIR_SHARE))
    return rows


def _prior_row(warehouse: Warehouse, records: str, model: dict[str, Any], training: dict[str, Any],
               record_count: int) -> dict[str, Any]:
    """The model's expected other records of the same person per record, against this data's own estimate."""
    expected = _float(model.get(PRIOR_PER_RECORD_KEY))
    recall = prior_rule_recall(training["levels"]) if training.get("levels") else 0.0
    rule_pairs = count_prior_rule_pairs(warehouse, records) if record_count > 1 else 0
    if expected is None or not rule_pairs or recall <= 0:
        return _row("prior", "info", "this data's prior cannot be estimated here (no pair found by the prior rules, "
                    "or a model without training provenance)", expected=expected)
    observed = 2 * rule_pairs / recall / record_count
    factor = max(observed / expected, expected / observed) if expected > 0 else math.inf
    status = "warn" if factor > MAX_PRIOR_FACTOR else "ok"
    return _row("prior", status,
                f"this data has about {observed:.2f} other records of the same person per record, the model "
                f"expects {expected:.2f}" + (": retrain on this data (make train)" if status == "warn" else ""),
                observed=observed, expected=expected)
