{#
    Make every raw feed declared in the source YAML available as a relation, before any model runs.

    DuckDB: each source table is a view over <raw_data_path>/<system>/<table>.parquet.
    Warehouses (Snowflake): the ingestion tool loads the raw tables, and the project writes nothing into its raw
    schemas: an absent table gets an empty placeholder view in the project's own schema
    <target schema>_raw_placeholders, which source() reads instead (macros/raw/source.sql); a table lacking a
    declared column stops the run (see default__register_raw_sources).

    What bad raw input gets (documented in README "Raw feeds" and tested in tests/python/test_raw_feeds.py):
    - absent file or table (a feed that does not exist yet): an empty view with the declared, typed columns,
      so the system builds as empty and the project still builds;
    - empty (zero-byte) file: the same as absent, with a warning;
    - file lacking a column marked `meta.required`: a compilation error naming the file and the column;
    - file lacking an optional column: the column is added as a typed null, with a warning;
    - file with extra columns: they are ignored, with a notice naming them;
    - a column of another type: passed through as delivered; staging types it, and a row holding a value that
      does not convert (or a blank primary key) is quarantined (macros/raw/quarantine.sql).
    Every outcome is written to the relation <raw_schema_prefix>_meta.feed_status; quarantined values to
    <raw_schema_prefix>_meta.rejected_rows.

    Why a hook and not dbt-duckdb's external sources (`meta.external_location`, which renders source() as
    read_parquet(...)): that reads the file where staging selects from it, so an absent feed fails the model
    ("IO Error: No files found that match the pattern"), a zero-byte file fails it ("too small to be a Parquet
    file"), a missing optional column fails it ("Binder Error: Referenced column ... not found") instead of
    becoming a typed null, and nothing records the outcome in feed_status. The checks below are what those cases
    need: three queries for all files (which exist, their sizes, their columns) and one view per feed.
#}

{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources', 'cdp_identity')()) }}
{%- endmacro %}


{% macro raw_source_nodes() -%}
    {#- The project's raw feeds, in a stable order: its sources but raw_meta (this hook's bookkeeping) and review
        (the review desk's decisions, create_review_decisions_table). -#}
    {%- set nodes = [] -%}
    {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- if node.package_name == project_name and node.source_name not in ('raw_meta', 'review') -%}
            {%- do nodes.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(nodes) }}
{%- endmacro %}


{% macro raw_file_path(node) -%}
    {#- <raw_data_path>/<system>/<table>.parquet, or <var named by the source's meta.location_var>/<table>.parquet -#}
    {%- set location_var = (node.meta or {}).get('location_var') or (node.source_meta or {}).get('location_var') -%}
    {%- if location_var -%}
        {{ return((var(location_var) | string).rstrip('/') ~ '/' ~ node.identifier ~ '.parquet') }}
    {%- endif -%}
    {{ return((var('raw_data_path') | string).rstrip('/') ~ '/' ~ node.source_name ~ '/' ~ node.identifier ~ '.parquet') }}
{%- endmacro %}


{% macro raw_column_is_required(column) -%}
    {%- set meta = column.get('meta') or {} -%}
    {%- set config_meta = (column.get('config') or {}).get('meta') or {} -%}
    {{ return(meta.get('required', false) or config_meta.get('required', false)) }}
{%- endmacro %}


{% macro raw_empty_select(node) -%}
    select
    {%- for column in node.columns.values() %}
        cast(null as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
    {%- endfor %}
    where 1 = 0
{%- endmacro %}


{% macro raw_compare_columns(node, location, delivered, missing_is_error=false) -%}
    {#- The source's declared columns against the delivered ones (a list of names, any case). Returns
        {select_list: declared columns in declared order, each the delivered column or a typed null,
         missing: declared columns not delivered, ignored: delivered columns not declared}.
        A missing required column (or, with missing_is_error, any missing column) stops the run naming both. -#}
    {%- set by_lower = {} -%}
    {%- for name in delivered -%}{%- do by_lower.update({name | lower: name}) -%}{%- endfor -%}
    {%- set result = {'select_list': [], 'missing': [], 'ignored': []} -%}
    {%- for column in node.columns.values() -%}
        {%- if column.name | lower in by_lower -%}
            {%- do result.select_list.append('"' ~ by_lower[column.name | lower] ~ '" as ' ~ column.name) -%}
        {%- else -%}
            {%- do result.missing.append(column.name) -%}
            {%- do result.select_list.append('cast(null as ' ~ column.data_type ~ ') as ' ~ column.name) -%}
            {%- if raw_column_is_required(column) and not missing_is_error -%}
                {%- do exceptions.raise_compiler_error(
                    "Raw file " ~ location ~ " has no column '" ~ column.name ~ "', which source "
                    ~ node.source_name ~ "." ~ node.name ~ " requires (meta.required in "
                    ~ node.original_file_path ~ "). Fix the export or the source definition.") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing_is_error and result.missing -%}
        {%- set described = [] -%}
        {%- for name in result.missing -%}
            {%- do described.append(name ~ (' (required)' if raw_column_is_required(node.columns[name]) else '')) -%}
        {%- endfor -%}
        {%- do exceptions.raise_compiler_error(
            "Raw table " ~ location ~ " has no column(s) " ~ described | join(', ') ~ ", which source "
            ~ node.source_name ~ "." ~ node.name ~ " declares (" ~ node.original_file_path
            ~ "). Load them (a column of nulls will do for an optional one) or fix the source definition.") -%}
    {%- endif -%}
    {%- set declared = node.columns.keys() | map('lower') | list -%}
    {%- for name in by_lower.keys() | sort if name not in declared -%}
        {%- do result.ignored.append(by_lower[name]) -%}
    {%- endfor -%}
    {%- if result.missing -%}
        {{ log("WARNING raw feed " ~ node.source_name ~ "." ~ node.name ~ ": " ~ location ~ " lacks optional column(s) "
               ~ result.missing | join(', ') ~ "; filled with null", info=True) }}
    {%- endif -%}
    {%- if result.ignored -%}
        {{ log("raw feed " ~ node.source_name ~ "." ~ node.name ~ ": " ~ location ~ " has undeclared column(s) "
               ~ result.ignored | join(', ') ~ "; ignored", info=True) }}
    {%- endif -%}
    {{ return(result) }}
{%- endmacro %}


{% macro raw_feed_status_sql(statuses) -%}
    {#- statuses: list of dicts; rendered as a portable union of literal rows. -#}
    {%- set cols = ['source_system', 'source_table', 'location', 'feed_status', 'missing_columns', 'ignored_columns'] -%}
    {%- for s in statuses %}
    select
        {%- for c in cols %}
        cast({{ "'" ~ (s[c] | replace("'", "''")) ~ "'" if s[c] else 'null' }} as varchar) as {{ c }}{{ "," }}
        {%- endfor %}
        {{ s['columns_declared'] }} as columns_declared
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{% macro write_raw_feed_status(statuses) -%}
    {%- set prefix = var('raw_schema_prefix', 'raw') -%}
    {%- set database = var('raw_database', target.database) -%}
    {%- set meta_schema = api.Relation.create(database=database, schema=prefix ~ '_meta') -%}
    {%- do adapter.create_schema(meta_schema) -%}
    {%- set relation = api.Relation.create(database=database, schema=prefix ~ '_meta', identifier='feed_status') -%}
    {%- if statuses | length > 0 -%}
        {%- do run_query('create or replace view ' ~ relation ~ ' as ' ~ raw_feed_status_sql(statuses)) -%}
    {%- endif -%}
{%- endmacro %}


{% macro raw_parquet_files(paths) -%}
    {#- {path: [its column names]} for every path that is a non-empty file, and {path: none} for a zero-byte one;
        an absent path is left out. Three queries for all feeds: which exist, their sizes, their columns. -#}
    {%- set files = {} -%}
    {%- set globs = [] -%}
    {%- for path in paths -%}
        {%- do globs.append("select file from glob('" ~ path | replace("'", "''") ~ "')") -%}
    {%- endfor -%}
    {%- set present = run_query(globs | join(' union all ')).columns[0].values() if globs else [] -%}
    {%- if present | length == 0 -%}{{ return(files) }}{%- endif -%}
    {%- set quoted = [] -%}
    {%- for path in present -%}{%- do quoted.append("'" ~ path | replace("'", "''") ~ "'") -%}{%- endfor -%}
    {%- set non_empty = [] -%}
    {%- for row in run_query('select filename, size from read_blob([' ~ quoted | join(', ') ~ '])').rows -%}
        {%- do files.update({row[0]: none}) -%}
        {%- if row[1] > 0 -%}{%- do non_empty.append("'" ~ row[0] | replace("'", "''") ~ "'") -%}{%- endif -%}
    {%- endfor -%}
    {%- if non_empty -%}
        {#- parquet_schema lists the schema root (with its number of children) and then each column, in order -#}
        {%- set columns = run_query(
            'select file_name, name from parquet_schema([' ~ non_empty | join(', ') ~ ']) '
            ~ 'where num_children is null') -%}
        {%- for row in columns.rows -%}
            {%- do files.update({row[0]: (files[row[0]] or []) + [row[1]]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(files) }}
{%- endmacro %}


{% macro duckdb__register_raw_sources() -%}
    {#- Each source table becomes a view: over its Parquet file (declared columns in declared order, a missing
        optional one as a typed null), or, when the file is absent or zero bytes, an empty typed select. -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set nodes = raw_source_nodes() -%}
    {%- set paths = [] -%}
    {%- for node in nodes -%}{%- do paths.append(raw_file_path(node)) -%}{%- endfor -%}
    {%- set files = raw_parquet_files(paths) -%}
    {%- set schemas = [] -%}
    {%- for node in nodes if node.schema not in schemas -%}
        {%- do schemas.append(node.schema) -%}
        {%- do adapter.create_schema(api.Relation.create(database=node.database, schema=node.schema)) -%}
    {%- endfor -%}
    {%- set statuses = [] -%}
    {%- set quarantined = [] -%}
    {%- for node in nodes -%}
        {%- set path = paths[loop.index0] -%}
        {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.identifier) -%}
        {%- set status = {'source_system': node.source_name, 'source_table': node.name, 'location': path,
                          'feed_status': 'present', 'missing_columns': none, 'ignored_columns': none,
                          'columns_declared': node.columns | length} -%}
        {%- if files.get(path) -%}
            {%- set checked = raw_compare_columns(node, path, files[path]) -%}
            {%- do status.update({'missing_columns': checked.missing | join(', '),
                                  'ignored_columns': checked.ignored | join(', ')}) -%}
            {%- set columns = checked.select_list | join(', ') -%}
            {%- set body = 'select ' ~ columns ~ " from read_parquet('" ~ path ~ "')" -%}
            {%- if raw_is_quarantined(node) -%}
                {%- do quarantined.append({'node': node, 'location': path, 'row_number_expr': 'file_row_number + 1',
                    'from_sql': '(select ' ~ columns ~ ", file_row_number from read_parquet('" ~ path
                                ~ "', file_row_number = true)) as raw_rows"}) -%}
            {%- endif -%}
        {%- else -%}
            {%- do status.update({'feed_status': 'absent' if path not in files else 'empty_file'}) -%}
            {%- if path in files -%}
                {{ log("WARNING raw feed " ~ node.source_name ~ "." ~ node.name ~ ": " ~ path ~ " is a zero-byte file; built as empty", info=True) }}
            {%- endif -%}
            {%- set body = raw_empty_select(node) -%}
        {%- endif -%}
        {%- do run_query('create or replace view ' ~ relation ~ ' as ' ~ body) -%}
        {%- do statuses.append(status) -%}
    {%- endfor -%}
    {%- do log_absent_raw_feeds(statuses) -%}
    {%- do write_raw_feed_status(statuses) -%}
    {%- do write_raw_rejected_rows(quarantined) -%}
    {{ return('') }}
{%- endmacro %}


{% macro log_absent_raw_feeds(statuses) -%}
    {#- One line per system, so a missing system is said once and plainly. -#}
    {%- set absent = {} -%}
    {%- for s in statuses if s['feed_status'] == 'absent' -%}
        {%- do absent.setdefault(s['source_system'], []).append(s['source_table']) -%}
    {%- endfor -%}
    {%- for system, tables in absent.items() -%}
        {{ log("raw feed " ~ system ~ ": no data for " ~ tables | join(', ') ~ "; raw tables empty (staging keeps the rows it already loaded until a --full-refresh)", info=True) }}
    {%- endfor -%}
{%- endmacro %}


{% macro default__register_raw_sources() -%}
    {#- Warehouses (Snowflake): raw tables are loaded by the ingestion tool into <raw_database>.<prefix>_<system>,
        schemas the project never writes into. A feed whose table does not exist yet gets an empty view with the
        declared columns in the project's own schema (raw_placeholder_relation), which source() then reads: the
        system builds as empty, as on DuckDB.
        A table lacking a declared column stops the run with an error naming it: unlike a file on DuckDB, a
        loader's table is not the project's to reshape, and the loader (or an ALTER TABLE ... ADD COLUMN) fixes it. -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set statuses = [] -%}
    {%- set quarantined = [] -%}
    {%- for node in raw_source_nodes() -%}
        {%- set existing = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.identifier) -%}
        {%- set status = {'source_system': node.source_name, 'source_table': node.name,
                          'location': node.database ~ '.' ~ node.schema ~ '.' ~ node.identifier,
                          'missing_columns': none, 'ignored_columns': none,
                          'columns_declared': node.columns | length} -%}
        {%- if existing is none -%}
            {%- set relation = raw_placeholder_relation(node.source_name, node.name) -%}
            {%- do adapter.create_schema(relation.without_identifier()) -%}
            {%- do run_query('create or replace view ' ~ relation ~ ' as ' ~ raw_empty_select(node)) -%}
            {%- do status.update({'feed_status': 'absent'}) -%}
        {%- elif existing.is_view and run_query('select count(*) from ' ~ existing).columns[0].values()[0] == 0 -%}
            {#- the empty view that runs before the placeholders schema made in the raw schema for an absent feed
                (loaders land tables, not views): left as it is, and still absent -#}
            {%- do status.update({'feed_status': 'absent'}) -%}
        {%- else -%}
            {%- set delivered = adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list -%}
            {%- set checked = raw_compare_columns(node, existing, delivered, missing_is_error=true) -%}
            {%- do status.update({'feed_status': 'present', 'ignored_columns': checked.ignored | join(', ')}) -%}
            {%- if raw_is_quarantined(node) -%}
                {%- do quarantined.append({'node': node, 'location': status['location'], 'row_number_expr': 'null',
                                           'from_sql': existing}) -%}
            {%- endif -%}
        {%- endif -%}
        {%- do statuses.append(status) -%}
    {%- endfor -%}
    {%- do log_absent_raw_feeds(statuses) -%}
    {%- do write_raw_feed_status(statuses) -%}
    {%- do write_raw_rejected_rows(quarantined) -%}
    {{ return('') }}
{%- endmacro %}
