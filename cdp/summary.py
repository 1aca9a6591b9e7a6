"""Print a short summary of a built DuckDB database: what arrived, what was rejected, what was resolved."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cdp.project import BuiltDatabase, Relations, relations


def _feeds(db: BuiltDatabase) -> list[str]:
    if not db.exists("stg_raw_meta__feed_statuses"):
        return []
    rows = db.con.execute(
        f"""
        select source_system, count(*) filter (where is_present), count(*)
        from {db.table('stg_raw_meta__feed_statuses')}
        group by source_system
        order by source_system
        """
    ).fetchall()
    absent = [system for system, present, _ in rows if present == 0]
    lines = [f"Raw feeds: {sum(r[1] for r in rows)} of {sum(r[2] for r in rows)} tables present"]
    if absent:
        lines.append(f"  systems with no feed (raw empty; staging keeps what it loaded before): {', '.join(absent)}")
    return lines


def _records(db: BuiltDatabase) -> list[str]:
    if not db.exists("source_identifier_quality"):
        return ["No identity records yet: run `make build`."]
    rows = db.con.execute(
        f"""
        select
            source_system,
            sum(record_count),
            sum(email_rejected_count + phone_rejected_count + first_name_rejected_count
                + last_name_rejected_count + date_of_birth_rejected_count + postal_code_rejected_count)
        from {db.table('source_identifier_quality')}
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


def _identity(db: BuiltDatabase) -> list[str]:
    if not db.exists("identity_resolution_metrics"):
        return []
    row = db.con.execute(
        f"""
        select record_count, unified_individual_count, consolidation_rate, largest_cluster_record_count,
               deterministic_edge_count, probabilistic_edge_count, manual_edge_count, cut_edge_count,
               review_queue_count, blocked_identifier_count, ground_truth_record_count,
               pairwise_precision, pairwise_recall, pairwise_f1, exact_cluster_rate, blocking_recall,
               reachable_recall
        from {db.table('identity_resolution_metrics')}
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
    if db.exists("identity_model_health"):
        warnings = db.con.execute(
            f"select message from {db.table('identity_model_health')} where status = 'warn' order by check_name"
        ).fetchall()
        lines.append("  matching model: fits this data" if not warnings else
                     f"  matching model: {len(warnings)} health warning(s) (identity_model_health):")
        lines += [f"    - {message}" for (message,) in warnings]
    return lines


def _activation(db: BuiltDatabase) -> list[str]:
    if not db.exists("segment_memberships"):
        return []
    lines = []
    if db.exists("unified_profiles"):
        profiles = db.con.execute(f"select count(*) from {db.table('unified_profiles')}").fetchone()[0]
        lines.append(f"Unified profiles: {profiles:,} (people with a deletion request are absent)")
    segments = db.con.execute(
        f"select segment_name, count(*) from {db.table('segment_memberships')} "
        "group by segment_name order by segment_name"
    ).fetchall()
    lines.append("Segments:")
    lines += [f"  {name:<36} {size:>7,}" for name, size in segments]
    if db.exists("export_marketing_cloud_audience") and db.exists("email_suppressions"):
        audience = db.con.execute(f"select count(*) from {db.table('export_marketing_cloud_audience')}").fetchone()[0]
        suppressed = db.con.execute(
            f"select suppression_reason, count(distinct unified_individual_id) from {db.table('email_suppressions')} "
            "group by suppression_reason order by suppression_reason"
        ).fetchall()
        reasons = ", ".join(f"{reason} {count:,}" for reason, count in suppressed)
        lines.append(f"Marketing Cloud email audience: {audience:,} people (suppressed: {reasons})")
    return lines


def summarize(database: Path, project: Relations | None = None) -> list[str]:
    """The summary lines for the database at `database`, its relations found where the dbt manifest `project` says
    (default: the project's, `cdp.project.relations()`)."""
    project = project if project is not None else relations()
    con = duckdb.connect(str(database), read_only=True)
    db = BuiltDatabase(con, project)
    try:
        return [*_feeds(db), *_records(db), *_identity(db), *_activation(db)]
    finally:
        con.close()


def print_summary(database: Path, project: Relations | None = None) -> int:
    if not database.exists():
        print(f"No database at {database}: run `make demo` first.")
        return 1
    print("\n".join(summarize(database, project)))
    return 0
