"""Whether the trained matching model fits the data it scores: one row per check (cdp.identity.health), `warn`
where they disagree (a comparison the model weighs but these records lack, one it ignores but they carry, pairs on
default-parameter levels, a prior far from this data's). Read through the mart `identity_model_health`; the test
`assert_matching_model_fits_the_data` turns each `warn` row into a warning in dbt's log. The checks are counts that
run in the warehouse, through the model's session: neither the records nor the pairs come into the model's process.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import json

    from cdp.identity.health import HEALTH_SCHEMA, check
    from cdp.identity.matching import model_bytes
    from cdp.identity.relations import result
    from cdp.identity.warehouse import Warehouse

    model_path = dbt.config.meta_get("matching_model_path") or None
    trained = json.loads(model_bytes(model_path))
    warehouse = Warehouse(session)
    records = warehouse.source(dbt.ref("int_identity_match_inputs"))
    edges = warehouse.source(dbt.ref("int_identity_edges__probabilistic"))
    pairs = f"select explanation from ({edges}) as edges where is_current"
    return result(check(warehouse, records, pairs, trained), session, HEALTH_SCHEMA)
