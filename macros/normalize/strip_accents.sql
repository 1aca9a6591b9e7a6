{#-
    Remove diacritics so that "Zoë Müller-Łukasz" and "Zoe Muller-Lukasz" compare equal.

    DuckDB: strip_accents() (Unicode decomposition) after a translate() of the letters that do
    not decompose (ø, ł, đ, ...). Snowflake and others: translate() over an explicit list of
    accented Latin letters. Ligatures (æ, œ, ß, þ) are spelled out on every engine.
-#}

{% macro strip_accents(expr) -%}
    {{ return(adapter.dispatch('strip_accents', 'cdp_identity')(expr)) }}
{%- endmacro %}

{% macro _expand_ligatures(expr) -%}
    replace(replace(replace(replace(replace(replace(replace(replace(
        {{ expr }},
        'æ', 'ae'), 'Æ', 'AE'), 'œ', 'oe'), 'Œ', 'OE'), 'ß', 'ss'), 'ẞ', 'SS'), 'þ', 'th'), 'Þ', 'TH')
{%- endmacro %}

{% macro default__strip_accents(expr) -%}
    translate(
        {{ cdp_identity._expand_ligatures(expr) }},
        'àáâãäåāăąÀÁÂÃÄÅĀĂĄçćĉċčÇĆĈĊČďđðĎĐÐèéêëēĕėęěÈÉÊËĒĔĖĘĚĝğġģĜĞĠĢĥħĤĦìíîïĩīĭįıÌÍÎÏĨĪĬĮĵĴķĶĺļľŀłĹĻĽĿŁñńņňÑŃŅŇòóôõöøōŏőÒÓÔÕÖØŌŎŐŕŗřŔŖŘśŝşšșŚŜŞŠȘţťŧțŢŤŦȚùúûüũūŭůűųÙÚÛÜŨŪŬŮŰŲŵŴýÿŷÝŸŶźżžŹŻŽ',
        'aaaaaaaaaAAAAAAAAAcccccCCCCCdddDDDeeeeeeeeeEEEEEEEEEggggGGGGhhHHiiiiiiiiiIIIIIIIIjJkKlllllLLLLLnnnnNNNNoooooooooOOOOOOOOOrrrRRRsssssSSSSSttttTTTTuuuuuuuuuuUUUUUUUUUUwWyyyYYYzzzZZZ'
    )
{%- endmacro %}

{% macro snowflake__strip_accents(expr) -%}
    {{ cdp_identity.default__strip_accents(expr) }}
{%- endmacro %}

{% macro duckdb__strip_accents(expr) -%}
    strip_accents(translate({{ cdp_identity._expand_ligatures(expr) }}, 'øłđðħıŀŧØŁĐÐĦĿŦ', 'olddhiltOLDDHLT'))
{%- endmacro %}
