{#-
    Incremental staging: a raw table is append-only (the ingestion tool adds rows, each stamped `_loaded_at`), so
    a staging model built before reads only the rows loaded after the latest load it already holds, and its
    unique key replaces the earlier version of a re-delivered record. A full build reads everything; both give the
    latest version of every key (latest_version_row_number ranks by load time first).

    Load times are compared in UTC: `_loaded_at` delivered as text with an offset ('...+02:00', '...Z') is
    converted with it (to_utc_timestamp), so a row loaded after the last run is never taken for an older one.

    Quarantined rows corrected in place: a load that held a row quarantined at an earlier run (a value that did not
    convert, a blank key; macros/raw/quarantine.sql) is listed in <raw_schema_prefix>_meta.requeued_loads until a
    run has staged it with no row left in quarantine. While it is listed, an incremental run reads every row loaded
    at or after the earliest such load of its table, not only the rows after the watermark. Every later version of
    a key is then read too, so the latest version still wins (an older version never replaces a newer one), exactly
    as in a full build of those rows. A corrected row re-delivered with a later `_loaded_at` needs none of this.

    Rows loaded with a time at or before that watermark (a backfill of old data) are otherwise not seen by an
    incremental run: rebuild the model with `dbt build --full-refresh --select <model>` after one.

    A SQL condition (`true` on a full build), for the model's first CTE:

        select * from {{ source('web', 'event') }}
        where {{ cdp_identity.loaded_since_last_run() }}
-#}
{% macro loaded_since_last_run(raw_column='_loaded_at', staged_column='loaded_at') -%}
    {%- if is_incremental() -%}
        {%- set loaded_at = cdp_identity.to_utc_timestamp(raw_column) -%}
        ({{ loaded_at }} > (
            select coalesce(max({{ staged_column }}), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }}
        )
        {%- set node = cdp_identity.raw_model_source_node() -%}
        {%- if node is not none %}
            or {{ loaded_at }} >= (
                select min(loaded_at) from {{ cdp_identity.raw_meta_relation('requeued_loads') }}
                where source_system = '{{ node.source_name }}' and source_table = '{{ node.name }}'
            )
        {%- endif -%}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
