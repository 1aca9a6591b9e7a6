{#-
    Country to ISO 3166-1 alpha-2. Accents, dots and repeated spaces are removed and the value
    uppercased, then: an alpha-2 code is kept when it is an assigned ISO code, and common alpha-3
    codes, names and aliases (United States, USA, U.S., United Kingdom, UK, England, Great
    Britain, Deutschland, ...) are mapped through country_aliases(). Anything else is null.

    Why the aliases are a macro and not a seed like name_nicknames, street_types and junk_identifier_values:
    staging reads the junk seed with an uncorrelated `in (select ...)` (junk_values), but a country is mapped to
    another value, inside the first select of six incremental staging models that hand it on to normalize_phone
    and normalize_postal_code. A seed would need either a join in each of those models (staging does not join)
    or a correlated scalar subquery in the select list, which Snowflake supports only in WHERE clauses. So the
    list stays here, as data the macro turns into one CASE; the phone numbering plans stay a var
    (phone_numbering_plans) for the same reason.
-#}
{% macro normalize_country(expr) -%}
    {{ return(adapter.dispatch('normalize_country', 'cdp_identity')(expr)) }}
{%- endmacro %}

{#- Alias (uppercase, without accents or dots) -> ISO 3166-1 alpha-2 code. -#}
{% macro country_aliases() -%}
    {{ return({
        'USA': 'US', 'UNITED STATES': 'US', 'UNITED STATES OF AMERICA': 'US', 'AMERICA': 'US',
        'U S': 'US', 'U S A': 'US',
        'UK': 'GB', 'U K': 'GB', 'GBR': 'GB', 'UNITED KINGDOM': 'GB', 'GREAT BRITAIN': 'GB',
        'BRITAIN': 'GB', 'ENGLAND': 'GB', 'SCOTLAND': 'GB', 'WALES': 'GB', 'NORTHERN IRELAND': 'GB',
        'FRA': 'FR', 'FRANCE': 'FR',
        'DEU': 'DE', 'GER': 'DE', 'GERMANY': 'DE', 'DEUTSCHLAND': 'DE',
        'AUS': 'AU', 'AUSTRALIA': 'AU',
        'CAN': 'CA', 'CANADA': 'CA',
        'IRL': 'IE', 'IRELAND': 'IE', 'EIRE': 'IE', 'REPUBLIC OF IRELAND': 'IE',
        'NZL': 'NZ', 'NEW ZEALAND': 'NZ',
        'ESP': 'ES', 'SPAIN': 'ES', 'ESPANA': 'ES',
        'ITA': 'IT', 'ITALY': 'IT', 'ITALIA': 'IT',
        'NLD': 'NL', 'NETHERLANDS': 'NL', 'THE NETHERLANDS': 'NL', 'HOLLAND': 'NL', 'NEDERLAND': 'NL',
        'BEL': 'BE', 'BELGIUM': 'BE', 'BELGIQUE': 'BE', 'BELGIE': 'BE',
        'CHE': 'CH', 'SWITZERLAND': 'CH', 'SCHWEIZ': 'CH', 'SUISSE': 'CH', 'SVIZZERA': 'CH',
        'AUT': 'AT', 'AUSTRIA': 'AT', 'OSTERREICH': 'AT',
        'PRT': 'PT', 'PORTUGAL': 'PT',
        'SWE': 'SE', 'SWEDEN': 'SE', 'SVERIGE': 'SE',
        'NOR': 'NO', 'NORWAY': 'NO', 'NORGE': 'NO',
        'DNK': 'DK', 'DENMARK': 'DK', 'DANMARK': 'DK',
        'FIN': 'FI', 'FINLAND': 'FI', 'SUOMI': 'FI',
        'ISL': 'IS', 'ICELAND': 'IS',
        'POL': 'PL', 'POLAND': 'PL', 'POLSKA': 'PL',
        'CZE': 'CZ', 'CZECHIA': 'CZ', 'CZECH REPUBLIC': 'CZ',
        'GRC': 'GR', 'GREECE': 'GR',
        'HRV': 'HR', 'CROATIA': 'HR',
        'MLT': 'MT', 'MALTA': 'MT',
        'CYP': 'CY', 'CYPRUS': 'CY',
        'TUR': 'TR', 'TURKEY': 'TR', 'TURKIYE': 'TR',
        'MEX': 'MX', 'MEXICO': 'MX',
        'BRA': 'BR', 'BRAZIL': 'BR', 'BRASIL': 'BR',
        'ARG': 'AR', 'ARGENTINA': 'AR',
        'CHL': 'CL', 'CHILE': 'CL',
        'CRI': 'CR', 'COSTA RICA': 'CR',
        'JPN': 'JP', 'JAPAN': 'JP',
        'CHN': 'CN', 'CHINA': 'CN',
        'HKG': 'HK', 'HONG KONG': 'HK',
        'SGP': 'SG', 'SINGAPORE': 'SG',
        'IND': 'IN', 'INDIA': 'IN',
        'IDN': 'ID', 'INDONESIA': 'ID',
        'THA': 'TH', 'THAILAND': 'TH',
        'PHL': 'PH', 'PHILIPPINES': 'PH',
        'MYS': 'MY', 'MALAYSIA': 'MY',
        'MDV': 'MV', 'MALDIVES': 'MV',
        'ARE': 'AE', 'UAE': 'AE', 'UNITED ARAB EMIRATES': 'AE',
        'EGY': 'EG', 'EGYPT': 'EG',
        'ZAF': 'ZA', 'SOUTH AFRICA': 'ZA',
        'KOR': 'KR', 'SOUTH KOREA': 'KR', 'KOREA': 'KR',
        'RUS': 'RU', 'RUSSIA': 'RU',
        'ISR': 'IL', 'ISRAEL': 'IL',
        'FJI': 'FJ', 'FIJI': 'FJ',
        'PRI': 'PR', 'PUERTO RICO': 'PR',
    }) }}
{%- endmacro %}

{#- Assigned ISO 3166-1 alpha-2 codes. -#}
{% macro iso_country_codes() -%}
    {{ return([
        'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ',
        'BA', 'BB', 'BD', 'BE', 'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS',
        'BT', 'BV', 'BW', 'BY', 'BZ', 'CA', 'CC', 'CD', 'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN',
        'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ', 'DE', 'DJ', 'DK', 'DM', 'DO', 'DZ', 'EC', 'EE',
        'EG', 'EH', 'ER', 'ES', 'ET', 'FI', 'FJ', 'FK', 'FM', 'FO', 'FR', 'GA', 'GB', 'GD', 'GE', 'GF',
        'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY', 'HK', 'HM',
        'HN', 'HR', 'HT', 'HU', 'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT', 'JE', 'JM',
        'JO', 'JP', 'KE', 'KG', 'KH', 'KI', 'KM', 'KN', 'KP', 'KR', 'KW', 'KY', 'KZ', 'LA', 'LB', 'LC',
        'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY', 'MA', 'MC', 'MD', 'ME', 'MF', 'MG', 'MH', 'MK',
        'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ', 'NA',
        'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ', 'OM', 'PA', 'PE', 'PF', 'PG',
        'PH', 'PK', 'PL', 'PM', 'PN', 'PR', 'PS', 'PT', 'PW', 'PY', 'QA', 'RE', 'RO', 'RS', 'RU', 'RW',
        'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI', 'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS',
        'ST', 'SV', 'SX', 'SY', 'SZ', 'TC', 'TD', 'TG', 'TH', 'TJ', 'TK', 'TL', 'TM', 'TN', 'TO', 'TR',
        'TT', 'TV', 'TW', 'TZ', 'UA', 'UG', 'UM', 'US', 'UY', 'UZ', 'VA', 'VC', 'VE', 'VG', 'VI', 'VN',
        'VU', 'WF', 'WS', 'YE', 'YT', 'ZA', 'ZM', 'ZW'
    ]) }}
{%- endmacro %}

{% macro default__normalize_country(expr) -%}
    {%- set cleaned -%}
        upper(trim({{ cdp_identity.regexp_replace_all(
            cdp_identity.regexp_replace_all(cdp_identity.strip_accents(expr), '[.]'),
            '[[:space:]]+',
            ' '
        ) }}))
    {%- endset -%}
    case {{ cleaned }}
    {%- for alias, code in cdp_identity.country_aliases().items() %}
        when '{{ alias }}' then '{{ code }}'
    {%- endfor %}
        else
            case
                when {{ cleaned }} in ('{{ cdp_identity.iso_country_codes() | join("', '") }}')
                    then {{ cleaned }}
            end
    end
{%- endmacro %}
