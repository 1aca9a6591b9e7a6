"""Unified individuals as clusters of the identity graph, with the cluster-size cap and bridge cuts.

Thin on purpose: the clustering runs in the warehouse, `cdp.identity.graph_sql.cluster_in_warehouse` (connected
components as iterated SQL; only the components the guards must work on come to this process, one bounded batch at
a time), the same SQL on both engines. `cdp.identity.graph.cluster_arrays` is the in-memory reference it equals.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from cdp.identity.graph import CLUSTER_SCHEMA
    from cdp.identity.graph_sql import cluster_in_warehouse, drop_cluster_tables
    from cdp.identity.warehouse import Warehouse, sql_result

    warehouse = Warehouse(session)
    overrides = warehouse.source(dbt.ref("int_identity_overrides__resolved"))
    clustered = cluster_in_warehouse(
        warehouse,
        records_sql=warehouse.source(dbt.ref("int_identity_records__unioned")),
        edges_sql=warehouse.source(dbt.ref("int_identity_edges__unioned")),
        separate_sql=f"""select identity_record_id_l, identity_record_id_r from ({overrides}) as overrides
            where override_status = 'applied' and override_action = 'force_separate'""",
        max_cluster_size=int(dbt.config.meta_get("max_cluster_size")),
        min_bridge_side=int(dbt.config.meta_get("min_bridge_side")),
    )
    returned = sql_result(clustered, session, CLUSTER_SCHEMA)
    if not warehouse.snowflake:  # DuckDB's result is already in hand; Snowflake's reads the tables when dbt writes it
        drop_cluster_tables(warehouse)
    return returned
