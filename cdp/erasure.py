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

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdp.project import ProjectError, Relation, Relations, relations

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


def plan_of(manifest: dict[str, Any], source: str) -> ErasablePlan:
    """erasable_plan, refusing a manifest that declares no staging table at all (another project's)."""
    plan = erasable_plan(manifest)
    if not plan.record_tables:
        raise ErasureError(f"{source} declares no staging table holding a person's rows (meta.{MANIFEST_META}): "
                           "is it this project's manifest?")
    return plan


def load_plan(manifest_path: Path | None = None) -> ErasablePlan:
    """The plan of a manifest file (default: the project's), read as every command reads it (cdp/project.py)."""
    try:
        project = relations(manifest=manifest_path, parse=False)
    except ProjectError as error:
        raise ErasureError(f"{error}; it says which staging tables hold a person's rows") from None
    return plan_of(project.manifest, project.source)


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


def _blanked(connection: Any, relation: Relation, key: str, database: str | None) -> str:
    """The SET list that empties a staging row but for its key, its load time and its source system: booleans
    false (the staging tests want them not null), everything else null."""
    catalog = f"{database}.information_schema" if database else "information_schema"
    columns = _rows(connection, f"select lower(column_name), upper(data_type) from {catalog}.columns "
                                f"where lower(table_schema) = '{relation.schema.lower()}' "
                                f"and lower(table_name) = '{relation.identifier.lower()}' order by ordinal_position")
    keep = {key, "loaded_at", "source_system"}
    return ", ".join(f"{name} = false" if kind == "BOOLEAN" else f"{name} = null"
                     for name, kind in columns if name not in keep)


def _existing_tables(connection: Any, schema: str, database: str | None) -> set[str]:
    catalog = f"{database}.information_schema" if database else "information_schema"
    rows = _rows(connection, f"select lower(table_name) from {catalog}.tables "
                             f"where lower(table_schema) = '{schema.lower()}'")
    return {name for (name,) in rows}


def erase(connection: Any, dialect: str, apply: bool, database: str | None = None,
          project: Relations | None = None) -> list[Erased]:
    """Count (apply False) or delete (apply True) the staging rows of every record of a suppressed person and of
    every tombstoned record key. `dialect` is duckdb or snowflake; `database` qualifies the schemas (Snowflake);
    each model's table is where the dbt manifest `project` says (default: the project's, `relations()`)."""
    project = project if project is not None else relations()
    plan = plan_of(project.manifest, project.source)
    existing: dict[str, set[str]] = {}

    def built(relation: Relation) -> bool:
        if relation.schema not in existing:
            existing[relation.schema] = _existing_tables(connection, relation.schema, database)
        return relation.identifier.lower() in existing[relation.schema]

    def table(model: str) -> str:
        return project[model].sql(database)

    needed = ["int_deletion_tombstones__recorded", "int_unified_individuals__suppressed", "int_identity_unified_ids"]
    missing = [model for model in needed if not built(project[model])]
    if missing:
        raise ErasureError(f"the database has no {', '.join(missing)}: run `dbt build` first, so that "
                           "the deletion requests are resolved to tombstones")

    def condition(record_id: str) -> str:
        return (
            f"{record_id} in (select ids.identity_record_id from {table('int_identity_unified_ids')} as ids "
            f"inner join {table('int_unified_individuals__suppressed')} as suppressed "
            "on ids.unified_individual_id = suppressed.unified_individual_id where ids.is_current) "
            f"or {_hash_sql(dialect, record_id)} in (select tombstones.key_hash "
            f"from {table('int_deletion_tombstones__recorded')} as tombstones "
            "where tombstones.key_type = 'record')"
        )

    of_table = dict(plan.record_tables)
    steps = [(model, f"{column} in (select {parent_column} from {table(parent)} where "
                     f"{condition(of_table[parent])})")
             for model, column, parent, parent_column in plan.through if built(project[parent])]
    steps += [(model, condition(record_id)) for model, record_id in plan.record_tables]
    erased = []
    for model, where in steps:
        relation = project[model]
        if not built(relation):
            continue
        staged = relation.sql(database)
        # Incremental staging reads the raw rows loaded after the latest load time it holds: a row at that time
        # is blanked (its key and load time kept, every other value emptied), not deleted, or the next run would
        # read it back from raw.
        latest = f"(select max(loaded_at) from {staged})"
        (count, at_latest), = _rows(
            connection, f"select count(*), count(case when loaded_at = {latest} then 1 end) "
                        f"from {staged} where {where}")
        if count and apply:
            _rows(connection, f"update {staged} set {_blanked(connection, relation, plan.keys[model], database)} "
                              f"where ({where}) and loaded_at = {latest}")
            _rows(connection, f"delete from {staged} where ({where}) and not (loaded_at = {latest})")
        erased.append(Erased(model, int(count), int(at_latest)))
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
