"""Print a short summary of a built DuckDB database: what arrived, what was rejected, what was resolved."""

from __future__ import annotations

from pathlib import Path

import duckdb


def _exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])


def _feeds(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _exists(con, "staging", "stg_raw_meta__feed_statuses"):
        return []
    rows = con.execute(
        """
        select source_system, count(*) filter (where is_present), count(*)
        from staging.stg_raw_meta__feed_statuses
        group by source_system
        order by source_system
        """
    ).fetchall()
    absent = [system for system, present, _ in rows if present == 0]
    lines = [f"Raw feeds: {sum(r[1] for r in rows)} of {sum(r[2] for r in rows)} tables present"]
    if absent:
        lines.append(f"  systems with no feed (raw empty; staging keeps what it loaded before): {', '.join(absent)}")
    return lines


def _records(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _exists(con, "main", "source_identifier_quality"):
        return ["No identity records yet: run `make build`."]
    rows = con.execute(
        """
        select
            source_system,
            sum(record_count),
            sum(email_rejected_count + phone_rejected_count + first_name_rejected_count
                + last_name_rejected_count + date_of_birth_rejected_count + postal_code_rejected_count)
        from main.source_identifier_quality
        group by source_system
        order by source_system
        """
    ).fetchall()
    width = max([len(r[0]) for r in rows] + [6])
    lines = ["Person-bearing records per system:"]
    lines += [f"  {system:<{width}}  {records:>10,}   ({rejected:,} identifier values rejected)"
              for system, records, rejected in rows]
    lines.append(f"  {'total':<{width}}  {sum(r[1] for r in rows):>10,}")
    return lines


def _identity(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _exists(con, "main", "identity_resolution_metrics"):
        return []
    row = con.execute(
        """
        select record_count, unified_individual_count, consolidation_rate, largest_cluster_record_count,
               deterministic_edge_count, probabilistic_edge_count, manual_edge_count, cut_edge_count,
               review_queue_count, blocked_identifier_count, ground_truth_record_count,
               pairwise_precision, pairwise_recall, pairwise_f1, exact_cluster_rate, blocking_recall,
               reachable_recall
        from main.identity_resolution_metrics
        """
    ).fetchone()
    if row is None:
        return []
    (records, individuals, consolidation, largest, det, prob, manual, cut, review, blocked, truth,
     precision, recall, f1, exact, blocking, reachable) = row
    lines = [
        f"Identity resolution: {records:,} records -> {individuals:,} unified individuals "
        f"(consolidation rate {consolidation or 0:.1%}, largest cluster {largest or 0} records)",
        f"  edges used: {det:,} deterministic, {prob:,} probabilistic, {manual:,} manual; {cut:,} cut",
        f"  review queue: {review:,} items; guard actions: {blocked:,}",
    ]
    if truth and precision is not None:
        lines.append(
            f"  accuracy vs ground truth: pairwise precision {precision:.4f}, recall {recall:.4f}, "
            f"F1 {f1:.4f}; people resolved exactly {exact:.1%}"
        )
        if blocking is not None:
            lines.append(f"  blocking recall {blocking:.4f} (true pairs made candidates); {reachable:.4f} of true "
                         "pairs reachable through candidates and exact edges")
    if _exists(con, "main", "identity_model_health"):
        warnings = con.execute(
            "select message from main.identity_model_health where status = 'warn' order by check_name"
        ).fetchall()
        lines.append("  matching model: fits this data" if not warnings else
                     f"  matching model: {len(warnings)} health warning(s) (identity_model_health):")
        lines += [f"    - {message}" for (message,) in warnings]
    return lines


def _activation(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not _exists(con, "main", "segment_memberships"):
        return []
    lines = []
    if _exists(con, "main", "unified_profiles"):
        profiles = con.execute("select count(*) from main.unified_profiles").fetchone()[0]
        lines.append(f"Unified profiles: {profiles:,} (people with a deletion request are absent)")
    segments = con.execute(
        "select segment_name, count(*) from main.segment_memberships group by segment_name order by segment_name"
    ).fetchall()
    lines.append("Segments:")
    lines += [f"  {name:<36} {size:>7,}" for name, size in segments]
    if _exists(con, "main", "export_marketing_cloud_audience") and _exists(con, "main", "email_suppressions"):
        audience = con.execute("select count(*) from main.export_marketing_cloud_audience").fetchone()[0]
        suppressed = con.execute(
            "select suppression_reason, count(distinct unified_individual_id) from main.email_suppressions "
            "group by suppression_reason order by suppression_reason"
        ).fetchall()
        reasons = ", ".join(f"{reason} {count:,}" for reason, count in suppressed)
        lines.append(f"Marketing Cloud email audience: {audience:,} people (suppressed: {reasons})")
    return lines


def summarize(database: Path) -> list[str]:
    """The summary lines for the database at `database`."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        return [*_feeds(con), *_records(con), *_identity(con), *_activation(con)]
    finally:
        con.close()


def print_summary(database: Path) -> int:
    if not database.exists():
        print(f"No database at {database}: run `make demo` first.")
        return 1
    print("\n".join(summarize(database)))
    return 0
