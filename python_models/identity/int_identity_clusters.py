"""Unified individuals as clusters of the identity graph, with the cluster-size cap and bridge cuts.

Thin on purpose: the graph logic is `cdp.identity.graph.cluster`, the same on both engines.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa

    from cdp.identity.graph import cluster
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

    result_graph = cluster(
        records.column("identity_record_id").to_pylist(),
        list(zip(*(edges.column(i).to_pylist() for i in range(3)), strict=True)),
        force_separate=list(zip(*(separate.column(i).to_pylist() for i in range(2)), strict=True)),
        max_cluster_size=int(dbt.config.meta_get("max_cluster_size")),
        min_bridge_side=int(dbt.config.meta_get("min_bridge_side")),
    )
    nodes = sorted(result_graph.cluster_of)
    priority = {"force_separate": 0, "bridge": 1, "cluster_cap": 2}
    cut_reason: dict[str, str] = {}
    for cut in result_graph.cuts:
        for node in (cut.left, cut.right):
            if node not in cut_reason or priority[cut.reason] < priority[cut_reason[node]]:
                cut_reason[node] = cut.reason
    return result(pa.table({
        "identity_record_id": pa.array(nodes, pa.string()),
        "component_key": pa.array([result_graph.component_of[n] for n in nodes], pa.string()),
        "cluster_key": pa.array([result_graph.cluster_of[n] for n in nodes], pa.string()),
        "cut_reason": pa.array([cut_reason.get(n) for n in nodes], pa.string()),
    }), session)
