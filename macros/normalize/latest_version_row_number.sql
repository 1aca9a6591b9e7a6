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
-#}
{% macro latest_version_row_number(partition_by, order_by) -%}
    {{ return(adapter.dispatch('latest_version_row_number', 'cdp_identity')(partition_by, order_by)) }}
{%- endmacro %}

{% macro default__latest_version_row_number(partition_by, order_by) -%}
    {%- set partition_columns = [partition_by] if partition_by is string else partition_by -%}
    {%- set order_columns = [order_by] if order_by is string else order_by -%}
    row_number() over (
        partition by {{ partition_columns | join(', ') }}
        order by {{ order_columns | join(' desc nulls last, ') }} desc nulls last
    )
{%- endmacro %}
