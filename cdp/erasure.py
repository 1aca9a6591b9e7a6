"""`cdp erase`: physically delete what may be deleted of the people who asked to be forgotten.

A deletion request is honoured by suppression first: `int_deletion_tombstones__recorded` keeps the hashed keys
of every record and identifier of the person, and every mart excludes anyone holding one
(`int_unified_individuals__suppressed`). Erasure then deletes the staging rows of those records (the person's
records and the rows that hang off them: sends, orders, enrollments, events, ...), on DuckDB or on Snowflake.
The next `dbt build` drops them from every table rebuilt from staging.

What stays, and why (printed by the command too): the raw tables belong to the source systems (the person must
be deleted there; a `--full-refresh` re-reads raw, and the tombstones keep the person suppressed); the deletion
requests (the record of the obligation, which the tombstones are derived from); the tombstones themselves
(hashes only: they are what keeps the person suppressed); and the unified-ID history (record keys and IDs, no
contact data: the change log downstream systems replay, where the person's ID is logged `retired`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Which staging tables hold rows of a person's record, and how to reach that record, is declared once, on each
# staging model in its YAML (`meta.identity_record`), and read here from dbt's manifest:
#   {source_system: <system>, key: <column>}          the rows of record '<system>:' || <column>
#   {source_system_column: <column>, key: <column>}    the rows of record <column> || ':' || <column>
#   {through: <staging model>, key: <column>}          rows hanging off that model's erased rows by <column>
#                                                      (a payment through its order), erased before them
# A table's key is its model's `unique_key`.
MANIFEST_META = "identity_record"


@dataclass(frozen=True)
class ErasablePlan:
    record_tables: tuple[tuple[str, str], ...]  # (staging table, SQL of the identity record ID of each row)
    through: tuple[tuple[str, str, str, str], ...]  # (table, its column, the table it hangs off, that column)
    keys: dict[str, str]  # staging table -> its unique key


def default_manifest_path() -> Path:
    """dbt's manifest of the project in the current folder (`DBT_TARGET_PATH`, else `target`)."""
    return Path(os.environ.get("DBT_TARGET_PATH", "target")) / "manifest.json"


def erasable_plan(manifest: dict[str, Any]) -> ErasablePlan:
    """The staging tables to erase from, read from the `meta.identity_record` of the manifest's models."""
    records, through, keys = [], [], {}
    for node in sorted(manifest.get("nodes", {}).values(), key=lambda node: node.get("name", "")):
        config = node.get("config") or {}
        declared = (config.get("meta") or {}).get(MANIFEST_META)
        if node.get("resource_type") != "model" or not declared:
            continue
        table, key = node["name"], declared.get("key")
        unique_key = config.get("unique_key")
        if not key or not isinstance(unique_key, str):
            raise ErasureError(f"{table}: meta.{MANIFEST_META} needs a `key` column and the model a single "
                               f"unique_key (found key={key!r}, unique_key={unique_key!r})")
        keys[table] = unique_key
        if declared.get("through"):
            through.append((table, key, declared["through"], key))
        elif declared.get("source_system_column"):
            records.append((table, f"{declared['source_system_column']} || ':' || {key}"))
        elif declared.get("source_system"):
            records.append((table, f"'{declared['source_system']}:' || {key}"))
        else:
            raise ErasureError(f"{table}: meta.{MANIFEST_META} names neither source_system, source_system_column "
                               "nor through")
    of_record = {table for table, _ in records}
    for table, _, parent, _ in through:
        if parent not in of_record:
            raise ErasureError(f"{table}: meta.{MANIFEST_META}.through names {parent}, which declares no record")
    return ErasablePlan(tuple(records), tuple(through), keys)


def load_plan(manifest_path: Path | None = None) -> ErasablePlan:
    path = manifest_path or default_manifest_path()
    if not path.exists():
        raise ErasureError(f"no dbt manifest at {path}: run `dbt parse` (or `dbt build`) in the project folder "
                           "first; it says which staging tables hold a person's rows")
    plan = erasable_plan(json.loads(path.read_text()))
    if not plan.record_tables:
        raise ErasureError(f"{path} declares no staging table holding a person's rows (meta.{MANIFEST_META}): "
                           "is it this project's manifest?")
    return plan


KEPT = (
    ("raw tables (raw_<system>)", "they belong to the source systems: delete the person there. A --full-refresh "
     "re-reads raw into staging; the tombstones keep the person suppressed from every mart."),
    ("stg_consent__deletion_requests", "the requests are the record of what was asked and when; the tombstones "
     "are derived from them."),
    ("int_deletion_tombstones__recorded", "SHA-256 hashes of the person's record keys and identifiers, no readable "
     "value: they are what keeps the person suppressed, whatever merges, splits or re-loads follow."),
    ("int_identity_unified_ids, unified_id_changes", "record keys and unified IDs, no contact data: the ID history "
     "downstream systems replay (the next build logs the person's ID as retired)."),
)


@dataclass(frozen=True)
class Erased:
    table: str
    rows: int  # rows erased
    blanked: int  # of which kept as key and load time only (the table's latest load time)


class ErasureError(RuntimeError):
    pass


