{#-
    Incremental staging: a raw table is append-only (the ingestion tool adds rows, each stamped `_loaded_at`), so
    a staging model built before reads only the rows loaded after the latest load it already holds, and its
    unique key replaces the earlier version of a re-delivered record. A full build reads everything; both give the
    latest version of every key (latest_version_row_number ranks by load time first).

    Rows loaded with a time at or before that watermark (a backfill of old data) are not seen by an incremental run:
    rebuild the model with `dbt build --full-refresh --select <model>` after one.

    A SQL condition (`true` on a full build), for the model's first CTE:

        select * from {{ source('web', 'event') }}
        where {{ cdp_identity.loaded_since_last_run() }}
-#}
{% macro loaded_since_last_run(raw_column='_loaded_at', staged_column='loaded_at') -%}
    {%- if is_incremental() -%}
        cast({{ raw_column }} as {{ dbt.type_timestamp() }}) > (
            select coalesce(max({{ staged_column }}), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
