{#
    Jaro-Winkler similarity between two strings, from 0 (nothing alike) to 1 (identical).
    DuckDB and Snowflake both have it, on different scales.
#}
{% macro jaro_winkler_similarity(left, right) -%}
    {{ return(adapter.dispatch('jaro_winkler_similarity', 'cdp_identity')(left, right)) }}
{%- endmacro %}

{% macro default__jaro_winkler_similarity(left, right) -%}
    jaro_winkler_similarity({{ left }}, {{ right }})
{%- endmacro %}

{% macro snowflake__jaro_winkler_similarity(left, right) -%}
    (jarowinkler_similarity({{ left }}, {{ right }}) / 100.0)
{%- endmacro %}
