{#-
    Payment card numbers must never enter the warehouse as identifiers or reach a mart in free text.

    is_card_number(expr): true when the value, once spaces, hyphens and other separators are removed, is 13 to
    19 digits that pass the Luhn check (the check digit every card number carries). A real card hash is hex of
    fixed length and is not mistaken for one unless it is all digits and Luhn-valid by chance (1 in 10 among
    13-19-digit values), which is then rejected as well: safer than letting a card number through.

    The Luhn sum is written out over 19 positions from the right: the digits reversed and padded with zeros
    to 19 (a zero adds nothing); odd positions count their digit, even positions the doubled digit's digit
    sum, read from the lookup '0516273849' (the digit d sits at index 2d, or 2d - 9 when 2d is over 9).
    position() gives 0 for a non-digit, so no cast can fail. Never null.
-#}
{% macro is_card_number(expr) -%}
    {%- set digits = cdp_identity.regexp_replace_all('cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ ')', '[^0-9A-Za-z]') -%}
    {%- set reversed = 'rpad(reverse(' ~ digits ~ "), 19, '0')" -%}
    coalesce(
        {{ cdp_identity.regexp_is_match(digits, '[0-9]{13,19}') }}
        and mod(
            {%- for position in range(1, 20) %}
            (position(substr({{ reversed }}, {{ position }}, 1) in '{{ "0123456789" if position is odd else "0516273849" }}') - 1)
            {{- " +" if not loop.last }}
            {%- endfor %},
            10
        ) = 0,
        false
    )
{%- endmacro %}

{#-
    A card hash (identifier): normalize_id(lowercase=true), and null when the value is a card number
    (is_card_number): an unhashed card typed or exported into the hash column. rejection_reason('card_hash',
    ...) says 'card number' for it.
-#}
{% macro normalize_card_hash(expr) -%}
    case
        when {{ cdp_identity.is_card_number(expr) }} then null
        else {{ cdp_identity.normalize_id(expr, lowercase=true) }}
    end
{%- endmacro %}

{#- The marker that replaces a card-number-like run of digits in free text. -#}
{% macro card_number_marker() -%}
    [card number removed]
{%- endmacro %}
