"""Cluster records into unified individuals: connected components that cannot explode.

Edges are (left, right, weight). Components are found with union-find. A component is then worked on
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


class _UnionFind:
    def __init__(self, nodes: Iterable[str]) -> None:
        self.parent: dict[str, str] = {n: n for n in nodes}

    def find(self, node: str) -> str:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:  # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


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


def cluster(
    nodes: Sequence[str],
    edges: Iterable[tuple[str, str, float]],
    force_separate: Iterable[tuple[str, str]] = (),
    max_cluster_size: int = 100,
    min_bridge_side: int = 2,
) -> Clustering:
    """Cluster `nodes` by `edges`; see the module docstring for the guards."""
    if max_cluster_size < 1:
        raise ValueError("max_cluster_size must be at least 1")
    node_set = set(nodes)
    weights = {k: w for k, w in _strongest_edges(edges).items() if k[0] in node_set and k[1] in node_set}
    finder = _UnionFind(sorted(node_set))
    for left, right in weights:
        finder.union(left, right)
    component_of = {n: finder.find(n) for n in node_set}

    members: dict[str, list[str]] = defaultdict(list)
    for node, root in component_of.items():
        members[root].append(node)
    separations: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a, b in force_separate:
        if a in component_of and b in component_of and component_of[a] == component_of[b]:
            separations[component_of[a]].append((a, b))

    cluster_of = dict(component_of)
    cuts: list[Cut] = []
    for root, nodes_in in members.items():
        if len(nodes_in) <= max_cluster_size and root not in separations:
            continue
        inside = set(nodes_in)
        graph = nx.Graph()
        graph.add_nodes_from(inside)
        graph.add_weighted_edges_from(
            (a, b, w) for (a, b), w in weights.items() if a in inside
        )
        _separate(graph, sorted(separations.get(root, [])), cuts)
        _enforce_cap(graph, max_cluster_size, min_bridge_side, cuts)
        for part in _components(graph):
            key = min(part)
            for node in part:
                cluster_of[node] = key
    cuts.sort(key=lambda c: (c.left, c.right))
    return Clustering(cluster_of=cluster_of, component_of=component_of, cuts=cuts)
