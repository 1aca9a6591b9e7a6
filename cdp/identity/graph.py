"""Cluster records into unified individuals: connected components that cannot explode.

Edges are (left, right, weight). Components are found by vectorized label propagation. A component is then worked on
only when it must be: when a force-separate override names two of its records, or when it is larger than
`max_cluster_size`. In those components edges are cut, weakest first, and every cut is reported:

- force-separate: the minimum-weight set of edges separating the two records (a minimum cut);
- cluster cap: first the weakest *bridge* whose removal splits off at least `min_bridge_side` records
  (a single weak link holding two groups together), then, if no such bridge is left, the weakest edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# What int_identity_clusters holds: each record's component before cuts, its final cluster, and why an edge
# touching it was cut (null when none was; when several were, the first by CUT_PRIORITY).
CLUSTER_SCHEMA = pa.schema([
    ("identity_record_id", pa.string()), ("component_key", pa.string()), ("cluster_key", pa.string()),
    ("cut_reason", pa.string()),
])
CUT_PRIORITY = {"force_separate": 0, "bridge": 1, "cluster_cap": 2}


@dataclass(frozen=True)
class Cut:
    """An edge removed from the graph, and why."""

    left: str
    right: str
    weight: float
    reason: str  # force_separate | bridge | cluster_cap


@dataclass
class Clustering:
    """Result: cluster key per record (the smallest record ID of its cluster) and what was cut."""

    cluster_of: dict[str, str]
    component_of: dict[str, str]
    cuts: list[Cut] = field(default_factory=list)


def _strongest_edges(edges: Iterable[tuple[str, str, float]]) -> dict[tuple[str, str], float]:
    """One weight per unordered pair (the strongest), self-loops dropped."""
    best: dict[tuple[str, str], float] = {}
    for left, right, weight in edges:
        if left == right:
            continue
        key = (left, right) if left < right else (right, left)
        if key not in best or weight > best[key]:
            best[key] = weight
    return best


def _components(graph: nx.Graph) -> list[set[str]]:
    return [set(c) for c in nx.connected_components(graph)]


def _separate(graph: nx.Graph, pairs: list[tuple[str, str]], cuts: list[Cut]) -> None:
    for a, b in pairs:
        if a in graph and b in graph and nx.has_path(graph, a, b):
            directed = graph.to_directed()
            _, (side_a, _) = nx.minimum_cut(directed, a, b, capacity="weight")
            for u, v, w in list(graph.edges(data="weight")):
                if (u in side_a) != (v in side_a):
                    graph.remove_edge(u, v)
                    cuts.append(Cut(min(u, v), max(u, v), w, "force_separate"))


def _weakest_splitting_bridge(graph: nx.Graph, nodes: set[str], min_side: int) -> tuple[str, str] | None:
    sub = graph.subgraph(nodes)
    candidates = sorted(nx.bridges(sub), key=lambda e: (sub.edges[e]["weight"], min(e), max(e)))
    for u, v in candidates:
        trial = nx.Graph(sub)
        trial.remove_edge(u, v)
        side = len(nx.node_connected_component(trial, u))
        if min(side, len(nodes) - side) >= min_side:
            return (u, v)
    return None


def _enforce_cap(graph: nx.Graph, max_size: int, min_bridge_side: int, cuts: list[Cut]) -> None:
    oversized = [c for c in _components(graph) if len(c) > max_size]
    while oversized:
        nodes = oversized.pop()
        bridge = _weakest_splitting_bridge(graph, nodes, min_bridge_side)
        if bridge is not None:
            u, v = bridge
            cuts.append(Cut(min(u, v), max(u, v), graph.edges[u, v]["weight"], "bridge"))
            graph.remove_edge(u, v)
        else:
            sub = graph.subgraph(nodes)
            weakest = min(w for _, _, w in sub.edges(data="weight"))
            for u, v, w in list(sub.edges(data="weight")):
                if w <= weakest:
                    cuts.append(Cut(min(u, v), max(u, v), w, "cluster_cap"))
                    graph.remove_edge(u, v)
        oversized += [c for c in _components(graph.subgraph(nodes)) if len(c) > max_size]


def work_component(
    nodes: Iterable[str],
    edges: Iterable[tuple[str, str, float]],
    separations: Iterable[tuple[str, str]],
    max_cluster_size: int,
    min_bridge_side: int,
    cuts: list[Cut],
) -> list[set[str]]:
    """The clusters of one connected component that must be worked on: its force-separate pairs cut apart (minimum
    cuts), then the cap enforced (bridges, then weakest edges); the cuts are appended to `cuts`.

    `edges` are the component's edges with one weight per unordered pair (`_strongest_edges`). The graph is built in
    one canonical order (nodes and edges sorted) so that ties (equal cuts, equal weights) break the same way however
    the component was read: from memory (`cluster_arrays`) or from the warehouse (`cdp.identity.graph_sql`)."""
    graph = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_weighted_edges_from(sorted(edges))
    _separate(graph, sorted(separations), cuts)
    _enforce_cap(graph, max_cluster_size, min_bridge_side, cuts)
    return _components(graph)


@dataclass
class ClusterArrays:
    """Result as Arrow arrays, one entry per record (sorted by record ID): its component and cluster keys."""

    records: pa.Array
    component_key: pa.Array
    cluster_key: pa.Array
    cuts: list[Cut] = field(default_factory=list)


def _component_labels(count: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Per node (0..count-1), the smallest node of its connected component: minimum labels propagated along the
    edges, with pointer jumping (a label is a node of the same component), until nothing changes."""
    label = np.arange(count, dtype=np.int64)
    while len(left):
        low = np.minimum(label[left], label[right])
        lowered = label.copy()
        np.minimum.at(lowered, left, low)
        np.minimum.at(lowered, right, low)
        lowered = lowered[lowered]
        if np.array_equal(lowered, label):
            break
        label = lowered
    return label


