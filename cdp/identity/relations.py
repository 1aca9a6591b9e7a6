"""The dbt Python models' two ends, the same on both engines.

dbt-duckdb hands a model DuckDB relations and stores the Arrow table it returns; dbt-snowflake hands it Snowpark
DataFrames and stores a pandas DataFrame it returns. The identity logic in between (matching, graph, stable
IDs) sees Arrow tables only, so one function and one test suite serve both engines.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa


def is_snowpark(obj: Any) -> bool:
    """True for Snowpark objects (dbt-snowflake's session and relations)."""
    return type(obj).__module__.startswith("snowflake.snowpark")


def read(relation: Any, schema: pa.Schema, where: str | None = None) -> pa.Table:
    """The columns of `schema` from a dbt relation (optionally filtered by a SQL condition), typed as `schema`."""
    if not is_snowpark(relation):
        if where:
            relation = relation.filter(where)
        return relation.select(", ".join(f'"{name}"' for name in schema.names)).to_arrow_table().cast(schema)
    if where:
        relation = relation.filter(where)
    # Snowflake folds unquoted names to upper case; ARRAY values arrive as JSON text.
    frame = relation.select([name.upper() for name in schema.names]).to_pandas()
    columns = []
    for field in schema:
        values = frame[field.name.upper()]
        if pa.types.is_list(field.type):
            parsed = [json.loads(v) if isinstance(v, str) else v for v in values]
            columns.append(pa.array(parsed, type=field.type))
        else:
            columns.append(pa.Array.from_pandas(values).cast(field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def query(session: Any, sql: str, schema: pa.Schema) -> pa.Table:
    """A SQL query's result (for instance over the model's own table, `dbt.this`), typed as `schema`."""
    return read(session.sql(sql), schema)


def result(table: pa.Table, session: Any) -> Any:
    """What the model returns for dbt to store: the Arrow table on DuckDB, a pandas DataFrame with upper-case
    column names on Snowflake (so the columns are Snowflake's usual case-insensitive names)."""
    if not is_snowpark(session):
        return table
    frame = table.to_pandas()
    frame.columns = [name.upper() for name in frame.columns]
    return frame
