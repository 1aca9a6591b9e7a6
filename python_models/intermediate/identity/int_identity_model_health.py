"""Whether the trained matching model fits the data it scores: one row per check (cdp.identity.health), `warn`
where they disagree (a comparison the model weighs but these records lack, one it ignores but they carry, pairs on
default-parameter levels, a prior far from this data's). Read through the mart `identity_model_health`; the test
`assert_matching_model_fits_the_data` turns each `warn` row into a warning in dbt's log.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import json

    import pyarrow as pa

    from cdp.identity.health import HEALTH_SCHEMA, check
    from cdp.identity.matching import INPUT_SCHEMA, model_bytes
    from cdp.identity.relations import read, result

    model_path = dbt.config.meta_get("matching_model_path") or None
    trained = json.loads(model_bytes(model_path))
    records = read(dbt.ref("int_identity_match_inputs"), INPUT_SCHEMA)
    pairs = read(dbt.ref("int_identity_edges__probabilistic"), pa.schema([("explanation", pa.string())]),
                 where="is_current")
    return result(check(records, pairs, trained), session, HEALTH_SCHEMA)
