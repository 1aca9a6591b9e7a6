"""Probabilistic edges: Splink scores candidate record pairs with the committed, trained model.

Thin on purpose: the matching logic is `cdp.identity.matching.predict`. Pairs at or above the lower
bound of the review band are kept; the graph uses those at or above the match threshold.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from cdp.identity.matching import predict

    lower_bound = float(dbt.config.meta_get("review_band_lower_probability"))
    records = dbt.ref("int_identity_match_inputs").to_arrow_table()
    return predict(records, session.cursor(), threshold_match_probability=lower_bound)
