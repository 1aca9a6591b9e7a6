"""Stable unified IDs: each run's clusters get the IDs of the previous run by the merge and split rules.

Incremental on purpose: the previous run's assignment is this model's own table. Every record the model
ever saw keeps a row (`is_current` false once the record is gone), and every retired ID keeps a tombstone row
(identity_record_id `~retired:<ID>`), so an ID is never issued twice. A run writes only the rows that change:
records new or back, records whose ID changed (with the ID before and the change type), records gone (change type
`retired` when their ID ended with them, which unified_id_changes logs), and the tombstones of the IDs it retired;
the others keep their row, and `assigned_at` says when it was written. `full_refresh=False`: `--full-refresh`
leaves this table (and the IDs it holds) in place.
Thin on purpose: the rules are `cdp.identity.stable_ids.id_updates`, the same on both engines.
"""


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="identity_record_id", full_refresh=False)
    import datetime as dt

    import pyarrow as pa

    from cdp.identity.relations import query, read, result
    from cdp.identity.stable_ids import PREVIOUS_SCHEMA, UPDATE_SCHEMA, id_updates

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    clusters = read(
        dbt.ref("int_identity_clusters"), pa.schema([("identity_record_id", pa.string()), ("cluster_key", pa.string())])
    )
    previous = None
    if dbt.is_incremental:
        columns = ", ".join(PREVIOUS_SCHEMA.names)
        previous = query(session, f"select {columns} from {dbt.this}", PREVIOUS_SCHEMA)
    return result(id_updates(clusters, previous, now), session, UPDATE_SCHEMA)
