{#
    On-run-start hook: make sure the review desk's decisions table (source review.identity_override_decisions,
    where var review_database / review_schema put it) exists, empty and with the columns the source declares, so
    that stg_review__identity_override_decisions always has a table to read. An existing table is left as it is:
    it holds the reviewers' decisions. The table is the project's own (never a raw, ingestion-owned schema).
#}

{% macro create_review_decisions_table() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.review.identity_override_decisions') -%}
    {%- if node is none -%}{{ return('') }}{%- endif -%}
    {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.identifier) -%}
    {%- if adapter.get_relation(database=relation.database, schema=relation.schema,
                                identifier=relation.identifier) is none -%}
        {%- set columns = [] -%}
        {%- for column in node.columns.values() -%}
            {%- do columns.append(column.name ~ ' ' ~ column.data_type) -%}
        {%- endfor -%}
        {%- do adapter.create_schema(relation.without_identifier()) -%}
        {%- do run_query('create table if not exists ' ~ relation ~ ' (' ~ columns | join(', ') ~ ')') -%}
        {{ log("review decisions: created the empty table " ~ relation ~ " (the review desk writes there on a "
               ~ "warehouse)", info=True) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
