{#-
    Re-delivered primary keys: the ingestion tool can write the same record more than once (a
    re-sync, a replayed batch, a later version of the record). Staging keeps exactly one row per
    key: the most recently loaded one (`_loaded_at`), and among rows loaded together the most
    recently modified one (the system's modified timestamp, when it has one).

    Returns the window expression that numbers a key's versions from the latest (1) down; filter
    on it with QUALIFY, which DuckDB and Snowflake both support:

        select * from renamed
        qualify {{ latest_version_row_number('contact_id', ['loaded_at', 'updated_at']) }} = 1

    partition_by: a column or list of columns (the primary key).
    order_by: columns ranked descending, in priority order, nulls last (written out, since the
    engines' defaults differ: Snowflake puts nulls first in a descending sort).
    tie_breaker: the last sort key, for versions equal on every order_by column (the same key loaded at the same
    time and modified at the same time): by default row_hash, a hash of the raw row's whole content
    (raw_row_hash), so the same data keeps the same survivor whatever the order of the rows in the file, on every
    engine.
-#}
{% macro latest_version_row_number(partition_by, order_by, tie_breaker='row_hash') -%}
    {{ return(adapter.dispatch('latest_version_row_number', 'cdp_identity')(partition_by, order_by, tie_breaker)) }}
{%- endmacro %}

{% macro default__latest_version_row_number(partition_by, order_by, tie_breaker='row_hash') -%}
    {%- set partition_columns = [partition_by] if partition_by is string else partition_by -%}
    {%- set order_columns = [order_by] if order_by is string else order_by -%}
    row_number() over (
        partition by {{ partition_columns | join(', ') }}
        order by {{ order_columns | join(' desc nulls last, ') }} desc nulls last
        {%- if tie_breaker %}, {{ tie_breaker }}{% endif %}
    )
{%- endmacro %}


{#-
    A hash of the whole raw row of the model's own source (every declared column, in declaration order), as the
    dedup tie-breaker: the same content gives the same hash on every run and every engine.

        {{ cdp_identity.raw_row_hash() }} as row_hash
-#}
{% macro raw_row_hash() -%}
    {%- set node = cdp_identity.raw_model_source_node() -%}
    {%- if node is none -%}{{ return("md5('')") }}{%- endif -%}
    {%- set parts = [] -%}
    {%- for column in node.columns.values() -%}
        {%- do parts.append("coalesce(cast(" ~ column.name ~ " as varchar), '~null~')") -%}
    {%- endfor -%}
    md5({{ parts | join(" || '|' || ") }})
{%- endmacro %}
