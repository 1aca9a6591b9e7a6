"""Clustering in the warehouse: `cdp.identity.graph.cluster_arrays` with the graph kept where it is stored.

The same clusters as the in-memory path (`cluster_arrays`, the reference and test oracle), computed as:

1. Connected components by label propagation in SQL: every record gets an integer (its rank by record ID), every
   node starts as its own label, and each iteration is one set-based statement giving every node the smallest label
   among itself and its neighbours, followed by pointer jumping (a node takes its label's label), so a component
   settles in about log(diameter) iterations. Only a count of changed labels comes back to the client per iteration.
   The fixpoint is each record's component keyed by its smallest record, as in `cluster_arrays`.
2. The components that must be worked on (larger than `max_cluster_size`, or holding a force-separate pair) are found
   in SQL too, and pulled into the client in batches of whole components: in the order of their keys, a component
   joins the batch its first record falls in when the worked records are cut into runs of `batch_records`, so a
   batch holds at most `batch_records` records plus one component. Each one goes through `graph.work_component`
   (networkx: minimum cuts, bridges, weakest edges), and the batch's clusters and cut reasons are written back to
   the warehouse before the next batch is read. So the client holds one batch at a time: its memory is bounded by
   `batch_records` plus the largest worked component, never by the graph.
3. The result is a query joining the labels and the worked clusters, which the model returns (`warehouse.sql_result`):
   on Snowflake dbt writes it with CREATE TABLE AS SELECT, so the records never leave the warehouse.
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa

from cdp.identity.graph import CLUSTER_SCHEMA, Cut, _strongest_edges, cut_reasons, work_component
from cdp.identity.warehouse import Warehouse

# The temporary tables of a clustering run (all dropped by `drop_cluster_tables`).
PREFIX = "cdp_clusters__"
TABLES = ("nodes", "edges", "labels", "labels_next", "lowered", "sizes", "separations", "work", "worked", "reasons")
# How many records of worked components one batch pulls into the client (whole components; one larger comes alone).
BATCH_RECORDS = 50_000
# A safety stop for label propagation: with pointer jumping it needs about log2(diameter) iterations.
MAX_ITERATIONS = 200


def _t(name: str) -> str:
    return PREFIX + name


def _connected_components(warehouse: Warehouse, records_sql: str, edges_sql: str) -> int:
    """Fill `labels` (node, label): each node's component as its smallest node. Returns the iterations run."""
    warehouse.temporary(_t("nodes"), f"""
        select identity_record_id, row_number() over (order by identity_record_id) as node
        from (select distinct identity_record_id from ({records_sql}) as records
              where identity_record_id is not null) as distinct_records""")
    warehouse.temporary(_t("edges"), f"""
        select left_node.node as node_l, right_node.node as node_r,
               edges.identity_record_id_l, edges.identity_record_id_r, cast(edges.edge_weight as double) as edge_weight
        from ({edges_sql}) as edges
        inner join {_t('nodes')} as left_node on left_node.identity_record_id = edges.identity_record_id_l
        inner join {_t('nodes')} as right_node on right_node.identity_record_id = edges.identity_record_id_r""")
    warehouse.temporary(_t("labels"), f"select node, node as label from {_t('nodes')}")
    # Two label tables take turns; when an iteration changes nothing, both hold the same (final) labels.
    source, target = _t("labels"), _t("labels_next")
    for iteration in range(1, MAX_ITERATIONS + 1):
        warehouse.temporary(_t("lowered"), f"""
            select node, min(label) as label
            from (
                select node, label from {source}
                union all
                select edges.node_l as node, labels.label
                from {_t('edges')} as edges inner join {source} as labels on labels.node = edges.node_r
                union all
                select edges.node_r as node, labels.label
                from {_t('edges')} as edges inner join {source} as labels on labels.node = edges.node_l
            ) as candidates
            group by node""")
        warehouse.temporary(target, f"""
            select lowered.node, jumped.label
            from {_t('lowered')} as lowered inner join {_t('lowered')} as jumped on jumped.node = lowered.label""")
        changed = warehouse.scalar(f"""
            select count(*) from {target} as next_labels
            inner join {source} as labels on labels.node = next_labels.node
            where next_labels.label <> labels.label""")
        if changed == 0:
            return iteration
        source, target = target, source
    raise RuntimeError(f"connected components did not settle in {MAX_ITERATIONS} iterations of label propagation")


def _work(warehouse: Warehouse, separate_sql: str, max_cluster_size: int, batch_records: int) -> int:
    """Fill `separations` and `work` (the components to work on, each with its batch). Returns the batch count."""
    warehouse.temporary(_t("sizes"), f"select label, count(*) as size from {_t('labels')} group by label")
    warehouse.temporary(_t("separations"), f"""
        select left_labels.label, separate.identity_record_id_l, separate.identity_record_id_r
        from ({separate_sql}) as separate
        inner join {_t('nodes')} as left_node on left_node.identity_record_id = separate.identity_record_id_l
        inner join {_t('nodes')} as right_node on right_node.identity_record_id = separate.identity_record_id_r
        inner join {_t('labels')} as left_labels on left_labels.node = left_node.node
        inner join {_t('labels')} as right_labels on right_labels.node = right_node.node
        where left_labels.label = right_labels.label""")
    warehouse.temporary(_t("work"), f"""
        select label, size,
               floor((sum(size) over (order by label rows between unbounded preceding and current row) - size)
                     / {int(batch_records)}) as batch
        from {_t('sizes')}
        where size > {int(max_cluster_size)} or label in (select label from {_t('separations')})""")
    batches = warehouse.scalar(f"select count(distinct batch) from {_t('work')}")
    return int(batches)


