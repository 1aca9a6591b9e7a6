{#-
    On-run-start hook: DuckDB's memory limit and spill directory from config (vars duckdb_memory_limit and
    duckdb_temp_directory, set from CDP_DUCKDB_MEMORY_LIMIT and CDP_DUCKDB_TEMP_DIR). A build bigger than memory then
    spills its joins, sorts and aggregates to the directory instead of failing; `make bench` sets both for its largest
    worlds. Unset, DuckDB keeps its defaults (80% of the machine's memory; <database file>.tmp). Both are settings of
    the database instance, so every thread and Python model of the run uses them. The hook logs what DuckDB reports
    back. Other targets: nothing.
-#}
{% macro apply_duckdb_resources() -%}
    {%- if target.type == 'duckdb' and execute -%}
        {%- set memory_limit = var('duckdb_memory_limit') | string | trim -%}
        {%- set temp_directory = var('duckdb_temp_directory') | string | trim -%}
        {%- if memory_limit and not modules.re.match('^[0-9]+([.][0-9]+)? ?([KMGT]i?B|B)$', memory_limit, modules.re.I) -%}
            {%- do exceptions.raise_compiler_error(
                "var duckdb_memory_limit (env CDP_DUCKDB_MEMORY_LIMIT) is '" ~ memory_limit
                ~ "': expected a size such as 12GB or 800MiB") -%}
        {%- endif -%}
        {%- if memory_limit -%}
            {%- do run_query("set memory_limit = '" ~ memory_limit | replace("'", "''") ~ "'") -%}
        {%- endif -%}
        {%- if temp_directory -%}
            {%- do run_query("set temp_directory = '" ~ temp_directory | replace("'", "''") ~ "'") -%}
        {%- endif -%}
        {%- if memory_limit or temp_directory -%}
            {%- set applied = run_query(
                "select current_setting('memory_limit'), current_setting('temp_directory')").rows[0] -%}
            {{ log("DuckDB resources: memory_limit " ~ applied[0] ~ ", temp_directory " ~ applied[1], info=True) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
