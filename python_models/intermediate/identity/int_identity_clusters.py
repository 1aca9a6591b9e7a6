"""Unified individuals as clusters of the identity graph, with the cluster-size cap and bridge cuts.

Thin on purpose, with one path per engine and the same result (tests/python/test_graph_sql.py):
- Snowflake: the clustering runs in the warehouse, `cdp.identity.graph_sql.cluster_in_warehouse` (connected
  components as iterated SQL; only the components the guards must cut come to this process, one bounded batch at a
  time), so the procedure never holds the graph;
- DuckDB: `cdp.identity.graph.cluster_arrays` in memory (vectorized label propagation), measured faster there than
  the SQL iterations (5.6 s against 33 s at a million records), the graph being in this process's database anyway.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from cdp.identity.graph import CLUSTER_SCHEMA
    from cdp.identity.warehouse import Warehouse, sql_result

    warehouse = Warehouse(session)
    max_cluster_size = int(dbt.config.meta_get("max_cluster_size"))
    min_bridge_side = int(dbt.config.meta_get("min_bridge_side"))
    force_separate = "override_status = 'applied' and override_action = 'force_separate'"
    records, edges = dbt.ref("int_identity_records__unioned"), dbt.ref("int_identity_edges__unioned")
    overrides = dbt.ref("int_identity_overrides__resolved")
    if warehouse.snowflake:
        from cdp.identity.graph_sql import cluster_in_warehouse

        clustered = cluster_in_warehouse(
            warehouse, records_sql=warehouse.source(records), edges_sql=warehouse.source(edges),
            separate_sql=f"""select identity_record_id_l, identity_record_id_r
                from ({warehouse.source(overrides)}) as overrides where {force_separate}""",
            max_cluster_size=max_cluster_size, min_bridge_side=min_bridge_side,
        )
        return sql_result(clustered, session, CLUSTER_SCHEMA)

    import pyarrow as pa

    from cdp.identity.graph import cluster_arrays, cluster_table
    from cdp.identity.relations import read, result

    records = read(records, pa.schema([("identity_record_id", pa.string())]))
    edges = read(edges, pa.schema([
        ("identity_record_id_l", pa.string()), ("identity_record_id_r", pa.string()), ("edge_weight", pa.float64()),
    ]))
    separate = read(overrides, pa.schema([
        ("identity_record_id_l", pa.string()), ("identity_record_id_r", pa.string()),
    ]), where=force_separate)
    clustered = cluster_arrays(
        *(table.column(i).combine_chunks() for table, i in ((records, 0), (edges, 0), (edges, 1), (edges, 2))),
        force_separate=list(zip(*(separate.column(i).to_pylist() for i in range(2)), strict=True)),
        max_cluster_size=max_cluster_size, min_bridge_side=min_bridge_side,
    )
    return result(cluster_table(clustered), session, CLUSTER_SCHEMA)