def _work_batches(warehouse: Warehouse, max_cluster_size: int, min_bridge_side: int) -> None:
    """Work on the components of `work`, one batch at a time, writing `worked` and `reasons`."""
    warehouse.temporary(_t("worked"), f"""
        select identity_record_id, identity_record_id as cluster_key from {_t('nodes')} where 1 = 0""")
    warehouse.temporary(_t("reasons"), f"""
        select identity_record_id, identity_record_id as cut_reason from {_t('nodes')} where 1 = 0""")
    batches = [row[0] for row in warehouse.rows(f"select distinct batch from {_t('work')} order by batch")]
    for batch in batches:
        in_batch = f"""inner join {_t('labels')} as labels on labels.node = nodes.node
            inner join {_t('work')} as work on work.label = labels.label and work.batch = {int(batch)}"""
        members: dict[int, list[str]] = defaultdict(list)
        for record, label in warehouse.rows(f"""
                select nodes.identity_record_id, labels.label from {_t('nodes')} as nodes {in_batch}"""):
            members[label].append(record)
        raw_edges: dict[int, list[tuple[str, str, float]]] = defaultdict(list)
        for left, right, weight, label in warehouse.rows(f"""
                select edges.identity_record_id_l, edges.identity_record_id_r, edges.edge_weight, labels.label
                from {_t('edges')} as edges
                inner join {_t('nodes')} as nodes on nodes.node = edges.node_l {in_batch}"""):
            raw_edges[label].append((left, right, float(weight)))
        separations: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for label, left, right in warehouse.rows(f"""
                select separations.label, separations.identity_record_id_l, separations.identity_record_id_r
                from {_t('separations')} as separations
                inner join {_t('work')} as work on work.label = separations.label and work.batch = {int(batch)}"""):
            separations[label].append((left, right))
        cluster_of: dict[str, str] = {}
        cuts: list[Cut] = []
        for label in sorted(members):
            strongest = _strongest_edges(raw_edges[label])
            parts = work_component(members[label], [(a, b, w) for (a, b), w in strongest.items()],
                                   separations[label], max_cluster_size, min_bridge_side, cuts)
            for part in parts:
                key = min(part)
                cluster_of.update(dict.fromkeys(part, key))
        reason_of = cut_reasons(cuts)
        warehouse.append(_t("worked"), pa.table({"identity_record_id": list(cluster_of),
                                                 "cluster_key": list(cluster_of.values())}))
        warehouse.append(_t("reasons"), pa.table({"identity_record_id": list(reason_of),
                                                  "cut_reason": list(reason_of.values())}))


def cluster_in_warehouse(
    warehouse: Warehouse,
    records_sql: str,
    edges_sql: str,
    separate_sql: str,
    max_cluster_size: int = 100,
    min_bridge_side: int = 2,
    batch_records: int = BATCH_RECORDS,
) -> str:
    """Cluster the records of `records_sql` (identity_record_id) by the edges of `edges_sql` (identity_record_id_l,
    identity_record_id_r, edge_weight), cutting apart the pairs of `separate_sql` (identity_record_id_l,
    identity_record_id_r), with the guards of `cdp.identity.graph`. Returns the SQL of the result (`CLUSTER_SCHEMA`:
    identity_record_id, component_key, cluster_key, cut_reason) over this run's temporary tables."""
    if max_cluster_size < 1:
        raise ValueError("max_cluster_size must be at least 1")
    _connected_components(warehouse, records_sql, edges_sql)
    _work(warehouse, separate_sql, max_cluster_size, batch_records)
    _work_batches(warehouse, max_cluster_size, min_bridge_side)
    columns = ", ".join(CLUSTER_SCHEMA.names)
    return f"""
        select {columns} from (
            select nodes.identity_record_id, components.identity_record_id as component_key,
                   coalesce(worked.cluster_key, components.identity_record_id) as cluster_key, reasons.cut_reason
            from {_t('nodes')} as nodes
            inner join {_t('labels')} as labels on labels.node = nodes.node
            inner join {_t('nodes')} as components on components.node = labels.label
            left join {_t('worked')} as worked on worked.identity_record_id = nodes.identity_record_id
            left join {_t('reasons')} as reasons on reasons.identity_record_id = nodes.identity_record_id
        ) as clustered"""


def drop_cluster_tables(warehouse: Warehouse) -> None:
    warehouse.drop(*(_t(name) for name in TABLES))
