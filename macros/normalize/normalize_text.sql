{#-
    Free text that reaches a mart (street, city): control characters (NUL among them) and zero-width
    characters removed, every run of whitespace made one space, trimmed; any run of 13 or more digits
    (optionally separated by single spaces, dots or hyphens), the shape of a payment card number, replaced by
    '[card number removed]' (no address holds such a run, Luhn-valid or not, so no Luhn check is needed here);
    blank -> null; null when longer than max_value_length('text') (200) characters.
-#}
{% macro normalize_text(expr) -%}
    {{ return(adapter.dispatch('normalize_text', 'cdp_identity')(expr)) }}
{%- endmacro %}

{% macro default__normalize_text(expr) -%}
    {%- set squished = cdp_identity.squish_text('cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ ')') -%}
    case
        when length({{ squished }}) > {{ cdp_identity.max_value_length('text') }} then null
        else nullif({{ cdp_identity.regexp_replace_all(
            squished, '[0-9]([ .-]?[0-9]){12,}', cdp_identity.card_number_marker()
        ) }}, '')
    end
{%- endmacro %}
