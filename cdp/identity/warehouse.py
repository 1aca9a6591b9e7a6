"""The warehouse a dbt Python model runs in, as the identity steps that run there as SQL see it.

A dbt Python model gets a `session`: a DuckDB connection on dbt-duckdb, a Snowpark session on dbt-snowflake (and on
the emulator `make test-snowflake` runs). `Warehouse` runs SQL through either one, so a step written as set-based
SQL (clustering in `cdp.identity.graph_sql`, stable IDs in `cdp.identity.stable_ids_sql`, the model-health counts in
`cdp.identity.health`) is one code path on both engines: the statements run in the warehouse, and only what the
caller asks for comes back (a count, one bounded batch of rows). Where the dialects differ (hashing, ordered string
aggregation, type names, JSON fields, string literals), `Warehouse` renders each engine's spelling.

Intermediate results are TEMPORARY tables named with a prefix of the step: they live in the model's session only
(on Snowflake the stored procedure's session, which then writes the model's table from them) and are dropped at
the end (`drop`).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from cdp.identity.relations import is_snowpark, read, snowflake_type


class Warehouse:
    """SQL through a dbt Python model's session, on DuckDB or Snowflake."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.snowflake = is_snowpark(session)

    def run(self, sql: str) -> None:
        """Run a statement; nothing comes back."""
        if self.snowflake:
            self.session.sql(sql).collect()
        else:
            self.session.execute(sql)

    def rows(self, sql: str) -> list[tuple]:
        """A query's rows (for small results only: counts, a bounded batch)."""
        if self.snowflake:
            return [tuple(row) for row in self.session.sql(sql).collect()]
        return self.session.execute(sql).fetchall()

    def scalar(self, sql: str) -> Any:
        return self.rows(sql)[0][0]

    def arrow(self, sql: str, schema: pa.Schema) -> pa.Table:
        """A query's result as an Arrow table typed as `schema` (column names as in `schema`)."""
        return read(self.session.sql(sql), schema)

    def source(self, relation: Any) -> str:
        """The SQL of a relation dbt handed the model (`dbt.ref(...)`), to use as a subquery."""
        if self.snowflake:
            return relation.queries["queries"][-1]
        return relation.sql_query()

    def temporary(self, name: str, sql: str) -> None:
        """(Re)create the temporary table `name` as the result of `sql`."""
        self.run(f"create or replace temporary table {name} as {sql}")

    def drop(self, *names: str) -> None:
        for name in names:
            self.run(f"drop table if exists {name}")

    def append(self, name: str, table: pa.Table) -> None:
        """Insert the rows of `table` (its columns in the order of the table `name`'s) into the table `name`."""
        if table.num_rows == 0:
            return
        if self.snowflake:
            frame = table.rename_columns([column.upper() for column in table.column_names]).to_pandas()
            uploaded = self.session.create_dataframe(frame)
            self.run(f"insert into {name} select * from ({self.source(uploaded)}) as uploaded")
        else:
            self.session.register("cdp_warehouse_upload", table)
            try:
                self.session.execute(f"insert into {name} select * from cdp_warehouse_upload")
            finally:
                self.session.unregister("cdp_warehouse_upload")

    # Dialect: what differs between DuckDB and Snowflake.
    def sha256_hex(self, expression: str) -> str:
        """The lowercase hex SHA-256 of a string's UTF-8 bytes (as Python's hashlib gives it)."""
        return f"sha2({expression}, 256)" if self.snowflake else f"sha256({expression})"

    def ordered_concat(self, expression: str, separator: str) -> str:
        """The aggregate joining `expression` with `separator`, in ascending order of `expression`."""
        if self.snowflake:
            return f"listagg({expression}, {separator}) within group (order by {expression})"
        return f"string_agg({expression}, {separator} order by {expression})"

    def literal(self, text: str) -> str:
        """`text` as a SQL string literal (Snowflake also reads a backslash in a literal as an escape)."""
        if self.snowflake:
            text = text.replace("\\", "\\\\")
        return "'" + text.replace("'", "''") + "'"

    def json_text(self, expression: str, *path: str) -> str:
        """The text at `path` (keys, outermost first) in the JSON text `expression`; null where there is none."""
        if self.snowflake:
            return f"json_extract_path_text({expression}, {self.literal('.'.join(path))})"
        return f"json_extract_string({expression}, {self.literal('$.' + '.'.join(path))})"

    def type_name(self, arrow_type: pa.DataType) -> str:
        """The SQL type a declared Arrow type is stored as."""
        if self.snowflake:
            name = type(snowflake_type(arrow_type)).__name__
            return {"StringType": "varchar", "BooleanType": "boolean", "LongType": "bigint",
                    "DoubleType": "double", "TimestampType": "timestamp_ntz"}[name]
        if pa.types.is_timestamp(arrow_type):
            return "timestamp"
        return {pa.string(): "varchar", pa.bool_(): "boolean", pa.int64(): "bigint", pa.float64(): "double"}[arrow_type]

    def typed_select(self, sql: str, schema: pa.Schema) -> str:
        """`sql` with each column of `schema` cast to its declared type, in the schema's order."""
        columns = ", ".join(f"cast({field.name} as {self.type_name(field.type)}) as {field.name}" for field in schema)
        return f"select {columns} from ({sql}) as typed"


def sql_result(sql: str, session: Any, schema: pa.Schema) -> Any:
    """What a model whose result is a warehouse query returns for dbt to store, with exactly the declared `schema`:
    on DuckDB the query's Arrow table (the same typed table `relations.result` returns); on Snowflake a Snowpark
    DataFrame over the query with every column cast to its declared type, which dbt writes with CREATE TABLE AS
    SELECT in the warehouse: the rows never pass through the model's process."""
    warehouse = Warehouse(session)
    typed = warehouse.typed_select(sql, schema)
    if warehouse.snowflake:
        return session.sql(typed)
    return warehouse.arrow(typed, schema)
