{#-
    Portable regular expressions.

    Patterns passed to these macros must be written without backslashes (use `[0-9]`, `[.]`,
    `[[:space:]]`, ...): Snowflake treats a backslash in a string literal as an escape character
    and DuckDB does not, so a backslash-free pattern means the same thing on both engines.
-#}

{#- True when the whole of `expr` matches `pattern` (anchored at both ends on every engine). -#}
{% macro regexp_is_match(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_is_match', 'cdp_identity')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_is_match(expr, pattern) -%}
    regexp_like({{ expr }}, '^({{ pattern }})$')
{%- endmacro %}

{% macro duckdb__regexp_is_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro snowflake__regexp_is_match(expr, pattern) -%}
    {#- Snowflake's regexp_like always matches the whole subject. -#}
    regexp_like({{ expr }}, '{{ pattern }}')
{%- endmacro %}


{#- Replace every match of `pattern` in `expr` (DuckDB replaces only the first without the 'g' option). -#}
{% macro regexp_replace_all(expr, pattern, replacement='') -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'cdp_identity')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro duckdb__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro snowflake__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
