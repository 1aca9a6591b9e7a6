{#-
    A blocking key over `columns` (joined with '|'), kept only where its block (the records sharing every one of
    the columns) holds at most `var('max_coarse_block_records')` records, and null where any column is null. Used
    in int_identity_match_inputs for keys coarse enough that an uncapped block would make candidate pairs grow with
    the square of the data (a common name's sound, a street in a big city).
-#}
{% macro capped_block_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append(column) -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    case
        when {{ columns | join(' is not null and ') }} is not null
            and count(*) over (partition by {{ columns | join(', ') }}) <= {{ var('max_coarse_block_records') }}
            then {{ dbt.concat(parts) }}
    end
{%- endmacro %}
