"""Stable unified IDs: each run's clusters get the IDs of the previous run by the merge and split rules.

Incremental on purpose: the previous run's assignment is this model's own table. Every record the model
ever saw keeps a row (`is_current` false once the record is gone), and every retired ID keeps a tombstone row
(identity_record_id `~retired:<ID>`), so an ID is never issued twice. A run writes only the rows that change:
records new or back, records whose ID changed (with the ID before and the change type), records gone (change type
`retired` when their ID ended with them, which unified_id_changes logs), and the tombstones of the IDs it retired;
the others keep their row, and `assigned_at` says when it was written. `full_refresh=False`: `--full-refresh`
leaves this table (and the IDs it holds) in place.
Thin on purpose: the rules run in the warehouse as set-based SQL, `cdp.identity.stable_ids_sql`, the same SQL on
both engines; `cdp.identity.stable_ids.id_updates` is the in-memory reference it equals.
"""


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="identity_record_id", full_refresh=False)
    import datetime as dt

    from cdp.identity.stable_ids import UPDATE_SCHEMA
    from cdp.identity.stable_ids_sql import drop_id_tables, id_updates_in_warehouse
    from cdp.identity.warehouse import Warehouse, sql_result

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    warehouse = Warehouse(session)
    updates = id_updates_in_warehouse(
        warehouse,
        clusters_sql=warehouse.source(dbt.ref("int_identity_clusters")),
        previous_sql=f"select * from {dbt.this}" if dbt.is_incremental else None,
        now=now,
    )
    returned = sql_result(updates, session, UPDATE_SCHEMA)
    if not warehouse.snowflake:  # DuckDB's result is already in hand; Snowflake's reads the tables when dbt writes it
        drop_id_tables(warehouse)
    return returned
