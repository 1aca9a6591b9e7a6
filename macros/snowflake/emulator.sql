{#
    The Snowflake emulator `make test-snowflake` runs on (fakesnow, on loopback) lacks some things dbt-snowflake
    relies on; each override below changes behaviour on the emulator only and is dbt-snowflake's own SQL elsewhere:
    - TEMPORARY tables qualified with a database (incremental models' staging tables): made TRANSIENT there;
    - TEMPORARY views (the staging view of a merge): plain views there;
    - MERGE inside BEGIN ... COMMIT: DML runs without the explicit transaction there;
    - MERGE ... INSERT VALUES with bare column names (ambiguous to the emulator): qualified with the source
      alias there;
    - column comments set several to one ALTER statement (persist_docs): one statement per column there;
    - comments holding an apostrophe fail there: written with a typographic apostrophe (’) there.
#}

{% macro is_snowflake_emulator() -%}
    {{ return(target.type == 'snowflake' and (target.host or '') in ('localhost', '127.0.0.1')) }}
{%- endmacro %}


{% macro snowflake__create_table_temporary_sql(relation, compiled_code) -%}
    {%- if is_snowflake_emulator() -%}
        {{ snowflake__create_table_transient_sql(relation, compiled_code) }}
    {%- else -%}
        {{ dbt.snowflake__create_table_temporary_sql(relation, compiled_code) }}
    {%- endif -%}
{%- endmacro %}


{% macro snowflake__create_view_as_with_temp_flag(relation, sql, is_temporary=False) -%}
    {{ return(dbt.snowflake__create_view_as_with_temp_flag(relation, sql, is_temporary and not is_snowflake_emulator())) }}
{%- endmacro %}


{% macro snowflake__get_merge_sql(target, source_sql, unique_key, dest_columns, incremental_predicates=none) -%}
    {#- On the emulator: dbt's default merge, with the INSERT VALUES list qualified by DBT_INTERNAL_SOURCE and
        no explicit transaction around it. -#}
    {%- if not is_snowflake_emulator() -%}
        {{ return(dbt.snowflake__get_merge_sql(target, source_sql, unique_key, dest_columns, incremental_predicates)) }}
    {%- endif -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute='name')) -%}
    {%- if unique_key is none -%}
        {%- set dml -%}
        insert into {{ target }} ({{ dest_cols_csv }}) (select {{ dest_cols_csv }} from {{ source_sql }})
        {%- endset -%}
        {{ return(dml) }}
    {%- endif -%}
    {%- set predicates = [] if incremental_predicates is none else [] + incremental_predicates -%}
    {%- set update_columns = get_merge_update_columns(config.get('merge_update_columns'),
                                                      config.get('merge_exclude_columns'), dest_columns) -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- for key in keys -%}
        {%- do predicates.append('DBT_INTERNAL_SOURCE.' ~ key ~ ' = DBT_INTERNAL_DEST.' ~ key) -%}
    {%- endfor -%}
    {%- set source_columns = [] -%}
    {%- for name in dest_columns | map(attribute='name') -%}
        {%- do source_columns.append('DBT_INTERNAL_SOURCE.' ~ adapter.quote(name)) -%}
    {%- endfor -%}
    {%- set dml -%}
    merge into {{ target }} as DBT_INTERNAL_DEST
        using {{ source_sql }} as DBT_INTERNAL_SOURCE
        on ({{ predicates | join(') and (') }})
    {%- if update_columns %}
    when matched then update set
        {% for column_name in update_columns -%}
            {{ column_name }} = DBT_INTERNAL_SOURCE.{{ column_name }}{{ ', ' if not loop.last }}
        {%- endfor %}
    {%- endif %}
    when not matched then insert ({{ dest_cols_csv }})
    values ({{ source_columns | join(', ') }})
    {%- endset -%}
    {{ return(dml) }}
{%- endmacro %}


{% macro snowflake__alter_column_comment(relation, column_dict) -%}
    {%- if not is_snowflake_emulator() -%}
        {{ return(dbt.snowflake__alter_column_comment(relation, column_dict)) }}
    {%- endif -%}
    {%- set existing_columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- for name in existing_columns -%}
        {%- set documented = column_dict.get(name | lower) or column_dict.get(name) or {} -%}
        {%- if documented.get('description') -%}
            {%- do run_query('alter table ' ~ relation.render() ~ ' alter ' ~ adapter.quote(name) ~ ' comment $$'
                             ~ documented['description'] | replace('$', '[$]') | replace("'", "’") ~ '$$') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('select 1 as column_comments_set') }}
{%- endmacro %}


{% macro snowflake__alter_relation_comment(relation, relation_comment) -%}
    {%- if is_snowflake_emulator() -%}
        {{ return(dbt.snowflake__alter_relation_comment(relation, relation_comment | replace("'", "’"))) }}
    {%- endif -%}
    {{ return(dbt.snowflake__alter_relation_comment(relation, relation_comment)) }}
{%- endmacro %}
