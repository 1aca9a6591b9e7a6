{#-
    The longest accepted value of a kind of field (email, phone_digits, name, identifier, text), from
    var('max_value_lengths'); the defaults below apply to a kind the var does not name.
-#}
{% macro max_value_length(kind) -%}
    {%- set defaults = {'email': 254, 'phone_digits': 15, 'name': 100, 'identifier': 255, 'text': 200} -%}
    {%- set limits = var('max_value_lengths', {}) -%}
    {%- if kind not in defaults -%}
        {%- do exceptions.raise_compiler_error(
            "max_value_length: unknown kind '" ~ kind ~ "'; one of " ~ defaults.keys() | join(', ')
        ) -%}
    {%- endif -%}
    {{- limits.get(kind, defaults[kind]) | int -}}
{%- endmacro %}
