-- noqa: disable=LT02
-- The linter cannot follow the indentation of the CASE branches that Jinja loops generate below. These
-- lines are outside any macro: dbt never renders them.
{#-
    Postal code: uppercased, spaces and dashes removed. When the country is known:
    - a letter prefix before a numeric code (D-24105, F-69003, VIC 3182) is dropped;
    - US: ZIP+4 -> the 5-digit ZIP; a 4-digit ZIP (or 4+4) whose leading zero was lost (a
      spreadsheet read it as a number) gets it back;
    - FR, DE: 5 digits, a lost leading zero restored;
    - GB: the UK postcode format (SW1A1AA); CA: A1A1A1; AU, AT, BE, CH, DK, NO, NZ: 4 digits;
      ES, IT: 5 digits; NL: 4 digits + 2 letters; IE: the Eircode format;
    anything else for those countries is null. Other or unknown countries: 3 to 10 letters and
    digits, at least one a digit. The junk list (00000, n/a, ...) is null everywhere.
-#}
{% macro normalize_postal_code(expr, country_expr=none) -%}
    {{ return(adapter.dispatch('normalize_postal_code', 'cdp_identity')(expr, country_expr)) }}
{%- endmacro %}

{% macro default__normalize_postal_code(expr, country_expr=none) -%}
    {%- set cleaned = cdp_identity.regexp_replace_all('upper(trim(' ~ expr ~ '))', '[[:space:]-]') -%}
    {%- set country = "''" if country_expr is none else "coalesce(upper(trim(" ~ country_expr ~ ")), '')" -%}
    {#- Numeric codes sometimes carry a country or state prefix: D-24105, F-69003, VIC 3182, MA 02134. -#}
    {%- set numeric = cdp_identity.regexp_replace_all(cleaned, '^[A-Z]+') -%}
    {%- set numeric_formats = {
        'AU': '[0-9]{4}', 'AT': '[0-9]{4}', 'BE': '[0-9]{4}', 'CH': '[0-9]{4}', 'DK': '[0-9]{4}',
        'NO': '[0-9]{4}', 'NZ': '[0-9]{4}', 'ES': '[0-9]{5}', 'IT': '[0-9]{5}',
    } -%}
    {%- set formats = {
        'GB': '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}',
        'CA': '[A-Z][0-9][A-Z][0-9][A-Z][0-9]',
        'NL': '[0-9]{4}[A-Z]{2}',
        'IE': '[A-Z][0-9][0-9W][A-Z0-9]{4}',
    } -%}
    {%- set country_branches -%}
        when 'US' then
            case
                when {{ cdp_identity.regexp_is_match(numeric, '[0-9]{5}([0-9]{4})?') }}
                    then substr({{ numeric }}, 1, 5)
                when {{ cdp_identity.regexp_is_match(numeric, '[0-9]{4}([0-9]{4})?') }}
                    then lpad(substr({{ numeric }}, 1, 4), 5, '0')
            end
        {%- for country_code in ['FR', 'DE'] %}
        when '{{ country_code }}' then
            case
                when {{ cdp_identity.regexp_is_match(numeric, '[0-9]{4,5}') }}
                    then lpad({{ numeric }}, 5, '0')
            end
        {%- endfor %}
        {%- for country_code, pattern in numeric_formats.items() %}
        when '{{ country_code }}' then
            case when {{ cdp_identity.regexp_is_match(numeric, pattern) }} then {{ numeric }} end
        {%- endfor %}
        {%- for country_code, pattern in formats.items() %}
        when '{{ country_code }}' then
            case when {{ cdp_identity.regexp_is_match(cleaned, pattern) }} then {{ cleaned }} end
        {%- endfor %}
    {%- endset -%}
    case
        when lower({{ cleaned }}) in {{ cdp_identity.junk_values('postal_code') }} then null
        when {{ numeric }} in {{ cdp_identity.junk_values('postal_code') }} then null
        else
            case {{ country }}
                {{ country_branches }}
                else
                    case
                        when
                            {{ cdp_identity.regexp_is_match(cleaned, '[A-Z0-9]{3,10}') }}
                            and {{ cdp_identity.regexp_is_match(cleaned, '.*[0-9].*') }}
                            then {{ cleaned }}
                    end
            end
    end
{%- endmacro %}
