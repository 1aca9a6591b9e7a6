"""The dbt Python models' two ends, the same on both engines.

dbt-duckdb hands a model DuckDB relations and stores the Arrow table it returns; dbt-snowflake hands it Snowpark
DataFrames and stores the Snowpark DataFrame it returns. What a model returns always has its declared
schema (`result`): no column's type is left to inference, not even an entirely null one. The identity logic
in between (matching, graph, stable IDs) sees Arrow tables only, so one function and one test suite serve both engines.
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


class ResultSchemaError(ValueError):
    """A Python model's result does not have the columns its declared schema lists."""


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with exactly the columns of `schema`, in its order and of its types (a column that is entirely
    null, or a table with no rows, keeps its declared type). Missing or extra columns are an error naming them."""
    missing = [name for name in schema.names if name not in table.column_names]
    extra = [name for name in table.column_names if name not in schema.names]
    if missing or extra:
        raise ResultSchemaError(f"the result's columns differ from its declared schema: missing {missing}, "
                                f"not declared {extra}")
    untyped = [field.name for field in schema if pa.types.is_null(field.type)]
    if untyped:
        raise ResultSchemaError(f"declared schema gives no type to {untyped}: declare each column's type")
    return table.select(schema.names).cast(schema)


def snowflake_type(arrow_type: pa.DataType) -> Any:
    """The Snowpark type (so the Snowflake column type) a declared Arrow type is written as."""
    from snowflake.snowpark import types as sp

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return sp.StringType()
    if pa.types.is_boolean(arrow_type):
        return sp.BooleanType()
    if pa.types.is_integer(arrow_type):
        return sp.LongType()
    if pa.types.is_floating(arrow_type):
        return sp.DoubleType()
    if pa.types.is_date(arrow_type):
        return sp.DateType()
    if pa.types.is_timestamp(arrow_type):
        zone = sp.TimestampTimeZone.TZ if arrow_type.tz else sp.TimestampTimeZone.NTZ
        return sp.TimestampType(zone)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return sp.ArrayType(sp.StringType())
    raise ResultSchemaError(f"no Snowflake type for the declared type {arrow_type}")


# The helper column that keeps every uploaded frame typed and non-empty in columns (dropped by the final select).
_ROW_COLUMN = "CDP_RESULT_ROW"


def _snowpark_result(table: pa.Table, session: Any) -> Any:
    """A Snowpark DataFrame of `table` whose every column is cast to its declared Snowflake type.

    Uploading a pandas frame lets Snowflake infer column types from the Parquet file it is written to, and a column
    with no value at all has no type there (pandas hands Parquet a `null` column). So only the columns that hold a
    value are uploaded (with a row number, so the upload is never without columns), each is cast to its declared type,
    and a column that holds no value is a typed null (`cast(null as <type>)`). dbt then writes the DataFrame with
    CREATE TABLE AS SELECT: every column has the declared type, on the first run and on a run with nothing to write."""
    from snowflake.snowpark.functions import col, lit

    valued = [field for field in table.schema if table.column(field.name).null_count < table.num_rows]
    upload = pa.table({_ROW_COLUMN: pa.array(range(table.num_rows), pa.int64()),
                       **{field.name.upper(): table.column(field.name) for field in valued}})
    uploaded = session.create_dataframe(upload.to_pandas())
    valued_names = {field.name for field in valued}
    columns = []
    for field in table.schema:
        name, declared = field.name.upper(), snowflake_type(field.type)
        value = col(f'"{name}"') if field.name in valued_names else lit(None)
        columns.append(value.cast(declared).alias(name))
    return uploaded.select(columns)


def result(table: pa.Table, session: Any, schema: pa.Schema) -> Any:
    """What the model returns for dbt to store, with exactly the declared `schema` on either engine: the Arrow table
    on DuckDB; on Snowflake a Snowpark DataFrame with upper-case column names (Snowflake's usual case-insensitive
    names), each cast to its declared type (`_snowpark_result`), never a frame whose types Snowflake would guess."""
    table = conform(table, schema)
    if not is_snowpark(session):
        return table
    return _snowpark_result(table, session)
