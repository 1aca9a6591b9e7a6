{#
    Snowflake query tags: every statement dbt runs for a node is tagged with the project, the node and the
    invocation, so warehouse cost and query history can be read per model (QUERY_HISTORY.QUERY_TAG).
    A `query_tag` set in a node's config is used instead. The emulator has no session query tags: skipped there.
    Overrides dbt-snowflake's snowflake__set_query_tag / snowflake__unset_query_tag (dispatched from dbt's
    materializations; the root project's version wins).
#}

{% macro cdp_query_tag() -%}
    {%- set configured = config.get('query_tag') -%}
    {%- if configured -%}{{ return(configured) }}{%- endif -%}
    {{ return(tojson({'project': project_name, 'node': model.unique_id, 'resource_type': model.resource_type,
                      'target': target.name, 'invocation_id': invocation_id})) }}
{%- endmacro %}


{% macro snowflake__set_query_tag() -%}
    {%- if is_snowflake_emulator() -%}{{ return(none) }}{%- endif -%}
    {%- set original_query_tag = get_current_query_tag() -%}
    {%- do run_query("alter session set query_tag = '" ~ (cdp_query_tag() | replace("'", "''")) ~ "'") -%}
    {{ return(original_query_tag) }}
{%- endmacro %}


{% macro snowflake__unset_query_tag(original_query_tag) -%}
    {%- if is_snowflake_emulator() -%}{{ return(none) }}{%- endif -%}
    {%- if original_query_tag -%}
        {%- do run_query("alter session set query_tag = '" ~ (original_query_tag | replace("'", "''")) ~ "'") -%}
    {%- else -%}
        {%- do run_query("alter session unset query_tag") -%}
    {%- endif -%}
{%- endmacro %}
