{#-
    A subquery listing the junk (placeholder) values of the given identifier types, read from the
    seed `junk_identifier_values` through ref() so that lineage shows the dependency.
    Values of identifier_type 'any' apply to every type. Use it as `x not in {{ junk_values(['email']) }}`.
    The placeholder text 'null' is added here, not in the seed: dbt's CSV reader loads the text null as a
    missing value on most adapters (Snowflake among them), and a null in a NOT IN list rejects every value.
-#}
{% macro junk_values(identifier_types) -%}
    {%- set types = ([identifier_types] if identifier_types is string else identifier_types) + ['any'] -%}
    (
        select junk_identifier_values.junk_value
        from {{ ref('junk_identifier_values') }} as junk_identifier_values
        where junk_identifier_values.identifier_type in ('{{ types | join("', '") }}')
            and junk_identifier_values.junk_value is not null
        union all
        select 'null' as junk_value
    )
{%- endmacro %}
