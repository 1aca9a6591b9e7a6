{#-
    Post-hook of int_identity_overrides__resolved: a warning per override whose action is neither force_link nor
    force_separate, naming it. Such an override is not applied; the others are, and the run goes on.
-#}
{% macro log_invalid_identity_overrides(relation) -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set found = run_query(
        "select override_id, override_action from " ~ relation
        ~ " where override_status = 'invalid_action' order by override_id") -%}
    {%- for row in found.rows -%}
        {{ log("WARNING identity override " ~ (row[0] | tojson) ~ " (seeds/identity_overrides.csv or the review desk's table) has unknown action "
               ~ (row[1] | tojson) ~ " (expected force_link or force_separate); not applied, listed in identity_review_queue",
               info=True) }}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
