{#
    Layer schemas by their own names (staging, intermediate, reference) instead of dbt's default
    <target schema>_<custom schema>; marts stay in the target schema (the working copy; BI tools and exports read
    the published copy, <target schema>_published: macros/publication/publish_marts.sql).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
