{#-
    True when the raw value was present (not null, not blank: whitespace and control characters only count as
    blank) but its normalization returned null: the value was invalid or a placeholder. This is how rejected
    values are counted rather than silently lost. Always true or false, never null.
-#}
{% macro is_rejected(raw_expr, normalized_expr) -%}
    {{ return(adapter.dispatch('is_rejected', 'cdp_identity')(raw_expr, normalized_expr)) }}
{%- endmacro %}

{% macro default__is_rejected(raw_expr, normalized_expr) -%}
    (
        coalesce({{ cdp_identity.strip_invisible('cast(' ~ raw_expr ~ ' as ' ~ dbt.type_string() ~ ')') }}, '') <> ''
        and {{ normalized_expr }} is null
    )
{%- endmacro %}

{#-
    Why a value was rejected (is_rejected), beside the normalizer that rejected it; null when it was not.
    kind is the normalizer: email, phone, name, identifier (normalize_id), card_hash (normalize_card_hash),
    text (normalize_text), postal_code, date_of_birth. The reasons, checked in this order:
    - 'too long': longer than max_value_length() of the kind;
    - 'card number': a card hash that is an unhashed card number (is_card_number);
    - 'junk placeholder': on the junk seed for the kind (or, for a phone, one repeated digit);
    - 'invalid': anything else (a malformed email, a phone that fits no numbering plan, a name holding a digit
      or an @, an implausible date of birth, ...).
-#}
{% macro rejection_reason(kind, raw_expr, normalized_expr) -%}
    {%- set text = 'cast(' ~ raw_expr ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- if kind == 'email' -%}
        {%- set cleaned = cdp_identity._email_cleaned(text) -%}
        {%- set too_long = 'length(' ~ cleaned ~ ') > ' ~ cdp_identity.max_value_length('email') -%}
        {%- set junk = cleaned ~ ' in ' ~ cdp_identity.junk_values('email') -%}
    {%- elif kind == 'phone' -%}
        {%- set digits = cdp_identity._phone_digits(text) -%}
        {%- set too_long = cdp_identity._phone_too_long(digits) -%}
        {%- set junk = '(' ~ digits ~ ' in ' ~ cdp_identity.junk_values('phone') ~ ' or '
            ~ cdp_identity._phone_is_repeated_digit(digits) ~ ')' -%}
    {%- elif kind in ['name', 'text'] -%}
        {%- set squished = cdp_identity.squish_text(text) -%}
        {%- set too_long = 'length(' ~ squished ~ ') > ' ~ cdp_identity.max_value_length(kind) -%}
        {#- normalize_text keeps placeholders (only names are checked against the junk seed). -#}
        {%- set junk = 'lower(' ~ squished ~ ') in ' ~ cdp_identity.junk_values('name') if kind == 'name' else 'false' -%}
    {%- elif kind in ['identifier', 'card_hash'] -%}
        {%- set cleaned = cdp_identity._id_cleaned(text) -%}
        {%- set too_long = 'length(' ~ cleaned ~ ') > ' ~ cdp_identity.max_value_length('identifier') -%}
        {%- set junk = 'lower(' ~ cleaned ~ ') in ' ~ cdp_identity.junk_values([]) -%}
    {%- elif kind in ['postal_code', 'date_of_birth'] -%}
        {%- set too_long = 'false' -%}
        {%- set junk = 'lower(trim(' ~ text ~ ')) in ' ~ cdp_identity.junk_values(kind) -%}
    {%- else -%}
        {%- do exceptions.raise_compiler_error("rejection_reason: unknown kind '" ~ kind ~ "'") -%}
    {%- endif -%}
    case
        when not {{ cdp_identity.is_rejected(raw_expr, normalized_expr) }} then null
        when {{ too_long }} then 'too long'
        {%- if kind == 'card_hash' %}
        when {{ cdp_identity.is_card_number(raw_expr) }} then 'card number'
        {%- endif %}
        when {{ junk }} then 'junk placeholder'
        else 'invalid'
    end
{%- endmacro %}
