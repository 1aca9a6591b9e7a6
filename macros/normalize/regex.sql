{#-
    Portable regular expressions.

    Patterns passed to these macros must be written without backslashes (use `[0-9]`, `[.]`,
    `[[:space:]]`, ...): Snowflake treats a backslash in a string literal as an escape character
    and DuckDB does not, so a backslash-free pattern means the same thing on both engines.
-#}

{#- True when the whole of `expr` matches `pattern` (anchored at both ends on every engine). -#}
{% macro regexp_is_match(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_is_match', 'cdp_identity')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_is_match(expr, pattern) -%}
    regexp_like({{ expr }}, '^({{ pattern }})$')
{%- endmacro %}

{% macro duckdb__regexp_is_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro snowflake__regexp_is_match(expr, pattern) -%}
    {#- Snowflake's regexp_like always matches the whole subject. -#}
    regexp_like({{ expr }}, '{{ pattern }}')
{%- endmacro %}


{#- Replace every match of `pattern` in `expr` (DuckDB replaces only the first without the 'g' option). -#}
{% macro regexp_replace_all(expr, pattern, replacement='') -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'cdp_identity')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro duckdb__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro snowflake__regexp_replace_all(expr, pattern, replacement='') -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}


{#-
    Characters that are never part of a value: control characters (C0 including tab, CR and LF, DEL, C1) and
    zero-width/format characters (zero-width space and joiners, word joiner, byte-order mark). A bracket
    expression for regexp_replace_all. [[:cntrl:]] covers C0 and DEL on every engine; the others are written
    as literal characters (Jinja turns the escapes below into the characters), which both engines read the same.
-#}
{% macro invisible_characters_class() -%}
    {{- '[[:cntrl:]\u0080-\u009f\u200b\u200c\u200d\u2060\ufeff]' -}}
{%- endmacro %}

{#-
    Whitespace of every kind: [[:space:]] (space, tab, CR, LF, vertical tab, form feed) and the Unicode space
    separators (no-break space, ogham, en/em/thin/hair spaces, line and paragraph separators, narrow no-break,
    medium mathematical and ideographic spaces), which [[:space:]] does not match on every engine.
-#}
{% macro whitespace_class() -%}
    {{- '[[:space:]\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]' -}}
{%- endmacro %}

{#-
    For identifiers (emails, keys, hashes): control and zero-width characters removed wherever they are (a tab
    or line break inside an email is an export artifact, never part of the address), and whitespace of any
    kind trimmed from both ends. A space inside the value is kept, so that the validation that follows still
    rejects it: joining "john smith@x.com" into "johnsmith@x.com" would be a guess.
-#}
{% macro strip_invisible(expr) -%}
    {{ cdp_identity.regexp_replace_all(
        cdp_identity.regexp_replace_all(expr, cdp_identity.invisible_characters_class()),
        '^' ~ cdp_identity.whitespace_class() ~ '+|' ~ cdp_identity.whitespace_class() ~ '+$'
    ) }}
{%- endmacro %}

{#-
    For text (names, streets, cities): every run of whitespace (tabs and line breaks included) becomes one
    space, control and zero-width characters (NUL among them) are removed, and the result is trimmed.
-#}
{% macro squish_text(expr) -%}
    trim({{ cdp_identity.regexp_replace_all(
        cdp_identity.regexp_replace_all(expr, cdp_identity.whitespace_class() ~ '+', ' '),
        cdp_identity.invisible_characters_class()
    ) }})
{%- endmacro %}
