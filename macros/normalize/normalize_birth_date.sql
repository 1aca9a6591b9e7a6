{#-
    Date of birth: null when implausible: before min_date (1900-01-02 by default), after the
    run date (var run_date), or on the junk list (1900-01-01, 1901-01-01, ...: placeholder dates
    entered when the real one was unknown). 1970-01-01 is NOT treated as junk.
-#}
{% macro normalize_birth_date(expr, min_date='1900-01-02') -%}
    {{ return(adapter.dispatch('normalize_birth_date', 'cdp_identity')(expr, min_date)) }}
{%- endmacro %}

{% macro default__normalize_birth_date(expr, min_date='1900-01-02') -%}
    {%- set value = 'cast(' ~ expr ~ ' as date)' -%}
    case
        when {{ value }} < cast('{{ min_date }}' as date) then null
        when {{ value }} > cast('{{ var("run_date") }}' as date) then null
        when cast({{ value }} as {{ dbt.type_string() }}) in {{ cdp_identity.junk_values('date_of_birth') }} then null
        else {{ value }}
    end
{%- endmacro %}
