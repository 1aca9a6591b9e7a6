{#
    SQL: a name in display case, the first letter of each word upper-case and the others lower-case, a word
    starting after any character that is not a letter (space, hyphen, apostrophe, ...):
    "mary-jane o'neil" -> "Mary-Jane O'Neil". Linear in the length of the value on every engine.

    DuckDB has no initcap(): the value is split into runs of letters and runs of other characters
    (regexp_extract_all, one pass), and each run gets its first character upper-cased and the rest lower-cased
    (a run of non-letters is unchanged by either). Letters are Unicode letters and combining marks.
    Snowflake's initcap() starts a word only after its default delimiters (whitespace and ASCII punctuation,
    but not the apostrophe or digits: "o'neil" -> "O'neil"), so it is given the delimiters explicitly:
    whitespace, every ASCII character that is not a letter, and the typographic apostrophes. The engines can
    differ only on other non-letter Unicode symbols inside a name, which normalize_name() never lets through.
#}
{% macro cdp_initcap(expr) -%}
    {{ return(adapter.dispatch('cdp_initcap', 'cdp_identity')(expr)) }}
{%- endmacro %}

{#- Every character that starts a new word on engines whose initcap() takes a delimiter list. -#}
{% macro _initcap_delimiters() -%}
    {{- " \t\n\r\u00a0!?@\"^#$&~_,.:;+-*%/|[](){}<>=''`\u00b4\u2018\u2019\u02bc0123456789" -}}
{%- endmacro %}

{% macro default__cdp_initcap(expr) -%}
    initcap({{ expr }}, '{{ cdp_identity._initcap_delimiters() }}')
{%- endmacro %}

{% macro duckdb__cdp_initcap(expr) -%}
    array_to_string(
        list_transform(
            regexp_extract_all({{ expr }}, '[\p{L}\p{M}]+|[^\p{L}\p{M}]+'),
            lambda word_run: upper(left(word_run, 1)) || lower(substr(word_run, 2))
        ),
        ''
    )
{%- endmacro %}
