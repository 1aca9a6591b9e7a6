{#- The key of a person-bearing record across systems: '<source system>:<the record's own key>'. Every model that
    names a record (the union of the systems, the profile models joining a system's events to its people, the
    overrides, the tombstones) builds it here. `source_system` is a literal system name or, with
    `system_is_column`, a column holding it. -#}
{% macro identity_record_id(source_system, record_key, system_is_column=false) -%}
    {%- if system_is_column -%}
        {{ dbt.concat([source_system, "':'", record_key]) }}
    {%- else -%}
        {{ dbt.concat(["'" ~ source_system ~ ":'", record_key]) }}
    {%- endif -%}
{%- endmacro %}
