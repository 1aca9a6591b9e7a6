-- noqa: disable=LT02
-- The linter cannot follow the indentation of the CASE branches that Jinja loops generate below. These
-- lines are outside any macro: dbt never renders them.
{#-
    Phone number to E.164 ("+<calling code><national significant number>").

    1. Lowercase; drop the "(0)" of "+44 (0)20 ..." and anything from an extension marker (ext, x,
       #) on; rewrite a leading + (after any whitespace or control characters) as the 00
       international prefix; keep digits.
    2. Null when the digits (without a leading 00) are more than max_value_length('phone_digits')
       (15, E.164); null when the digits are all one repeated digit (after an optional 00+calling code, 0 or
       1 prefix), or on the junk list (0000000000, 1234567890, ...).
    3. International form (00...): when the calling code is in the numbering plans, the national
       number must fit that country's plan (a trunk prefix written after the calling code, as
       in +44 020 ..., is dropped); an unknown calling code is kept when 7 to 15 digits long.
    4. National form: the country is `country_expr` (an ISO 3166-1 alpha-2 expression, e.g. the
       model's normalized country_code) or, when that is null, var('default_phone_country').
       Accepted: trunk prefix + national number (020..., 06..., the US 1 + 10 digits), the
       national number alone, or the calling code without + (44 20 ...). A country missing from
       the plans cannot be resolved: null.

    The numbering plans are data: var('phone_numbering_plans') in dbt_project.yml maps each
    country to its calling_code, trunk_prefix ('' when none), min_length and max_length of the
    national significant number, and optionally leading_digits (a character class for its
    first digit, '[1-9]' by default).
-#}
{% macro normalize_phone(expr, country_expr=none) -%}
    {{ return(adapter.dispatch('normalize_phone', 'cdp_identity')(expr, country_expr)) }}
{%- endmacro %}

{#- The regular expression of a plan's national significant number. -#}
{% macro _phone_national_number_pattern(plan) -%}
    {{- plan.get('leading_digits', '[1-9]') -}}[0-9]{ {{- plan.min_length - 1 -}} , {{- plan.max_length - 1 -}} }
{%- endmacro %}

{#-
    The number's digits: extension and "(0)" dropped, a leading + (after any whitespace or control characters,
    a tab or a no-break space included) written as 00. Every other character goes with the non-digits, so no
    other cleaning is needed.
-#}
{% macro _phone_digits(expr) -%}
    {%- set without_extension = cdp_identity.regexp_replace_all('lower(' ~ expr ~ ')', '[(]0[)]|(ext|x|#).*$') -%}
    {%- set leading_plus = '^(' ~ cdp_identity.whitespace_class() ~ '|' ~ cdp_identity.invisible_characters_class() ~ ')*[+]' -%}
    {{ cdp_identity.regexp_replace_all(
        cdp_identity.regexp_replace_all(without_extension, leading_plus, '00'), '[^0-9]'
    ) }}
{%- endmacro %}

{#- True when the number has more digits than E.164 allows (a leading 00 is not counted). -#}
{% macro _phone_too_long(digits) -%}
    length({{ digits }}) - case when {{ digits }} like '00%' then 2 else 0 end
    > {{ cdp_identity.max_value_length('phone_digits') }}
{%- endmacro %}

{#- The phone's repeated-digit placeholders (0000000, 1-111-111-1111, +44 0000 000000, ...). -#}
{% macro _phone_is_repeated_digit(digits) -%}
    {{ cdp_identity.regexp_is_match(digits, '(00[0-9]{1,3}|0|1)?(0+|1+|2+|3+|4+|5+|6+|7+|8+|9+)') }}
{%- endmacro %}

{% macro default__normalize_phone(expr, country_expr=none) -%}
    {%- set plans = var('phone_numbering_plans') -%}
    {%- set country -%}
        {%- if country_expr is none -%}
            '{{ var("default_phone_country") }}'
        {%- else -%}
            coalesce(upper(trim({{ country_expr }})), '{{ var("default_phone_country") }}')
        {%- endif -%}
    {%- endset -%}
    {%- set digits = cdp_identity._phone_digits(expr) -%}
    {#- One plan per calling code (US and CA share 1), longest codes first. -#}
    {%- set calling_codes = [] -%}
    {%- set plan_by_calling_code = {} -%}
    {%- for length in [3, 2, 1] -%}
        {%- for country_code, plan in plans.items() -%}
            {%- set code = plan.calling_code | string -%}
            {%- if code | length == length and code not in plan_by_calling_code -%}
                {%- do calling_codes.append(code) -%}
                {%- do plan_by_calling_code.update({code: plan}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set international_branches -%}
    {%- for code in calling_codes %}
        {%- set plan = plan_by_calling_code[code] %}
        {%- set trunk = plan.trunk_prefix | string %}
        {%- set national = 3 + code | length %}
        when {{ digits }} like '00{{ code }}%' then
            case
                when {{ cdp_identity.regexp_is_match(
                    'substr(' ~ digits ~ ', ' ~ national ~ ')',
                    cdp_identity._phone_national_number_pattern(plan)
                ) }}
                    then '+' || substr({{ digits }}, 3)
                {%- if trunk != '' and trunk != code %}
                when
                    substr({{ digits }}, {{ national }}, {{ trunk | length }}) = '{{ trunk }}'
                    and {{ cdp_identity.regexp_is_match(
                        'substr(' ~ digits ~ ', ' ~ (national + trunk | length) ~ ')',
                        cdp_identity._phone_national_number_pattern(plan)
                    ) }}
                    then '+{{ code }}' || substr({{ digits }}, {{ national + trunk | length }})
                {%- endif %}
            end
    {%- endfor %}
        when {{ cdp_identity.regexp_is_match(digits, '00[1-9][0-9]{6,14}') }}
            then '+' || substr({{ digits }}, 3)
    {%- endset -%}
    {%- set national_branches -%}
    {%- for country_code, plan in plans.items() %}
        {%- set code = plan.calling_code | string %}
        {%- set trunk = plan.trunk_prefix | string %}
        when '{{ country_code }}' then
            case
                {%- if trunk != '' %}
                when
                    {{ digits }} like '{{ trunk }}%'
                    and {{ cdp_identity.regexp_is_match(
                        'substr(' ~ digits ~ ', ' ~ (1 + trunk | length) ~ ')',
                        cdp_identity._phone_national_number_pattern(plan)
                    ) }}
                    then '+{{ code }}' || substr({{ digits }}, {{ 1 + trunk | length }})
                {%- endif %}
                when {{ cdp_identity.regexp_is_match(digits, cdp_identity._phone_national_number_pattern(plan)) }}
                    then '+{{ code }}' || {{ digits }}
                {%- if trunk != code %}
                when
                    {{ digits }} like '{{ code }}%'
                    and {{ cdp_identity.regexp_is_match(
                        'substr(' ~ digits ~ ', ' ~ (1 + code | length) ~ ')',
                        cdp_identity._phone_national_number_pattern(plan)
                    ) }}
                    then '+' || {{ digits }}
                {%- endif %}
            end
    {%- endfor %}
    {%- endset -%}
    case
        when {{ cdp_identity._phone_too_long(digits) }} then null
        when {{ cdp_identity._phone_is_repeated_digit(digits) }} then null
        when {{ digits }} in {{ cdp_identity.junk_values('phone') }} then null
        when {{ digits }} like '00%' then
            case
                {{ international_branches }}
            end
        else
            case {{ country }}
                {{ national_branches }}
            end
    end
{%- endmacro %}
