"""Unified individuals as clusters of the identity graph, with the cluster-size cap and bridge cuts.

Thin on purpose: the graph logic is `cdp.identity.graph.cluster`.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    import pyarrow as pa

    from cdp.identity.graph import cluster

    records = dbt.ref("int_identity_records__unioned").select("identity_record_id").fetchall()
    edges = dbt.ref("int_identity_edges__unioned").select(
        "identity_record_id_l, identity_record_id_r, edge_weight"
    ).fetchall()
    separate = dbt.ref("int_identity_overrides__resolved").filter(
        "override_status = 'applied' and override_action = 'force_separate'"
    ).select("identity_record_id_l, identity_record_id_r").fetchall()

    result = cluster(
        [r[0] for r in records],
        edges,
        force_separate=separate,
        max_cluster_size=int(dbt.config.meta_get("max_cluster_size")),
        min_bridge_side=int(dbt.config.meta_get("min_bridge_side")),
    )
    nodes = sorted(result.cluster_of)
    priority = {"force_separate": 0, "bridge": 1, "cluster_cap": 2}
    cut_reason: dict[str, str] = {}
    for cut in result.cuts:
        for node in (cut.left, cut.right):
            if node not in cut_reason or priority[cut.reason] < priority[cut_reason[node]]:
                cut_reason[node] = cut.reason
    return pa.table({
        "identity_record_id": pa.array(nodes, pa.string()),
        "component_key": pa.array([result.component_of[n] for n in nodes], pa.string()),
        "cluster_key": pa.array([result.cluster_of[n] for n in nodes], pa.string()),
        "cut_reason": pa.array([cut_reason.get(n) for n in nodes], pa.string()),
    })
