{#-
    Email address: trimmed and lowercased; null unless it looks like a deliverable address
    (one @, a local part of usual characters without leading, trailing or doubled dots, a domain
    of dot-separated labels ending in a 2+ letter top-level domain, no spaces) and is not on the
    junk list (test@test.com, noemail@example.com, ...).
-#}
{% macro normalize_email(expr) -%}
    {{ return(adapter.dispatch('normalize_email', 'cdp_identity')(expr)) }}
{%- endmacro %}

{% macro default__normalize_email(expr) -%}
    {%- set cleaned = 'lower(trim(' ~ expr ~ '))' -%}
    case
        when
            {{ cdp_identity.regexp_is_match(
                cleaned,
                "[a-z0-9_%+''-]+([.][a-z0-9_%+''-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?[.])+[a-z]{2,}"
            ) }}
            and {{ cleaned }} not in {{ cdp_identity.junk_values('email') }}
            then {{ cleaned }}
    end
{%- endmacro %}
