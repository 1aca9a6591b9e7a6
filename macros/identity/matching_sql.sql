{#
    The pieces of the SQL matching path (models/intermediate/identity/int_identity_edges__probabilistic.sql), each
    rendered from the trained model's pieces in matching_model() (macros/identity/matching_model.sql, generated
    from cdp/identity/splink_model.json by `cdp render-matching-sql`). Together they compute what Splink's predict
    computes (splink/internals: blocking, comparison vectors, term-frequency adjustments, predict).
#}

{# The matching engine this build uses: var matching_engine, else SQL on Snowflake and Splink elsewhere (the same
   rule enables one of the two int_identity_edges__probabilistic models in dbt_project.yml). #}
{% macro matching_engine() -%}
    {{ return(var('matching_engine', '') or ('sql' if target.type == 'snowflake' else 'splink')) }}
{%- endmacro %}

{# A level's condition for this engine; a condition the renderer could not render with the same meaning stops
   the model's compilation with the renderer's message (comparison, level, function). Not while dbt parses the
   project: the model may be disabled (var matching_engine: splink), and nothing else must stop. #}
{% macro matching_condition(level) -%}
    {%- if ('condition_' ~ target.type) in level -%}
        {{ return(level['condition_' ~ target.type]) }}
    {%- elif not execute -%}
        {{ return('false') }}
    {%- elif ('not_portable_' ~ target.type) in level -%}
        {{ exceptions.raise_compiler_error("The SQL matching model cannot run on " ~ target.type ~ ": "
            ~ level['not_portable_' ~ target.type]) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("The SQL matching model is rendered for duckdb and snowflake, not "
            ~ target.type ~ " (cdp/identity/sql_model.py)") }}
    {%- endif -%}
{%- endmacro %}

{# The matching inputs with, per term-frequency column, the share of the records carrying a value that carry
   this record's value (Splink: count(*) / count(column) over all records; null where the value is). #}
{% macro matching_records_with_tf(inputs) -%}
    {%- set model = cdp_identity.matching_model() %}
    select
        {{ inputs }}.*
        {%- for column in model.tf_columns %},
        tf_{{ column }}.term_frequency as tf_{{ column }}
        {%- endfor %}
    from {{ inputs }}
    {%- for column in model.tf_columns %}
    left outer join (
        select
            {{ column }},
            cast(count(*) as double) / (select count({{ column }}) from {{ inputs }}) as term_frequency
        from {{ inputs }}
        where {{ column }} is not null
        group by {{ column }}
    ) as tf_{{ column }}
        on {{ inputs }}.{{ column }} = tf_{{ column }}.{{ column }}
    {%- endfor %}
{%- endmacro %}

{# Candidate pairs: the union of the blocking rules' joins (equalities never hold on null), the smaller record
   on the left as in Splink's dedupe. With `scope` (the records to score), only the pairs with a record of it:
   a rule may put that record on either side, so both are joined. #}
{% macro matching_candidate_pairs(records, scope=none) -%}
    {%- set model = cdp_identity.matching_model() %}
    {%- set sides = [(records, records)] if scope is none else [(scope, records), (records, scope)] %}
    {%- set joins = namespace(count=0) %}
    {%- for rule in model.blocking_rules %}
        {%- for left, right in sides %}
    {{ 'union' if joins.count }}{% set joins.count = joins.count + 1 %}
    select
        l.identity_record_id as identity_record_id_l,
        r.identity_record_id as identity_record_id_r
    from {{ left }} as l
    inner join {{ right }} as r
        on l.identity_record_id < r.identity_record_id
        {%- for left_column, right_column in rule %}
        and l.{{ left_column }} = r.{{ right_column }}
        {%- endfor %}
        {%- endfor %}
    {%- endfor %}
{%- endmacro %}

{# Both records' columns that the comparisons, the term-frequency adjustments and the flags read: <column>_l and
   <column>_r, as in Splink's conditions. #}
{% macro matching_pair_columns() -%}
    {%- set model = cdp_identity.matching_model() %}
    {%- for column in model.columns %}
        {%- if column in model.array_columns %}
    {{ cdp_identity.matching_string_array('l.' ~ column) }} as {{ column }}_l,
    {{ cdp_identity.matching_string_array('r.' ~ column) }} as {{ column }}_r,
        {%- else %}
    l.{{ column }} as {{ column }}_l,
    r.{{ column }} as {{ column }}_r,
        {%- endif %}
    {%- endfor %}
    {%- for column in model.tf_columns %}
    l.tf_{{ column }} as tf_{{ column }}_l,
    r.tf_{{ column }} as tf_{{ column }}_r{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{# A column of string arrays, as the conditions' array functions read it. On the Snowflake emulator only, whose
   ARRAY columns are DuckDB JSON, where ARRAYS_OVERLAP (DuckDB's &&) needs a list: turned into a list of strings
   there (from_json, a DuckDB function the emulator passes through). Everywhere else the column itself. #}
{% macro matching_string_array(column) -%}
    {%- if is_snowflake_emulator() -%}
        from_json({{ column }}, '["VARCHAR"]')
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}

{# Per comparison, the level the pair reaches (Splink's comparison vector value): the first level whose condition
   holds, in the model's order; the null level is -1, the else level 0. #}
{% macro matching_gammas() -%}
    {%- set model = cdp_identity.matching_model() %}
    {%- for comparison in model.comparisons %}
    case
        {%- for level in comparison.levels %}
        {%- set condition = cdp_identity.matching_condition(level) %}
        {%- if condition == 'ELSE' %}
        else {{ level.gamma }}
        {%- else %}
        when {{ condition }} then {{ level.gamma }}
        {%- endif %}
        {%- endfor %}
    end as gamma_{{ comparison.name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{# Per comparison, the match weight of the level reached: log2(m/u), plus Splink's term-frequency adjustment
   where the level has one: weight * (log2 u of the exact match - log2 of the greater of the two records' term
   frequencies, at least the level's minimum u), 0 where neither record's value has a term frequency. #}
{% macro matching_weights() -%}
    {%- set model = cdp_identity.matching_model() %}
    {%- for comparison in model.comparisons %}
    case gamma_{{ comparison.name }}
        {%- for level in comparison.levels %}
        when {{ level.gamma }} then cast({{ level.weight }} as double)
            {%- if level.tf_column %}
            {%- set tf_l, tf_r = 'tf_' ~ level.tf_column ~ '_l', 'tf_' ~ level.tf_column ~ '_r' %}
            + case when coalesce({{ tf_l }}, {{ tf_r }}) is not null
                then cast({{ level.tf_weight }} as double) * (cast({{ level.tf_log2_u_exact }} as double) - {{
                    cdp_identity.log2('greatest(coalesce(' ~ tf_l ~ ', ' ~ tf_r ~ '), coalesce(' ~ tf_r ~ ', '
                        ~ tf_l ~ '), cast(' ~ level.tf_minimum_u ~ ' as double))') }})
                else 0 end
            {%- endif %}
        {%- endfor %}
    end as mw_{{ comparison.name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{# The sum of the comparisons' match weights. #}
{% macro matching_weight_sum() -%}
    {%- set model = cdp_identity.matching_model() %}
    {%- for comparison in model.comparisons %}mw_{{ comparison.name }}{{ ' + ' if not loop.last }}{% endfor %}
{%- endmacro %}

{# The prior as a match weight, log2 of its odds, for a table of `record_count` records: the model's expected
   matches per record over the other records (at most 0.5), as cdp.identity.matching.load_model sets it. #}
{% macro matching_prior_weight(record_count) -%}
    {%- set model = cdp_identity.matching_model() %}
    {%- set fixed = 'cast(' ~ model.probability_two_random_records_match ~ ' as double)' %}
    {%- if model.expected_matches_per_record is none %}
        {%- set prior = fixed %}
    {%- else %}
        {%- set prior = 'case when ' ~ record_count ~ ' > 1 then least(cast(' ~ model.expected_matches_per_record
            ~ ' as double) / (' ~ record_count ~ ' - 1), 0.5) else ' ~ fixed ~ ' end' %}
    {%- endif %}
    {{- cdp_identity.log2('(' ~ prior ~ ') / (1 - (' ~ prior ~ '))') }}
{%- endmacro %}

{% macro log2(value) -%}
    (ln({{ value }}) / ln(2))
{%- endmacro %}

{# The explanation JSON text: per comparison, the label of the level reached and its match weight, rounded to
   3 decimals and written as DuckDB writes a double (11.0, 1.25, -3.125), on every engine. #}
{% macro matching_explanation() -%}
    {%- set model = cdp_identity.matching_model() %}
    '{'
    {%- for comparison in model.comparisons %}
    || '{{ ',' if not loop.first }}"{{ comparison.name }}":{"level":' || case gamma_{{ comparison.name }}
        {%- for level in comparison.levels %}
        when {{ level.gamma }} then '{{ level.label | replace("'", "''") }}'
        {%- endfor %}
    end || ',"match_weight":' || {{ cdp_identity.matching_weight_text('mw_' ~ comparison.name) }} || '}'
    {%- endfor %}
    || '}'
{%- endmacro %}

{% macro matching_weight_text(value) -%}
    regexp_replace(cast(cast(round({{ value }}, 3) as decimal(18, 3)) as varchar), '0{1,2}$', '')
{%- endmacro %}

{# What the run scores (cdp/identity/incremental.py plan_rescoring, as queries): every record on a first run or a
   full refresh, when the stored pairs are of another trained model, or when the records new, changed or gone since
   the oldest stored score reach var rescore_all_share of the current records; otherwise the records changed since
   the newest stored score. Another model file stops the model's compilation, not the project's parse (the model
   may be disabled: var matching_engine: splink). #}
{% macro matching_rescoring_plan(tracked, version) -%}
    {%- if execute and (var('matching_model_path', '') or env_var('CDP_MATCHING_MODEL', '')) %}
        {{ exceptions.raise_compiler_error("The SQL matching model runs the committed model (rendered into "
            ~ "macros/identity/matching_model.sql); for another model file (var matching_model_path or "
            ~ "CDP_MATCHING_MODEL) build with --vars '{matching_engine: splink}'") }}
    {%- endif %}
    {%- set plan = cdp_identity.matching_rescoring_decision(tracked, version) %}
    {%- if execute %}{{ log('int_identity_edges__probabilistic: ' ~ plan.reason, info=true) }}{% endif %}
    {{ return(plan) }}
{%- endmacro %}

{% macro matching_rescoring_decision(tracked, version) -%}
    {%- if not execute or not is_incremental() %}
        {{ return({'rescore_all': true, 'reason': 'no stored pairs: every record is scored'}) }}
    {%- endif %}
    {%- set counts %}
        with stored as (
            select model_version, input_watermark from {{ this }} where is_current
        )
        select
            (select count(*) from stored) as stored_pairs,
            (select count(*) from stored where coalesce(model_version, '') != '{{ version }}') as other_versions,
            (select count(*) from {{ tracked }}
                where input_changed_at > (select min(input_watermark) from stored)) as drifted,
            (select count(*) from {{ tracked }}
                where input_changed_at > (select max(input_watermark) from stored)) as changed,
            (select count(*) from {{ tracked }} where is_current) as current_records
    {%- endset %}
    {%- set row = run_query(counts).rows[0] %}
    {%- set stored_pairs, other_versions = row[0] | int, row[1] | int %}
    {%- set drifted, changed, current = row[2] | int, row[3] | int, row[4] | int %}
    {%- set share = var('rescore_all_share') | float %}
    {%- set current = [1, current] | max %}
    {%- if stored_pairs == 0 %}
        {{ return({'rescore_all': true, 'reason': 'no stored pairs: every record is scored'}) }}
    {%- elif other_versions > 0 %}
        {{ return({'rescore_all': true, 'reason': 'the trained model changed: every record is scored'}) }}
    {%- elif share <= 0 or drifted >= share * current %}
        {{ return({'rescore_all': true, 'reason': '{:,} of {:,} records new, changed or gone since the oldest stored '
            'score (rescore_all_share {:g}): every record is scored'.format(drifted, current, share)}) }}
    {%- endif %}
    {{ return({'rescore_all': false, 'reason': '{:,} records new, changed or gone'.format(changed)}) }}
{%- endmacro %}
