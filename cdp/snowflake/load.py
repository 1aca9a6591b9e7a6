"""Load raw feeds (Parquet files, as `cdp generate` writes them) into Snowflake raw tables, the way an ingestion
tool lands them: <database>.<prefix>_<system>.<table>, one table per file, typed from the file's schema.

Used by `make test-snowflake` to fill the emulator, and usable to put the demo data in a real account.
Loading goes through the table's stage (PUT, then COPY INTO ... MATCH_BY_COLUMN_NAME), Snowflake's bulk path.
A zero-byte file is a feed with no data yet: no table is created, and the project builds it as empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cdp.project import Relation


def snowflake_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "bigint"
    if pa.types.is_floating(arrow_type):
        return "float"
    if pa.types.is_decimal(arrow_type):
        return f"number({arrow_type.precision}, {arrow_type.scale})"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp_tz" if arrow_type.tz else "timestamp_ntz"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_null(arrow_type):
        return "varchar"  # (a column with no value at all has Parquet type null)
    raise ValueError(f"no Snowflake type for Parquet type {arrow_type}")


@dataclass
class LoadedTable:
    table: str
    rows: int | None  # None: the file is empty and no table was made


def _quote(name: str) -> str:
    return '"' + name.upper().replace('"', '""') + '"'


def load_file(cursor, path: Path, database: str, schema: str, table: str) -> LoadedTable:
    qualified = f"{_quote(database)}.{_quote(schema)}.{_quote(table)}"
    if path.stat().st_size == 0:
        cursor.execute(f"drop table if exists {qualified}")
        return LoadedTable(qualified, None)
    columns = ", ".join(f"{_quote(f.name)} {snowflake_type(f.type)}" for f in pq.read_schema(path))
    cursor.execute(f"create schema if not exists {_quote(database)}.{_quote(schema)}")
    cursor.execute(f"create or replace table {qualified} ({columns})")
    cursor.execute(f"put 'file://{path.resolve()}' @{database}.{schema}.%{table} overwrite = true")
    cursor.execute(
        f"copy into {qualified} from @{database}.{schema}.%{table} "
        "file_format = (type = parquet) match_by_column_name = case_insensitive"
    )
    rows = cursor.execute(f"select count(*) from {qualified}").fetchone()[0]
    expected = pq.ParquetFile(path).metadata.num_rows
    if rows != expected:
        raise RuntimeError(f"{path}: {expected} rows in the file but {rows} in {qualified}")
    return LoadedTable(qualified, rows)


def load_raw(
    connection, raw_dir: Path, database: str, prefix: str = "raw", truth_dir: Path | None = None,
    truth_tables: tuple[str, ...] = ("records",), progress: bool = True,
) -> list[LoadedTable]:
    """Every <raw_dir>/<system>/<table>.parquet, plus the ground-truth tables the evaluation source declares."""
    files = [(p, f"{prefix}_{p.parent.name}", p.stem) for p in sorted(raw_dir.glob("*/*.parquet"))]
    if truth_dir is not None:
        files += [(truth_dir / f"{t}.parquet", f"{prefix}_evaluation", t) for t in truth_tables
                  if (truth_dir / f"{t}.parquet").exists()]
    if not files:
        raise FileNotFoundError(f"no Parquet feeds under {raw_dir}/<system>/: run `cdp generate` first")
    loaded = []
    cursor = connection.cursor()
    for number, (path, schema, table) in enumerate(files, 1):
        result = load_file(cursor, path, database, schema, table)
        loaded.append(result)
        if progress:
            rows = "empty file, no table" if result.rows is None else f"{result.rows:,} rows"
            print(f"[{number}/{len(files)}] {result.table}: {rows}", flush=True)
    return loaded


# Snowflake type codes of cursor.description for TIMESTAMP_LTZ, TIMESTAMP_TZ and TIMESTAMP_NTZ.
TIMESTAMP_TYPE_CODES = {6, 7, 8}


# The marts `make test-snowflake` exports from the emulator (`cdp snowflake export --compared-marts`);
# tests/python/test_snowflake_emulator.py compares each with the same mart built on DuckDB.
COMPARED_MARTS = (
    "unified_links", "unified_profiles", "calculated_insights", "segment_memberships", "email_suppressions",
    "export_marketing_cloud_audience", "export_crm_contacts", "export_source_duplicates",
    "certification_completion_triggers", "identity_edges", "identity_review_queue", "identity_blocked_identifiers",
    "identity_resolution_metrics", "unified_id_changes", "source_identifier_quality", "source_rejected_values",
)


def export_tables(connection, database: str, schema: str | None, tables: list[Relation], out_dir: Path,
                  timestamps_as_text: bool = False):
    """Each model's table (`tables`: where the dbt manifest says each is built; in `schema` when given) to
    <out_dir>/<model>.parquet (column names in lower case); yields (model, rows).
    With `timestamps_as_text`, timestamp columns are exported as text: the emulator's result transfer turns
    a null timestamp into 1970-01-01, and text keeps the null a null."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cursor = connection.cursor()
    for relation in tables:
        table = relation.model
        qualified = f"{_quote(database)}.{_quote(schema or relation.schema)}.{_quote(relation.identifier)}"
        cursor.execute(f"select * from {qualified} limit 0")
        columns = [(d.name, d.type_code) for d in cursor.description]
        select_list = ", ".join(
            f"cast({_quote(name)} as varchar) as {_quote(name)}"
            if timestamps_as_text and type_code in TIMESTAMP_TYPE_CODES else _quote(name)
            for name, type_code in columns
        )
        cursor.execute(f"select {select_list} from {qualified}")
        names = [name.lower() for name, _ in columns]
        data = cursor.fetch_arrow_all()
        if data is None:  # no rows
            data = pa.table({name: pa.array([], pa.string()) for name in names})
        data = data.rename_columns(names)
        pq.write_table(data, out_dir / f"{table}.parquet")
        yield table, data.num_rows
