{#
    SQL: a name in display case, each word capitalized after any non-letter (space, hyphen, apostrophe):
    "mary-jane o'neil" -> "Mary-Jane O'Neil". Snowflake and most warehouses have initcap(); DuckDB does not.
#}
{% macro cdp_initcap(expr) -%}
    {{ return(adapter.dispatch('cdp_initcap', 'cdp_identity')(expr)) }}
{%- endmacro %}

{% macro default__cdp_initcap(expr) -%}
    initcap({{ expr }})
{%- endmacro %}

{% macro duckdb__cdp_initcap(expr) -%}
    array_to_string(
        list_transform(
            range(1, length({{ expr }}) + 1),
            lambda i: case
                when i = 1 or regexp_matches(substr({{ expr }}, i - 1, 1), '[^[:alpha:]]')
                    then upper(substr({{ expr }}, i, 1))
                else lower(substr({{ expr }}, i, 1))
            end
        ),
        ''
    )
{%- endmacro %}
