"""A fingerprint of what the marts hold, for comparing two builds of the same data.

Every table and view of the marts schema (`main` on DuckDB) is reduced to its row count, a hash of its sorted rows
and a hash of each column's sorted values (the column hashes say where two builds differ). Columns stamped with the
time or the run of a build (`VOLATILE_COLUMNS`) are left out, and doubles are rounded, so two builds of the same
data by the same logic agree however their threads ran.
`python tests/python/marts_fingerprint.py DATABASE OUT.json` writes one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

# Stamped with the time or the invocation of the build that wrote the row, not derived from the data.
VOLATILE_COLUMNS = frozenset({
    "linked_at", "graph_changed_at", "unified_id_minted_at", "measured_at", "triggered_at", "published_at",
    "run_id", "tombstoned_at", "tombstoned_in_invocation_id", "changed_at", "seen_at", "first_seen_at",
})
DOUBLE_DIGITS = 6


def _value(column: str, data_type: str) -> str:
    quoted = f'"{column}"'
    if data_type in ("DOUBLE", "FLOAT", "REAL") or data_type.startswith("DECIMAL"):
        return f"coalesce(cast(round(cast({quoted} as double), {DOUBLE_DIGITS}) as varchar), '<null>')"
    return f"coalesce(cast({quoted} as varchar), '<null>')"


def fingerprint(database: Path, schema: str = "main") -> dict[str, dict]:
    """{relation: {rows, hash, columns: {column: hash}}} for every relation of `schema`."""
    with duckdb.connect(str(database), read_only=True) as con:
        relations = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by table_name",
            [schema]).fetchall()]
        result: dict[str, dict] = {}
        for relation in relations:
            columns = [(name, data_type) for name, data_type in con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position", [schema, relation]).fetchall()
                if name not in VOLATILE_COLUMNS]
            values = [_value(name, data_type) for name, data_type in columns]
            source = f'"{schema}"."{relation}"'
            row_hash = "md5(" + " || '\x1f' || ".join(values) + ")" if values else "''"
            rows, table_hash = con.execute(
                f"select count(*), md5(coalesce(string_agg(row_hash, '' order by row_hash), '')) "
                f"from (select {row_hash} as row_hash from {source})").fetchone()
            column_hashes = {}
            for (name, _), value in zip(columns, values, strict=True):
                column_hashes[name] = con.execute(
                    f"select md5(coalesce(string_agg(v, '\x1f' order by v), '')) from (select {value} as v "
                    f"from {source})").fetchone()[0]
            result[relation] = {"rows": rows, "hash": table_hash, "columns": column_hashes}
        return result


def differences(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """Human-readable lines: relations missing or added, row counts and columns that differ."""
    lines = []
    for relation in sorted(expected.keys() | actual.keys()):
        if relation not in actual:
            lines.append(f"{relation}: missing")
            continue
        if relation not in expected:
            lines.append(f"{relation}: new")
            continue
        before, after = expected[relation], actual[relation]
        if before["hash"] == after["hash"]:
            continue
        columns = sorted(name for name in before["columns"].keys() | after["columns"].keys()
                         if before["columns"].get(name) != after["columns"].get(name))
        lines.append(f"{relation}: rows {before['rows']} -> {after['rows']}; columns differing: {columns}")
    return lines


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(json.dumps(fingerprint(Path(sys.argv[1])), indent=1, sort_keys=True) + "\n")
