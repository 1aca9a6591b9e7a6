"""Clustering and stable IDs on DuckDB: the in-memory reference against the warehouse SQL, on a synthetic graph.

`.venv/bin/python -m cdp.bench_graph 1000000` (the number of records). People of 1-6 records (a chain of strong
edges each), one weak link per 50 people (some chains exceed the cap of 8), a force-separate pair per ~1000 people.
The second stable-ID run: 2% of records gone, 2% new, the clusters re-drawn among a sample. It prints each path's
time and whether the two agree. README, *Snowflake*: which path each engine takes, and why.
"""

import random
import sys
import time
from datetime import datetime

import duckdb
import pyarrow as pa

from cdp.identity.graph import CLUSTER_SCHEMA, cluster_arrays
from cdp.identity.graph_sql import cluster_in_warehouse, drop_cluster_tables
from cdp.identity.stable_ids import UPDATE_SCHEMA, id_updates
from cdp.identity.stable_ids_sql import drop_id_tables, id_updates_in_warehouse
from cdp.identity.warehouse import Warehouse, sql_result


def _rows(table: pa.Table) -> list[tuple]:
    return sorted(zip(*(table.column(c).to_pylist() for c in UPDATE_SCHEMA.names), strict=True))


def main(n: int) -> None:
    rng = random.Random(1)
    nodes = [f"rec-{i:09d}" for i in range(n)]
    rng.shuffle(nodes)
    edges, groups, i = [], [], 0
    while i < n:
        k = rng.randint(1, 6)
        group = nodes[i:i + k]
        groups.append(group)
        i += k
        edges += [(a, b, float(rng.randint(5, 30))) for a, b in zip(group, group[1:], strict=False)]
    for _ in range(len(groups) // 50):
        a, b = rng.choice(groups), rng.choice(groups)
        edges.append((a[0], b[-1], float(rng.randint(1, 4))))
    separate = [(g[0], g[-1]) for g in groups[::997] if len(g) > 1]
    con = duckdb.connect()
    con.register("records_in", pa.table({"identity_record_id": nodes}))
    con.register("edges_in", pa.table({"identity_record_id_l": [e[0] for e in edges],
                                        "identity_record_id_r": [e[1] for e in edges],
                                        "edge_weight": [e[2] for e in edges]}))
    con.register("separate_in", pa.table({"identity_record_id_l": [a for a, _ in separate],
                                           "identity_record_id_r": [b for _, b in separate]}))

    t = time.perf_counter()
    reference = cluster_arrays(pa.array(nodes), pa.array([e[0] for e in edges]), pa.array([e[1] for e in edges]),
                               pa.array([e[2] for e in edges]), force_separate=separate, max_cluster_size=8)
    t_ref = time.perf_counter() - t
    t = time.perf_counter()
    warehouse = Warehouse(con)
    sql = cluster_in_warehouse(warehouse, "select * from records_in", "select * from edges_in",
                               "select * from separate_in", 8, 2)
    clusters = sql_result(sql, con, CLUSTER_SCHEMA)
    drop_cluster_tables(warehouse)
    t_sql = time.perf_counter() - t
    ok = sorted(zip(clusters["identity_record_id"].to_pylist(), clusters["cluster_key"].to_pylist(), strict=True)) \
        == sorted(zip(reference.records.to_pylist(), reference.cluster_key.to_pylist(), strict=True))
    print(f"clusters: {n} records, {len(edges)} edges, {len(reference.cuts)} cuts: in-memory {t_ref:.2f} s, "
          f"SQL {t_sql:.2f} s, equal {ok}")

    ids = clusters.select(["identity_record_id", "cluster_key"])
    first, second = datetime(2026, 11, 1), datetime(2026, 11, 2)
    t = time.perf_counter()
    ref_first = id_updates(ids, None, first)
    t_ref1 = time.perf_counter() - t
    t = time.perf_counter()
    con.register("clusters_in", ids)
    sql_first = sql_result(id_updates_in_warehouse(warehouse, "select * from clusters_in", None, first), con,
                           UPDATE_SCHEMA)
    drop_id_tables(warehouse)
    t_sql1 = time.perf_counter() - t
    # Second run: some records gone, some new, clusters re-drawn among a sample (merges and splits).
    kept = [r for r in nodes if rng.random() > 0.02] + [f"new-{j:09d}" for j in range(n // 50)]
    key = dict(zip(ids["identity_record_id"].to_pylist(), ids["cluster_key"].to_pylist(), strict=True))
    moved = set(rng.sample(kept, n // 50))
    cluster_of = {r: (f"m{rng.randrange(n // 100)}" if r in moved or r not in key else key[r]) for r in kept}
    ids2 = pa.table({"identity_record_id": list(cluster_of), "cluster_key": list(cluster_of.values())})
    t = time.perf_counter()
    ref_second = id_updates(ids2, ref_first, second)
    t_ref2 = time.perf_counter() - t
    t = time.perf_counter()
    con.register("clusters_in", ids2)
    con.register("previous_in", ref_first)
    sql_second = sql_result(id_updates_in_warehouse(warehouse, "select * from clusters_in", "select * from previous_in",
                                                     second), con, UPDATE_SCHEMA)
    drop_id_tables(warehouse)
    t_sql2 = time.perf_counter() - t


    print(f"stable IDs, first run: in-memory {t_ref1:.2f} s, SQL {t_sql1:.2f} s, "
          f"equal {_rows(ref_first) == _rows(sql_first)}")
    print(f"stable IDs, second run ({ref_second.num_rows} rows written): in-memory {t_ref2:.2f} s, SQL {t_sql2:.2f} s, "
          f"equal {_rows(ref_second) == _rows(sql_second)}")


if __name__ == "__main__":
    main(int(sys.argv[1]))
