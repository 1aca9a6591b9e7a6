{#-
    System and identity identifiers (record keys, member IDs, certification IDs, card hashes,
    device and anonymous IDs, app logins): cast to string, trimmed, blank -> null.
    lowercase=true also lowercases (card hashes are lowercase hex; app logins are
    case-insensitive). reject_junk=true (the default) also nulls the placeholders of
    identifier_type 'any' in the junk seed ('-', 'n/a', 'none', ...), so that a placeholder typed
    into an ID field cannot link unrelated people; use reject_junk=false for a model's own
    primary key, which must never be nulled.
-#}
{% macro normalize_id(expr, lowercase=false, reject_junk=true) -%}
    {{ return(adapter.dispatch('normalize_id', 'cdp_identity')(expr, lowercase, reject_junk)) }}
{%- endmacro %}

{% macro default__normalize_id(expr, lowercase=false, reject_junk=true) -%}
    {%- set trimmed = 'trim(cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ '))' -%}
    {%- set value = 'lower(' ~ trimmed ~ ')' if lowercase else trimmed -%}
    {%- set is_junk = 'lower(' ~ trimmed ~ ') in ' ~ cdp_identity.junk_values([]) if reject_junk else 'false' -%}
    case
        when {{ is_junk }} then null
        else nullif({{ value }}, '')
    end
{%- endmacro %}
