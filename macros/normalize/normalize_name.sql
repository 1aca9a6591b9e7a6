{#-
    Person name (first or last): control characters (NUL among them) removed, every run of whitespace (tabs,
    line breaks, no-break spaces) made one space, lowercased, accents stripped, apostrophes removed (o'brien ->
    obrien), hyphens, underscores and dots turned into spaces, other punctuation removed,
    whitespace collapsed and trimmed. Null when nothing is left, when the value holds a digit or
    an @ (an ID, an email or a card number typed in the wrong field), when it is longer than
    max_value_length('name') (100) characters, or when it is on the junk list (unknown,
    n/a, test, none, null, -, x, xxx, ...; compared with and without its inner spaces, so "N.A."
    is caught as well).
-#}
{% macro normalize_name(expr) -%}
    {{ return(adapter.dispatch('normalize_name', 'cdp_identity')(expr)) }}
{%- endmacro %}

{% macro default__normalize_name(expr) -%}
    {%- set squished = cdp_identity.squish_text(expr) -%}
    {%- set lowered = 'lower(' ~ squished ~ ')' -%}
    {%- set cleaned -%}
        trim({{ cdp_identity.regexp_replace_all(
            cdp_identity.regexp_replace_all(
                cdp_identity.regexp_replace_all(
                    cdp_identity.regexp_replace_all(
                        cdp_identity.strip_accents(lowered),
                        "[''`´‘’ʼ]"
                    ),
                    '[-_.]',
                    ' '
                ),
                '[[:punct:]]'
            ),
            '[[:space:]]+',
            ' '
        ) }})
    {%- endset -%}
    {%- set junk = cdp_identity.junk_values('name') -%}
    case
        when length({{ squished }}) > {{ cdp_identity.max_value_length('name') }} then null
        when {{ cdp_identity.regexp_is_match(lowered, '.*[0-9@].*') }} then null
        when {{ lowered }} in {{ junk }} then null
        when {{ cleaned }} = '' then null
        when {{ cleaned }} in {{ junk }} then null
        when replace({{ cleaned }}, ' ', '') in {{ junk }} then null
        else {{ cleaned }}
    end
{%- endmacro %}
