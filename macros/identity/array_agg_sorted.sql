{#
    An array of the group's values, in ascending order (so that results are deterministic).
#}
{% macro cdp_array_agg_sorted(expression) -%}
    {{ return(adapter.dispatch('cdp_array_agg_sorted', 'cdp_identity')(expression)) }}
{%- endmacro %}

{% macro default__cdp_array_agg_sorted(expression) -%}
    array_agg({{ expression }} order by {{ expression }})
{%- endmacro %}

{% macro snowflake__cdp_array_agg_sorted(expression) -%}
    array_agg({{ expression }}) within group (order by {{ expression }})
{%- endmacro %}

