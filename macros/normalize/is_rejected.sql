{#-
    True when the raw value was present (not null, not blank) but its normalization returned
    null: the value was invalid or a placeholder. This is how rejected values are counted rather
    than silently lost. Always true or false, never null.
-#}
{% macro is_rejected(raw_expr, normalized_expr) -%}
    {{ return(adapter.dispatch('is_rejected', 'cdp_identity')(raw_expr, normalized_expr)) }}
{%- endmacro %}

{% macro default__is_rejected(raw_expr, normalized_expr) -%}
    (
        coalesce(trim(cast({{ raw_expr }} as {{ dbt.type_string() }})), '') <> ''
        and {{ normalized_expr }} is null
    )
{%- endmacro %}
