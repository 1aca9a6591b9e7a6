{#-
    Email address: control and zero-width characters removed (a tab or line break anywhere), whitespace of any
    kind trimmed from both ends (tabs, CR/LF, no-break spaces) and lowercased; null unless it looks like a
    deliverable address (one @, a local part of usual characters without leading, trailing or doubled dots, a
    domain of dot-separated labels ending in a 2+ letter top-level domain, no inner spaces), is at most
    max_value_length('email') (254, RFC 5321) characters long and is not on the junk list (test@test.com,
    noemail@example.com, ...). email_rejection_reason() says why a value was nulled.
-#}
{% macro normalize_email(expr) -%}
    {{ return(adapter.dispatch('normalize_email', 'cdp_identity')(expr)) }}
{%- endmacro %}

{#- The value the checks run on. -#}
{% macro _email_cleaned(expr) -%}
    lower({{ cdp_identity.strip_invisible(expr) }})
{%- endmacro %}

{% macro default__normalize_email(expr) -%}
    {%- set cleaned = cdp_identity._email_cleaned(expr) -%}
    case
        when length({{ cleaned }}) > {{ cdp_identity.max_value_length('email') }} then null
        when
            {{ cdp_identity.regexp_is_match(
                cleaned,
                "[a-z0-9_%+''-]+([.][a-z0-9_%+''-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?[.])+[a-z]{2,}"
            ) }}
            and {{ cleaned }} not in {{ cdp_identity.junk_values('email') }}
            then {{ cleaned }}
    end
{%- endmacro %}
