{#- The merge policy's rule on partial names, as SQL over a scored pair's flags: a pair in which a record lacks its
    first or last name (`is_partial_name`) merges only when a date of birth, email or phone agrees exactly
    (`has_exact_identifier`). The probability threshold is var match_threshold_probability. `pair` names the
    relation holding the flags. (cdp/identity/matching.py MERGE_POLICY_ADMITS_SQL is the same rule for the
    report, which replays it on Splink's own output.) -#}
{% macro merge_policy_admits(pair=none) -%}
    {%- set prefix = pair ~ '.' if pair else '' -%}
    (not coalesce({{ prefix }}is_partial_name, false) or coalesce({{ prefix }}has_exact_identifier, false))
{%- endmacro %}