def cluster_arrays(
    nodes: pa.Array,
    left: pa.Array,
    right: pa.Array,
    weight: pa.Array,
    force_separate: Iterable[tuple[str, str]] = (),
    max_cluster_size: int = 100,
    min_bridge_side: int = 2,
) -> ClusterArrays:
    """Cluster `nodes` by the edges (`left`, `right`, `weight`); see the module docstring for the guards.

    Components come from vectorized label propagation over the whole graph; only the components that must be
    worked on (oversized, or holding a force-separate pair) go through networkx."""
    if max_cluster_size < 1:
        raise ValueError("max_cluster_size must be at least 1")
    records = pc.unique(nodes.drop_null())
    records = records.take(pc.array_sort_indices(records))
    left_index, right_index = pc.index_in(left, value_set=records), pc.index_in(right, value_set=records)
    known = pc.and_(pc.is_valid(left_index), pc.is_valid(right_index))
    lefts = left_index.filter(known).to_numpy(zero_copy_only=False).astype(np.int64)
    rights = right_index.filter(known).to_numpy(zero_copy_only=False).astype(np.int64)
    weights = pc.cast(weight.filter(known), pa.float64()).to_numpy(zero_copy_only=False)
    label = _component_labels(len(records), lefts, rights)

    work = {int(root) for root in np.nonzero(np.bincount(label, minlength=len(records)) > max_cluster_size)[0]}
    separations: dict[int, list[tuple[str, str]]] = defaultdict(list)
    pairs = list(force_separate)
    if pairs:
        first = pc.index_in(pa.array([a for a, _ in pairs], pa.string()), value_set=records).to_pylist()
        second = pc.index_in(pa.array([b for _, b in pairs], pa.string()), value_set=records).to_pylist()
        for (a, b), i, j in zip(pairs, first, second, strict=True):
            if i is not None and j is not None and label[i] == label[j]:
                separations[int(label[i])].append((a, b))
                work.add(int(label[i]))

    cluster_label = label.copy()
    cuts: list[Cut] = []
    if work:
        roots = np.array(sorted(work), dtype=np.int64)
        worked_nodes = np.nonzero(np.isin(label, roots))[0]
        name_of = dict(zip(worked_nodes.tolist(), records.take(pa.array(worked_nodes)).to_pylist(), strict=True))
        index_of = {name: index for index, name in name_of.items()}
        in_work = np.isin(label[lefts], roots)
        worked_edges = zip(lefts[in_work].tolist(), rights[in_work].tolist(), weights[in_work].tolist(), strict=True)
        strongest = _strongest_edges((name_of[a], name_of[b], w) for a, b, w in worked_edges)
        members: dict[int, set[str]] = defaultdict(set)
        for index, name in name_of.items():
            members[int(label[index])].add(name)
        edges_of: dict[int, list[tuple[str, str, float]]] = defaultdict(list)
        for (a, b), w in strongest.items():
            edges_of[int(label[index_of[a]])].append((a, b, w))
        for root in sorted(work):
            for part in work_component(members[root], edges_of[root], separations.get(root, []), max_cluster_size,
                                       min_bridge_side, cuts):
                key = index_of[min(part)]
                for node in part:
                    cluster_label[index_of[node]] = key
    cuts.sort(key=lambda c: (c.left, c.right))
    return ClusterArrays(records=records, component_key=records.take(pa.array(label)),
                         cluster_key=records.take(pa.array(cluster_label)), cuts=cuts)


def cluster(
    nodes: Sequence[str],
    edges: Iterable[tuple[str, str, float]],
    force_separate: Iterable[tuple[str, str]] = (),
    max_cluster_size: int = 100,
    min_bridge_side: int = 2,
) -> Clustering:
    """Cluster `nodes` by `edges`; see the module docstring for the guards. (`cluster_arrays`, as dictionaries.)"""
    edge_list = list(edges)
    arrays = cluster_arrays(
        pa.array(list(nodes), pa.string()),
        pa.array([e[0] for e in edge_list], pa.string()),
        pa.array([e[1] for e in edge_list], pa.string()),
        pa.array([float(e[2]) for e in edge_list], pa.float64()),
        force_separate=force_separate, max_cluster_size=max_cluster_size, min_bridge_side=min_bridge_side,
    )
    records = arrays.records.to_pylist()
    return Clustering(cluster_of=dict(zip(records, arrays.cluster_key.to_pylist(), strict=True)),
                      component_of=dict(zip(records, arrays.component_key.to_pylist(), strict=True)),
                      cuts=arrays.cuts)


def cut_reasons(cuts: Iterable[Cut]) -> dict[str, str]:
    """Per record touched by a cut, why it was cut (the first reason by CUT_PRIORITY)."""
    reason_of: dict[str, str] = {}
    for cut in cuts:
        for node in (cut.left, cut.right):
            if node not in reason_of or CUT_PRIORITY[cut.reason] < CUT_PRIORITY[reason_of[node]]:
                reason_of[node] = cut.reason
    return reason_of


def cluster_table(clustered: ClusterArrays) -> pa.Table:
    """`cluster_arrays`' result as int_identity_clusters holds it (CLUSTER_SCHEMA)."""
    reason_of = cut_reasons(clustered.cuts)
    return pa.table({
        "identity_record_id": clustered.records,
        "component_key": clustered.component_key,
        "cluster_key": clustered.cluster_key,
        "cut_reason": pa.array([reason_of.get(r) for r in clustered.records.to_pylist()], pa.string()),
    }, schema=CLUSTER_SCHEMA)
