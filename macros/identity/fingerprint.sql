{#
    Order-free fingerprints of a group of rows: a 64-bit hash of each row's columns, combined with XOR, so a
    group's fingerprint changes when any row is added, removed or changed (and not when rows are reordered).
#}
{% macro cdp_row_hash(columns) -%}
    {{ return(adapter.dispatch('cdp_row_hash', 'cdp_identity')(columns)) }}
{%- endmacro %}

{% macro default__cdp_row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro cdp_bit_xor_agg(expression) -%}
    {{ return(adapter.dispatch('cdp_bit_xor_agg', 'cdp_identity')(expression)) }}
{%- endmacro %}

{% macro default__cdp_bit_xor_agg(expression) -%}
    bit_xor({{ expression }})
{%- endmacro %}

{% macro snowflake__cdp_bit_xor_agg(expression) -%}
    bitxor_agg({{ expression }})
{%- endmacro %}

{#
    The fingerprint of an identifier group's deterministic edges (`groups`: a relation or alias of
    int_identity_identifier_groups__guarded): its members, its guard status and the vars the edges follow. The
    incremental deterministic edges redo the groups whose fingerprint they do not hold, and drop the rows of
    fingerprints no group has any more.
#}
{% macro deterministic_group_fingerprint(groups) -%}
    {%- set policy = local_md5(tojson([var('deterministic_identifier_types'), var('guard_nameless_min_share')])) -%}
    {{ cdp_identity.cdp_row_hash([groups ~ '.member_fingerprint', groups ~ '.guard_status', "'" ~ policy ~ "'"]) }}
{%- endmacro %}
