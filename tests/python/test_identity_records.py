"""The common identifier schema against the ground truth of the data `make test` generated and built."""

from __future__ import annotations

from pathlib import Path

import duckdb


def _connect(built_data: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(built_data / "cdp.duckdb"), read_only=True)
    con.execute(f"create temp view truth as select * from read_parquet('{built_data / 'truth' / 'records.parquet'}')")
    return con


def test_every_truth_record_is_in_the_identifier_schema_once(built_data: Path) -> None:
    con = _connect(built_data)
    missing = con.execute(
        """
        select t.source_system, t.source_record_id
        from truth as t
        left join intermediate.int_identity_records__unioned as r
            on r.source_system = t.source_system and r.source_record_id = t.source_record_id
        where r.source_record_id is null
        limit 5
        """
    ).fetchall()
    assert missing == []
    duplicated = con.execute(
        """
        select source_system, source_record_id, count(*)
        from intermediate.int_identity_records__unioned
        group by all having count(*) > 1 limit 5
        """
    ).fetchall()
    assert duplicated == []


def test_every_identity_record_has_ground_truth(built_data: Path) -> None:
    con = _connect(built_data)
    extra = con.execute(
        """
        select r.source_system, r.source_record_id
        from intermediate.int_identity_records__unioned as r
        anti join truth as t
            on r.source_system = t.source_system and r.source_record_id = t.source_record_id
        limit 5
        """
    ).fetchall()
    assert extra == []
    counts = con.execute(
        "select (select count(*) from truth), (select count(*) from intermediate.int_identity_records__unioned)"
    ).fetchone()
    assert counts[0] == counts[1] > 0


def test_rejected_identifiers_are_counted_not_lost(built_data: Path) -> None:
    """The demo data carries junk and malformed values: they must show up as rejections."""
    con = _connect(built_data)
    email_rejected, phone_rejected, dob_rejected = con.execute(
        "select sum(email_rejected_count), sum(phone_rejected_count), sum(date_of_birth_rejected_count) "
        "from main.source_identifier_quality"
    ).fetchone()
    assert email_rejected > 0
    assert phone_rejected > 0
    assert dob_rejected > 0


def test_normalized_identifiers_have_one_shape(built_data: Path) -> None:
    con = _connect(built_data)
    bad = con.execute(
        """
        select
            count(*) filter (where email is not null and not regexp_matches(email, '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$')),
            count(*) filter (where email <> lower(trim(email))),
            count(*) filter (where phone is not null and not regexp_matches(phone, '^\\+[1-9][0-9]{6,14}$')),
            count(*) filter (where first_name <> lower(first_name) or last_name <> lower(last_name)),
            count(*) filter (where payment_card_hash is not null
                             and not regexp_matches(payment_card_hash, '^[0-9a-f]{64}$'))
        from intermediate.int_identity_records__unioned
        """
    ).fetchone()
    assert bad == (0, 0, 0, 0, 0)


def test_accuracy_against_ground_truth_meets_the_targets(built_data: Path) -> None:
    """The dbt test enforces this too; here it also proves the ground truth was actually in the build."""
    con = _connect(built_data)
    truth_records, records, precision, recall = con.execute(
        "select ground_truth_record_count, record_count, pairwise_precision, pairwise_recall "
        "from main.identity_resolution_metrics"
    ).fetchone()
    assert truth_records == records > 0
    assert precision >= 0.995
    assert recall >= 0.98
