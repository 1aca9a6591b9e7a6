{#-
    A timestamp as delivered (a timestamp, a timestamp with time zone, or text) as a naive UTC timestamp, or null
    when it cannot be read as one. Text ending in a UTC offset or Z ('2026-11-05 10:00:00+02:00',
    '2026-11-05T08:00:00Z') is converted to UTC with its offset; text without one is taken as UTC already.

        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at
-#}
{% macro to_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'cdp_identity')(expr)) }}
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expr) -%}
    {#- typeof() is known when the query is planned, so a column that is a timestamp already skips the text path. -#}
    case
        when typeof({{ expr }}) in ('TIMESTAMP', 'TIMESTAMP_NS', 'TIMESTAMP_MS', 'TIMESTAMP_S', 'DATE')
            then try_cast({{ expr }} as timestamp)
        when regexp_matches(cast({{ expr }} as varchar), '\d:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$')
            then timezone('UTC', try_cast(cast({{ expr }} as varchar) as timestamptz))
        else try_cast(cast({{ expr }} as varchar) as timestamp)
    end
{%- endmacro %}

{% macro default__to_utc_timestamp(expr) -%}
    {#- Snowflake: TRY_CAST accepts only text, hence the cast to varchar; TIMESTAMP_TZ keeps the offset. The emulator
        (fakesnow) fails on TRY_CAST to TIMESTAMP_NTZ of text that is not a timestamp: there, text without an offset
        goes through TIMESTAMP_TZ in its session time zone, UTC. -#}
    case
        when regexp_like(
                cast({{ expr }} as varchar), '.*[0-9]:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? *([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)'
            )
            then cast(convert_timezone('UTC', try_cast(cast({{ expr }} as varchar) as timestamp_tz)) as timestamp_ntz)
    {%- if cdp_identity.is_snowflake_emulator() %}
        else cast(try_cast(cast({{ expr }} as varchar) as timestamp_tz) as timestamp_ntz)
    {%- else %}
        else try_cast(cast({{ expr }} as varchar) as timestamp_ntz)
    {%- endif %}
    end
{%- endmacro %}


{#-
    A raw value as its declared type, or null when it cannot be read as one (or is blank). Staging types raw
    columns with it after quarantine has set aside the rows holding a value that does not convert
    (raw_row_is_typed), so a null here is a value that was null or blank at the source.
-#}
{% macro raw_typed_value(expr, data_type) -%}
    {%- set type = data_type | lower -%}
    {%- if type in ('timestamp', 'timestamp_ntz', 'datetime') -%}
        {{ cdp_identity.to_utc_timestamp(expr) }}
    {%- elif type in ('varchar', 'text', 'string') -%}
        cast({{ expr }} as varchar)
    {%- else -%}
        {{ return(adapter.dispatch('raw_try_cast', 'cdp_identity')(expr, data_type)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__raw_try_cast(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}

{% macro default__raw_try_cast(expr, data_type) -%}
    {#- Snowflake's TRY_CAST accepts only string input. -#}
    try_cast(cast({{ expr }} as varchar) as {{ data_type }})
{%- endmacro %}


{#-
    SQL condition, true when the raw value's column already has the declared type (then no value can fail to
    convert). DuckDB knows a column's type when it plans the query, so the check costs nothing per row; elsewhere
    it is false and every value is checked.
-#}
{% macro raw_has_declared_type(expr, data_type) -%}
    {{ return(adapter.dispatch('raw_has_declared_type', 'cdp_identity')(expr, data_type)) }}
{%- endmacro %}

{% macro duckdb__raw_has_declared_type(expr, data_type) -%}
    typeof({{ expr }}) = '{{ data_type | upper }}'
{%- endmacro %}

{% macro default__raw_has_declared_type(expr, data_type) -%}
    false
{%- endmacro %}
