{#-
    System and identity identifiers (record keys, member IDs, certification IDs, card hashes,
    device and anonymous IDs, app logins): cast to string, control and zero-width characters removed,
    whitespace of any kind (tabs, CR/LF, no-break spaces) trimmed from both ends, blank -> null.
    lowercase=true also lowercases (card hashes are lowercase hex; app logins are
    case-insensitive). reject_junk=true (the default) also nulls the placeholders of
    identifier_type 'any' in the junk seed ('-', 'n/a', 'none', ...), so that a placeholder typed
    into an ID field cannot link unrelated people, and values longer than
    max_value_length('identifier') (255); use reject_junk=false for a model's own primary key,
    which must never be nulled.
-#}
{% macro normalize_id(expr, lowercase=false, reject_junk=true) -%}
    {{ return(adapter.dispatch('normalize_id', 'cdp_identity')(expr, lowercase, reject_junk)) }}
{%- endmacro %}

{% macro _id_cleaned(expr) -%}
    {{ cdp_identity.strip_invisible('cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ ')') }}
{%- endmacro %}

{% macro default__normalize_id(expr, lowercase=false, reject_junk=true) -%}
    {%- set trimmed = cdp_identity._id_cleaned(expr) -%}
    {%- set value = 'lower(' ~ trimmed ~ ')' if lowercase else trimmed -%}
    {%- if reject_junk -%}
    case
        when lower({{ trimmed }}) in {{ cdp_identity.junk_values([]) }} then null
        when length({{ trimmed }}) > {{ cdp_identity.max_value_length('identifier') }} then null
        else nullif({{ value }}, '')
    end
    {%- else -%}
    nullif({{ value }}, '')
    {%- endif -%}
{%- endmacro %}
