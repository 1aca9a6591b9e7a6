"""Unified individuals as clusters of the identity graph, with the cluster-size cap and bridge cuts.

Thin on purpose: the graph logic is `cdp.identity.graph.cluster_arrays`, the same on both engines.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa
    import pyarrow.compute as pc

    from cdp.identity.graph import CLUSTER_SCHEMA, cluster_arrays
    from cdp.identity.relations import read, result

    records = read(dbt.ref("int_identity_records__unioned"), pa.schema([("identity_record_id", pa.string())]))
    edges = read(dbt.ref("int_identity_edges__unioned"), pa.schema([
        ("identity_record_id_l", pa.string()), ("identity_record_id_r", pa.string()), ("edge_weight", pa.float64()),
    ]))
    separate = read(
        dbt.ref("int_identity_overrides__resolved"),
        pa.schema([("identity_record_id_l", pa.string()), ("identity_record_id_r", pa.string())]),
        where="override_status = 'applied' and override_action = 'force_separate'",
    )

    clustered = cluster_arrays(
        *(table.column(i).combine_chunks() for table, i in ((records, 0), (edges, 0), (edges, 1), (edges, 2))),
        force_separate=list(zip(*(separate.column(i).to_pylist() for i in range(2)), strict=True)),
        max_cluster_size=int(dbt.config.meta_get("max_cluster_size")),
        min_bridge_side=int(dbt.config.meta_get("min_bridge_side")),
    )
    priority = {"force_separate": 0, "bridge": 1, "cluster_cap": 2}
    cut_reason: dict[str, str] = {}
    for cut in clustered.cuts:
        for node in (cut.left, cut.right):
            if node not in cut_reason or priority[cut.reason] < priority[cut_reason[node]]:
                cut_reason[node] = cut.reason
    cut_records = pa.array(list(cut_reason), pa.string())
    reasons = pa.array(list(cut_reason.values()), pa.string()).take(
        pc.index_in(clustered.records, value_set=cut_records))
    return result(pa.table({
        "identity_record_id": clustered.records,
        "component_key": clustered.component_key,
        "cluster_key": clustered.cluster_key,
        "cut_reason": reasons,
    }), session, CLUSTER_SCHEMA)
