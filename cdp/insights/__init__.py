"""Predictive insights learned from the unified history: churn and membership-upgrade models trained on
point-in-time features (`int_insight_features__as_of`) and outcomes (`int_insight_outcomes__observed`), written
as a reviewed JSON (`insight_models.json`), scored in the warehouse by SQL rendered from it
(`macros/insights/insight_models.sql`), and back-tested on a held-out later snapshot.

- `cdp.insights.models`: the examples, training (scikit-learn logistic regression on standardized features), the
  JSON and the Python reference scores (sklearn's `predict_proba` of the model the JSON holds).
- `cdp.insights.render`: the dbt macro file rendered from the JSON.
- `cdp.insights.evaluate`: AUC, precision at the top decile, calibration by decile and the next-course hit rate,
  for the trained models and the fixed formulas, on the held-out snapshot.
"""
