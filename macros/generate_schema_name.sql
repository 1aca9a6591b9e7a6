{#
    Layer schemas by their own names (staging, intermediate, reference) instead of dbt's default
    <target schema>_<custom schema>; marts stay in the target schema, where BI tools look.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
