{#
    Quarantine: a raw row that cannot be typed or keyed is set aside instead of stopping the build.

    One rule, driven by the source YAML (each column's data_type, the table's meta.primary_key), for every raw table
    that declares a primary key and a _loaded_at column (every source system's feed):
    - a row whose primary key is null, empty or only whitespace is rejected ("blank primary key");
    - a row holding a value that does not convert to its column's declared type is rejected ("not a number",
      "not a date", ...); a null or blank value is a null, not a rejection.
    Staging reads only the other rows (raw_row_is_typed in each staging model's filter), so the rest of the table,
    the system and every other system build. The rejected values are written, one row per value, to
    <raw_schema_prefix>_meta.rejected_rows by the on-run-start hook (write_raw_rejected_rows, called by
    register_raw_sources) and read through stg_raw_meta__rejected_rows and the mart source_rejected_rows; the hook
    logs a warning per value naming the file, the row and the column.

    A rejected row that is corrected at the source is staged by the next ordinary run (loaded_since_last_run):
    re-delivered with a later _loaded_at, it is newer than what staging holds; corrected in place, its load is in
    <raw_schema_prefix>_meta.requeued_loads, and staging re-reads every row loaded at or after that load. A load
    leaves requeued_loads once it has no rejected rows and the table's staging model has built
    (release_requeued_loads, on-run-end). A row whose _loaded_at itself cannot be read has no load to requeue:
    corrected in place to a time at or before what staging holds, it needs
    `dbt build --full-refresh --select <staging model>`.
#}

{% macro raw_primary_key(node) -%}
    {#- The table's meta.primary_key as a list of columns (empty when it declares none). -#}
    {%- set meta = (node.config or {}).get('meta') or node.meta or {} -%}
    {%- set key = meta.get('primary_key') or (node.meta or {}).get('primary_key') -%}
    {{ return([] if not key else ([key] if key is string else key)) }}
{%- endmacro %}


{% macro raw_model_source_node() -%}
    {#- The source node the calling staging model reads (its only source), or none: at parse time, for a model
        without a source, or in a unit test (whose node names the tested model instead). -#}
    {%- if not execute or not graph.get('sources') -%}{{ return(none) }}{%- endif -%}
    {%- set sources = model.get('sources') or [] -%}
    {%- if not sources -%}
        {%- for unique_id in (model.get('depends_on') or {}).get('nodes') or [] if unique_id in (graph.get('nodes') or {}) -%}
            {%- set sources = graph.nodes[unique_id].get('sources') -%}
            {%- if sources -%}{{ return(graph.sources.get('source.' ~ project_name ~ '.' ~ sources[0][0] ~ '.' ~ sources[0][1])) }}{%- endif -%}
        {%- endfor -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(graph.sources.get('source.' ~ project_name ~ '.' ~ sources[0][0] ~ '.' ~ sources[0][1])) }}
{%- endmacro %}


{% macro raw_is_quarantined(node) -%}
    {#- Quarantine covers the source systems' feeds: tables with a primary key and a _loaded_at column. -#}
    {{ return(raw_primary_key(node) | length > 0 and '_loaded_at' in node.columns) }}
{%- endmacro %}


{% macro raw_typed_columns(node) -%}
    {#- Declared columns that are not text: where a value can fail to convert. -#}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- if column.data_type and column.data_type | lower not in ('varchar', 'text', 'string') -%}
            {%- do columns.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}


{% macro raw_reject_reason(data_type) -%}
    {%- set type = data_type | lower -%}
    {%- if type in ('double', 'float', 'real', 'decimal', 'numeric', 'number') or type.startswith('decimal') or type.startswith('number') -%}
        {{ return('not a number') }}
    {%- elif type in ('integer', 'int', 'bigint', 'smallint') -%}
        {{ return('not an integer') }}
    {%- elif type == 'date' -%}
        {{ return('not a date') }}
    {%- elif type.startswith('timestamp') or type == 'datetime' -%}
        {{ return('not a timestamp') }}
    {%- elif type == 'boolean' -%}
        {{ return('not a boolean') }}
    {%- endif -%}
    {{ return('not a ' ~ type) }}
{%- endmacro %}


{% macro raw_is_blank(expr) -%}
    nullif(trim(cast({{ expr }} as varchar)), '') is null
{%- endmacro %}


{% macro raw_value_converts(column) -%}
    {#- SQL condition: the raw value is blank or converts to its column's declared type. The one rule that both
        staging's filter (raw_row_is_typed) and rejected_rows (raw_rejected_rows_sql, its negation) apply. -#}
    ({{ cdp_identity.raw_has_declared_type(column.name, column.data_type) }}
    {{- ' or ' ~ raw_is_blank(column.name) }}
    {{- ' or ' ~ cdp_identity.raw_typed_value(column.name, column.data_type) }} is not null)
{%- endmacro %}


{% macro raw_row_is_typed(node=none) -%}
    {#- SQL condition, for a staging model's first CTE: the raw row has a primary key and every value converts
        to its declared type. node: the source node; default, the model's own (only) source. -#}
    {%- set node = node or raw_model_source_node() -%}
    {%- if node is none or not raw_is_quarantined(node) -%}{{ return('true') }}{%- endif -%}
    {%- set conditions = [] -%}
    {%- for key in raw_primary_key(node) -%}
        {%- do conditions.append('not ' ~ raw_is_blank(key)) -%}
    {%- endfor -%}
    {%- for column in raw_typed_columns(node) -%}
        {%- do conditions.append(raw_value_converts(column)) -%}
    {%- endfor -%}
    {{ conditions | join('\n        and ') }}
{%- endmacro %}


{% macro raw_rejected_rows_sql(node, from_sql, location, row_number_expr) -%}
    {#- One row per rejected value of one raw table: its blank key, or each value that does not convert. -#}
    {%- set keys = raw_primary_key(node) -%}
    {%- set checks = [] -%}
    {%- for key in keys -%}
        {%- do checks.append({'column': key, 'condition': raw_is_blank(key), 'reason': 'blank primary key'}) -%}
    {%- endfor -%}
    {%- set key_parts = [] -%}
    {%- for key in keys -%}
        {%- do key_parts.append("coalesce(cast(" ~ key ~ " as varchar), '')") -%}
    {%- endfor -%}
    {%- for column in raw_typed_columns(node) -%}
        {%- do checks.append({'column': column.name, 'condition': 'not ' ~ raw_value_converts(column),
                              'reason': raw_reject_reason(column.data_type)}) -%}
    {%- endfor -%}
    {%- for check in checks %}
    select
        cast('{{ node.source_name }}' as varchar) as source_system,
        cast('{{ node.name }}' as varchar) as source_table,
        cast('{{ location | replace("'", "''") }}' as varchar) as location,
        substr({{ key_parts | join(" || '|' || ") }}, 1, 200) as row_key,
        cast({{ row_number_expr }} as bigint) as row_number,
        cast('{{ check.column }}' as varchar) as column_name,
        substr(cast({{ check.column }} as varchar), 1, 200) as rejected_value,
        cast('{{ check.reason }}' as varchar) as reject_reason,
        substr(cast(_loaded_at as varchar), 1, 100) as raw_loaded_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at
    from {{ from_sql }}
    where {{ check.condition }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{% macro raw_meta_relation(identifier) -%}
    {%- set prefix = var('raw_schema_prefix', 'raw') -%}
    {%- set database = var('raw_database', target.database) -%}
    {{ return(api.Relation.create(database=database, schema=prefix ~ '_meta', identifier=identifier)) }}
{%- endmacro %}


{% macro write_raw_rejected_rows(entries) -%}
    {#- entries: list of {node, from_sql, location, row_number_expr}, one per present raw table.
        Rebuilds rejected_rows as of this run, adds the loads holding them to requeued_loads, and logs them. -#}
    {%- set rejected = raw_meta_relation('rejected_rows') -%}
    {%- set requeued = raw_meta_relation('requeued_loads') -%}
    {%- do adapter.create_schema(rejected.without_identifier()) -%}
    {%- set parts = [] -%}
    {%- for entry in entries -%}
        {%- do parts.append(raw_rejected_rows_sql(entry.node, entry.from_sql, entry.location, entry.row_number_expr)) -%}
    {%- endfor -%}
    {%- set empty -%}
        select
            cast(null as varchar) as source_system, cast(null as varchar) as source_table,
            cast(null as varchar) as location, cast(null as varchar) as row_key, cast(null as bigint) as row_number,
            cast(null as varchar) as column_name, cast(null as varchar) as rejected_value,
            cast(null as varchar) as reject_reason, cast(null as varchar) as raw_loaded_at,
            cast(null as {{ dbt.type_timestamp() }}) as loaded_at
        where 1 = 0
    {%- endset -%}
    {%- set body = parts | join('\nunion all\n') if parts else empty -%}
    {%- do run_query(
        'create or replace table ' ~ rejected ~ ' as select rejects.*, '
        ~ "cast('" ~ invocation_id ~ "' as varchar) as run_id, "
        ~ "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ ") as seen_at "
        ~ 'from (' ~ body ~ ') as rejects') -%}
    {%- do run_query(
        'create table if not exists ' ~ requeued ~ ' (source_system varchar, source_table varchar, loaded_at '
        ~ dbt.type_timestamp() ~ ')') -%}
    {%- do run_query(
        'insert into ' ~ requeued ~ ' (source_system, source_table, loaded_at) '
        ~ 'select distinct source_system, source_table, loaded_at from ' ~ rejected ~ ' as rejects '
        ~ 'where loaded_at is not null and not exists (select 1 from ' ~ requeued ~ ' as queued '
        ~ 'where queued.source_system = rejects.source_system and queued.source_table = rejects.source_table '
        ~ 'and queued.loaded_at = rejects.loaded_at)') -%}
    {%- do log_raw_rejected_rows(rejected) -%}
{%- endmacro %}


{% macro log_raw_rejected_rows(rejected, limit=50) -%}
    {%- set found = run_query(
        'select source_system, source_table, location, row_key, row_number, column_name, rejected_value, reject_reason '
        ~ 'from ' ~ rejected ~ ' order by source_system, source_table, row_number, row_key, column_name') -%}
    {%- for row in found.rows[:limit] -%}
        {{ log("WARNING quarantined raw row " ~ row[0] ~ "." ~ row[1] ~ ": " ~ row[2]
               ~ (", row " ~ row[4] if row[4] is not none else "") ~ ", key " ~ (row[3] | tojson)
               ~ ", column " ~ row[5] ~ " = " ~ (row[6] | tojson) ~ ": " ~ row[7]
               ~ "; the rest of the table builds (see source_rejected_rows)", info=True) }}
    {%- endfor -%}
    {%- if found.rows | length > limit -%}
        {{ log("WARNING " ~ (found.rows | length - limit) ~ " more quarantined raw values: see source_rejected_rows", info=True) }}
    {%- endif -%}
{%- endmacro %}


{% macro release_requeued_loads(results) -%}
    {#- on-run-end: a requeued load with no rejected row left leaves the queue once its table's staging model has
        built in this invocation (it has then re-read the corrected rows). -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set requeued = raw_meta_relation('requeued_loads') -%}
    {%- set rejected = raw_meta_relation('rejected_rows') -%}
    {%- if adapter.get_relation(database=requeued.database, schema=requeued.schema, identifier=requeued.identifier) is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set built = [] -%}
    {%- for result in results if result.status == 'success' and result.node.resource_type == 'model' -%}
        {%- for source_name, table_name in result.node.sources -%}
            {%- do built.append("'" ~ source_name ~ "." ~ table_name ~ "'") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if built -%}
        {%- set load_key = "source_system || '.' || source_table || '|' || cast(loaded_at as varchar)" -%}
        {%- do run_query(
            'delete from ' ~ requeued ~ " where source_system || '.' || source_table in (" ~ built | join(', ') ~ ') '
            ~ 'and ' ~ load_key ~ ' not in (select ' ~ load_key ~ ' from ' ~ rejected ~ ' where loaded_at is not null)') -%}
        {#- on-run-end: nothing commits after the hooks (a no-op on Snowflake, which autocommits) -#}
        {%- do adapter.commit() -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
