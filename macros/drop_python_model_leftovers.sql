{#-
    Post-hook of the incremental Python models. On DuckDB, dbt-duckdb builds the new rows of an incremental Python
    model into `<model>__dbt_tmp<timestamp>`, a regular table in the database's default schema (`main`, where the
    marts are), and does not drop it: a SQL model's is a temporary table. Left alone, every incremental run would
    add one such table per Python model. This drops them by their prefix, this run's included (merged by then), and
    renders no SQL of its own; after a SQL model (the hook is set on the identity folder) it does nothing.
    Other adapters clean up after themselves: nothing to do.
-#}
{% macro drop_python_model_leftovers() -%}
    {{ return(adapter.dispatch('drop_python_model_leftovers', 'cdp_identity')()) }}
{%- endmacro %}

{% macro default__drop_python_model_leftovers() -%}
{%- endmacro %}

{% macro duckdb__drop_python_model_leftovers() -%}
    {%- if execute and model.language == 'python' -%}
        {%- set found = run_query(
            "select schema_name, table_name from duckdb_tables() where database_name = '" ~ this.database
            ~ "' and starts_with(table_name, '" ~ this.identifier ~ "__dbt_tmp')"
        ) -%}
        {%- for schema_name, table_name in found.rows -%}
            {%- do run_query("drop table if exists " ~ adapter.quote(this.database) ~ "." ~ adapter.quote(schema_name)
                ~ "." ~ adapter.quote(table_name)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