def _hash_sql(dialect: str, expression: str) -> str:
    """The SQL of macro tombstone_hash('record', expression) for this engine."""
    if dialect == "duckdb":
        return f"sha256('record:' || {expression})"
    return f"lower(sha2('record:' || {expression}, 256))"


def _rows(connection: Any, sql: str) -> list[tuple]:
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _blanked(connection: Any, table: str, key: str, database: str | None, schema: str) -> str:
    """The SET list that empties a staging row but for its key, its load time and its source system: booleans
    false (the staging tests want them not null), everything else null."""
    catalog = f"{database}.information_schema" if database else "information_schema"
    columns = _rows(connection, f"select lower(column_name), upper(data_type) from {catalog}.columns "
                                f"where lower(table_schema) = '{schema.lower()}' and lower(table_name) = '{table}' "
                                "order by ordinal_position")
    keep = {key, "loaded_at", "source_system"}
    return ", ".join(f"{name} = false" if kind == "BOOLEAN" else f"{name} = null"
                     for name, kind in columns if name not in keep)


def _existing_tables(connection: Any, schema: str, database: str | None) -> set[str]:
    catalog = f"{database}.information_schema" if database else "information_schema"
    rows = _rows(connection, f"select lower(table_name) from {catalog}.tables "
                             f"where lower(table_schema) = '{schema.lower()}'")
    return {name for (name,) in rows}


def erase(connection: Any, dialect: str, apply: bool, database: str | None = None,
          staging_schema: str = "staging", intermediate_schema: str = "intermediate",
          manifest_path: Path | None = None) -> list[Erased]:
    """Count (apply False) or delete (apply True) the staging rows of every record of a suppressed person and of
    every tombstoned record key. `dialect` is duckdb or snowflake; `database` qualifies the schemas (Snowflake);
    `manifest_path` is dbt's manifest of the project (default: default_manifest_path())."""
    plan = load_plan(manifest_path)
    prefix = f"{database}." if database else ""
    staging, intermediate = f"{prefix}{staging_schema}", f"{prefix}{intermediate_schema}"
    needed = {"int_deletion_tombstones__recorded", "int_unified_individuals__suppressed", "int_identity_unified_ids"}
    missing = needed - _existing_tables(connection, intermediate_schema, database)
    if missing:
        raise ErasureError(f"{intermediate} has no {', '.join(sorted(missing))}: run `dbt build` first, so that "
                           "the deletion requests are resolved to tombstones")
    staged = _existing_tables(connection, staging_schema, database)

    def condition(record_id: str) -> str:
        return (
            f"{record_id} in (select ids.identity_record_id from {intermediate}.int_identity_unified_ids as ids "
            f"inner join {intermediate}.int_unified_individuals__suppressed as suppressed "
            "on ids.unified_individual_id = suppressed.unified_individual_id where ids.is_current) "
            f"or {_hash_sql(dialect, record_id)} in (select tombstones.key_hash "
            f"from {intermediate}.int_deletion_tombstones__recorded as tombstones "
            "where tombstones.key_type = 'record')"
        )

    of_table = dict(plan.record_tables)
    steps = [(table, f"{column} in (select {parent_column} from {staging}.{parent} where "
                     f"{condition(of_table[parent])})")
             for table, column, parent, parent_column in plan.through if parent in staged]
    steps += [(table, condition(record_id)) for table, record_id in plan.record_tables]
    erased = []
    for table, where in steps:
        if table not in staged:
            continue
        # Incremental staging reads the raw rows loaded after the latest load time it holds: a row at that time
        # is blanked (its key and load time kept, every other value emptied), not deleted, or the next run would
        # read it back from raw.
        latest = f"(select max(loaded_at) from {staging}.{table})"
        (count, at_latest), = _rows(
            connection, f"select count(*), count(case when loaded_at = {latest} then 1 end) "
                        f"from {staging}.{table} where {where}")
        if count and apply:
            blanked = _blanked(connection, table, plan.keys[table], database, staging_schema)
            _rows(connection, f"update {staging}.{table} set {blanked} where ({where}) and loaded_at = {latest}")
            _rows(connection, f"delete from {staging}.{table} where ({where}) and not (loaded_at = {latest})")
        erased.append(Erased(table, int(count), int(at_latest)))
    return erased


def describe(erased: list[Erased], apply: bool) -> list[str]:
    """What was (or would be) erased, and what is kept and why."""
    verb = "erased" if apply else "would erase"
    total = sum(e.rows for e in erased)
    lines = [f"{verb} {total:,} staging rows of people with a deletion request:"]
    lines += [f"  {e.table}: {e.rows:,}" + (f" ({e.blanked:,} kept as key and load time only: the table's latest "
                                            "load, which staging must keep or it re-reads it from raw)"
                                            if e.blanked else "")
              for e in erased if e.rows]
    if not apply:
        lines.append("dry run: nothing deleted; run `cdp erase --yes` to delete these rows")
    else:
        lines.append("run `dbt build` now: it drops these records from every table rebuilt from staging and logs "
                     "the IDs that lost all their records as retired in unified_id_changes")
    lines.append("kept:")
    lines += [f"  {what}: {why}" for what, why in KEPT]
    return lines
