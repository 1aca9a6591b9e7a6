"""Probabilistic edges: Splink scores candidate record pairs with the committed, trained model.

Thin on purpose: the matching logic is `cdp.identity.matching.predict`, the same on both engines. On DuckDB,
Splink runs on dbt's own connection; on Snowflake this is a Snowpark model and Splink runs on an in-memory
DuckDB inside the Snowpark process (README, Snowflake). Pairs at or above the lower bound of the review band
are kept; the graph uses those at or above the match threshold.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from cdp.identity.matching import INPUT_SCHEMA, predict
    from cdp.identity.relations import duckdb_connection, read, result

    lower_bound = float(dbt.config.meta_get("review_band_lower_probability"))
    records = read(dbt.ref("int_identity_match_inputs"), INPUT_SCHEMA)
    edges = predict(records, duckdb_connection(session), threshold_match_probability=lower_bound)
    return result(edges, session)
