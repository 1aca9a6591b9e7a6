{#
    The "as of" instant of profiles, insights and activation: the end of var run_date (midnight after it), so
    that everything up to and including the run date counts and nothing after it. Windows of N days are the N
    calendar days ending with the run date: [as_of_window_start(N), as_of_at()).
#}

{% macro as_of_date() -%}
    cast('{{ var("run_date") }}' as date)
{%- endmacro %}


{% macro as_of_at() -%}
    {{ dbt.dateadd('day', 1, "cast('" ~ var('run_date') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}


{% macro as_of_window_start(days) -%}
    {{ dbt.dateadd('day', -1 * (days - 1), "cast('" ~ var('run_date') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}


{#- SQL: true when the timestamp falls in the N days ending with the run date. -#}
{% macro is_within_as_of_window(timestamp_expr, days) -%}
    ({{ timestamp_expr }} >= {{ as_of_window_start(days) }} and {{ timestamp_expr }} < {{ as_of_at() }})
{%- endmacro %}
