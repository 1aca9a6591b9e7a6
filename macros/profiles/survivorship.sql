{#
    Survivorship of golden attributes (unified_profiles): which of a unified individual's values of an
    attribute survives. Rules live in var profile_survivorship, one per attribute:
      {rule: source_priority, systems: [salesforce, club, ...]}  first listed system with a value wins
                                                                 (unlisted systems last), then the most recent record;
      {rule: most_recent}                                        the most recently updated record wins;
      {rule: most_frequent}                                      the value on the most records wins, ties by the
                                                                 value's most recent record.
    most_recent and most_frequent take an optional `systems` list as a tie-breaker. Every order ends on the
    record ID, so the surviving value is deterministic.
#}

{% macro survivorship_rules() -%}
    {{ return(['source_priority', 'most_recent', 'most_frequent']) }}
{%- endmacro %}


{#- The rule of one attribute from var profile_survivorship, validated. -#}
{% macro survivorship_rule(attribute) -%}
    {%- set rules = var('profile_survivorship', {}) -%}
    {%- if attribute not in rules -%}
        {%- do exceptions.raise_compiler_error(
            "survivorship: var profile_survivorship has no rule for '" ~ attribute ~ "'. Add one to dbt_project.yml, "
            ~ "e.g. `" ~ attribute ~ ": {rule: most_recent}` (rules: " ~ survivorship_rules() | join(', ') ~ ").") -%}
    {%- endif -%}
    {{ return(validate_survivorship_rule(rules[attribute], attribute)) }}
{%- endmacro %}


{% macro validate_survivorship_rule(rule, attribute='attribute') -%}
    {%- if rule is string -%}
        {%- set rule = {'rule': rule} -%}
    {%- endif -%}
    {%- if rule is not mapping or rule.get('rule') not in survivorship_rules() -%}
        {%- do exceptions.raise_compiler_error(
            "survivorship: the rule of '" ~ attribute ~ "' must be a mapping with `rule:` one of "
            ~ survivorship_rules() | join(', ') ~ "; got " ~ rule ~ ".") -%}
    {%- endif -%}
    {%- set systems = rule.get('systems', []) or [] -%}
    {%- if systems is string or systems is mapping -%}
        {%- do exceptions.raise_compiler_error(
            "survivorship: `systems` of '" ~ attribute ~ "' must be a list of source systems, e.g. [salesforce, club].") -%}
    {%- endif -%}
    {%- if rule['rule'] == 'source_priority' and systems | length == 0 -%}
        {%- do exceptions.raise_compiler_error(
            "survivorship: '" ~ attribute ~ "' uses source_priority but lists no `systems`; "
            ~ "give them in priority order, e.g. {rule: source_priority, systems: [salesforce, club]}.") -%}
    {%- endif -%}
    {{ return({'rule': rule['rule'], 'systems': systems}) }}
{%- endmacro %}


{#- SQL: the position of a system in a priority list (1 = first); unlisted systems come after all listed. -#}
{% macro survivorship_source_priority(source_system, systems) -%}
    case {{ source_system }}
        {%- for system in systems %}
        when '{{ system | replace("'", "''") }}' then {{ loop.index }}
        {%- endfor %}
        else {{ systems | length + 1 }}
    end
{%- endmacro %}


{#-
    SQL: the order by list that puts the surviving candidate first. `rule` is an attribute name (its rule is
    read from var profile_survivorship) or a rule mapping. Candidates are rows with a non-null value carrying
    the columns named by the other arguments; most_frequent also needs, per row, the number of the
    individual's records holding the same value and that value's latest record_updated_at.
-#}
{% macro survivorship_order_by(
    rule,
    source_system='source_system',
    updated_at='record_updated_at',
    record_id='identity_record_id',
    value_record_count='value_record_count',
    value_last_updated_at='value_last_updated_at'
) -%}
    {%- set rule = survivorship_rule(rule) if rule is string else validate_survivorship_rule(rule) -%}
    {%- set keys = [] -%}
    {%- if rule.rule == 'source_priority' -%}
        {%- do keys.append(survivorship_source_priority(source_system, rule.systems) ~ ' asc') -%}
    {%- elif rule.rule == 'most_frequent' -%}
        {%- do keys.append(value_record_count ~ ' desc') -%}
        {%- do keys.append(value_last_updated_at ~ ' desc nulls last') -%}
    {%- endif -%}
    {%- if rule.rule == 'most_recent' -%}
        {%- do keys.append(updated_at ~ ' desc nulls last') -%}
    {%- endif -%}
    {%- if rule.rule != 'source_priority' and rule.systems | length > 0 -%}
        {#- the optional tie-breaker of most_recent and most_frequent -#}
        {%- do keys.append(survivorship_source_priority(source_system, rule.systems) ~ ' asc') -%}
    {%- endif -%}
    {%- do keys.append(updated_at ~ ' desc nulls last') -%}
    {%- do keys.append(record_id ~ ' asc') -%}
    {{ return(keys | unique | join(', ')) }}
{%- endmacro %}


{#- SQL: a row_number() whose 1 is the surviving candidate of each partition. -#}
{% macro survivorship_rank(rule, partition_by='unified_individual_id') -%}
    row_number() over (partition by {{ partition_by }} order by {{ survivorship_order_by(rule, **kwargs) }})
{%- endmacro %}
