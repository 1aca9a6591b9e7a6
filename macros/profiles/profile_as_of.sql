{#
    The "as of" instant of unified_profiles: the end of var run_date (midnight after it), so that everything
    up to and including the run date counts and nothing after it. Windows of N days are the N calendar days
    ending with the run date: [profile_as_of_at() - N days, profile_as_of_at()).
#}

{% macro profile_as_of_date() -%}
    cast('{{ var("run_date") }}' as date)
{%- endmacro %}


{% macro profile_as_of_at() -%}
    {{ dbt.dateadd('day', 1, "cast('" ~ var('run_date') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}


{% macro profile_window_start(days) -%}
    {{ dbt.dateadd('day', -1 * (days - 1), "cast('" ~ var('run_date') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}


{#- SQL: true when the timestamp falls in the N days ending with the run date. -#}
{% macro is_within_profile_window(timestamp_expr, days) -%}
    ({{ timestamp_expr }} >= {{ profile_window_start(days) }} and {{ timestamp_expr }} < {{ profile_as_of_at() }})
{%- endmacro %}
