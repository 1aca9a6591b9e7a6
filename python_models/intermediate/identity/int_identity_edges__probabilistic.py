"""Probabilistic edges: Splink scores candidate record pairs with the committed, trained model.

Thin on purpose: the matching logic is `cdp.identity.matching.predict`, the same on both engines. Splink runs
on an in-memory DuckDB: in the dbt process on DuckDB, inside the Snowpark process on Snowflake, where this is a
Snowpark model (README, Snowflake). Pairs at or above the lower bound of the review band are kept; the graph uses
those at or above the match threshold.

Incremental: a run scores only the records new, changed or gone since the last one, and retires the pairs
they no longer form (`is_current` false); the plan is `cdp.identity.incremental`. When the records changed since
the oldest stored score reach the var `rescore_all_share` of all records, the run rescores all, as does
`--full-refresh` (and `make realign`, which sets the share to 0).
"""


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        unique_key=["identity_record_id_l", "identity_record_id_r"],
        on_schema_change="fail",
    )
    from cdp.identity.incremental import (
        OUTPUT_SCHEMA,
        STORED_PAIR_SCHEMA,
        TRACKED_SCHEMA,
        assemble,
        model_version,
        plan_rescoring,
    )
    from cdp.identity.matching import INPUT_SCHEMA, model_bytes, predict
    from cdp.identity.relations import query, read, result

    lower_bound = float(dbt.config.meta_get("review_band_lower_probability"))
    # The committed model, unless the var matching_model_path names another file (DuckDB only: on Snowflake the
    # procedure sees the model staged inside cdp.zip).
    model_path = dbt.config.meta_get("matching_model_path") or None
    version = model_version(model_bytes(model_path))
    tracked = read(dbt.ref("int_identity_match_inputs__tracked"), TRACKED_SCHEMA)
    stored = None
    if dbt.is_incremental:
        columns = ", ".join(STORED_PAIR_SCHEMA.names)
        stored = query(session, f"select {columns} from {dbt.this} where is_current", STORED_PAIR_SCHEMA)
    plan = plan_rescoring(tracked, stored, version, float(dbt.config.meta_get("rescore_all_share")))
    print(f"int_identity_edges__probabilistic: {plan.reason}", flush=True)
    records = read(dbt.ref("int_identity_match_inputs"), INPUT_SCHEMA)
    scored = predict(records, threshold_match_probability=lower_bound, model_path=model_path,
                     changed=plan.changed, progress=True)
    return result(assemble(scored, plan, version), session, OUTPUT_SCHEMA)
