-- Probabilistic edges as set-based SQL: the committed Splink model rendered into the warehouse's SQL (var
-- matching_engine: sql, the default on Snowflake; Splink's Python model of the same name otherwise). Computes what
-- Splink's predict computes: candidate pairs from the blocking rules, each comparison's level, the level's match
-- weight with Splink's term-frequency adjustment (frequencies over all matching inputs), the prior for this many
-- records, and keeps the pairs at or above the lower bound of the review band. The model's pieces come from
-- macros/identity/matching_model.sql, generated from cdp/identity/splink_model.json (`cdp render-matching-sql`);
-- tests/python/test_sql_matching.py checks that this model and Splink find the same pairs with the same weights.
-- Incremental as the Python model is (cdp/identity/incremental.py): a run scores the records new, changed or gone
-- since the stored watermark against their blocking partners and retires the pairs they no longer form; a new
-- trained model, drift past var rescore_all_share, or --full-refresh rescores everything. Set-based SQL: on
-- Snowflake it runs on the target's warehouse, not the Snowpark-optimized one the Python models may use.
{{
    config(
        enabled=cdp_identity.matching_engine() == 'sql',
        materialized='incremental',
        unique_key=['identity_record_id_l', 'identity_record_id_r'],
        on_schema_change='fail',
        snowflake_warehouse=target.get('warehouse', ''),
    )
}}

{%- set matching_model = cdp_identity.matching_model() %}
{#- What this run scores (logged): every record, or those changed since the stored watermark. #}
{%- set plan = cdp_identity.matching_rescoring_plan(ref('int_identity_match_inputs__tracked'),
    matching_model.version) %}

with match_inputs as (
    select * from {{ ref('int_identity_match_inputs') }}
),

tracked as (
    select * from {{ ref('int_identity_match_inputs__tracked') }}
),

-- On the first run (or --full-refresh) nothing was stored before (`stored` reads this CTE then).
no_stored as (  -- noqa: ST03
    select
        cast(null as varchar) as identity_record_id_l,
        cast(null as varchar) as identity_record_id_r,
        cast(null as double) as match_weight,
        cast(null as double) as match_probability,
        cast(null as varchar) as explanation,
        cast(null as boolean) as is_partial_name,
        cast(null as boolean) as has_exact_identifier,
        cast(null as varchar) as model_version,
        cast(null as timestamp) as input_watermark,
        cast(null as boolean) as is_current
    where false
),

stored as (
    select
        identity_record_id_l,
        identity_record_id_r,
        match_weight,
        match_probability,
        explanation,
        is_partial_name,
        has_exact_identifier,
        model_version,
        input_watermark
    from {{ this if is_incremental() else 'no_stored' }}
    where is_current
),

-- The records this run scores: all, or those new, changed or gone since the newest stored score.
changed as (
    select identity_record_id
    from tracked
    where {{ 'true' if plan.rescore_all else 'false' }}
        or input_changed_at > (select max(stored.input_watermark) from stored)
),

records as (
    {{ matching_records_with_tf('match_inputs') }}
),

-- Read by the candidate pairs of an incremental run (a run scoring every record joins the records themselves).
scope as (  -- noqa: ST03
    select records.*
    from records
    inner join changed
        on records.identity_record_id = changed.identity_record_id
),

candidate_pairs as (
    {{ matching_candidate_pairs('records', none if plan.rescore_all else 'scope') }}
),

pairs as (
    select
        candidate_pairs.identity_record_id_l,
        candidate_pairs.identity_record_id_r,
        {{ cdp_identity.matching_pair_columns() }}
    from candidate_pairs
    inner join records as l
        on candidate_pairs.identity_record_id_l = l.identity_record_id
    inner join records as r
        on candidate_pairs.identity_record_id_r = r.identity_record_id
),

compared as (
    select
        pairs.*,
        {{ cdp_identity.matching_gammas() }}
    from pairs
),

weighed as (
    select
        compared.*,
        {{ cdp_identity.matching_weights() }}
    from compared
),

prior_odds as (
    select {{ cdp_identity.matching_prior_weight('count(*)') }} as prior_weight
    from match_inputs
),

scored as (
    select
        weighed.identity_record_id_l,
        weighed.identity_record_id_r,
        prior_odds.prior_weight + {{ cdp_identity.matching_weight_sum() }} as match_weight,
        {{ cdp_identity.matching_explanation() }} as explanation,
        -- A record lacks its first or its last name; the two share their date of birth, email or phone exactly.
        (
            weighed.first_name_l is null or weighed.first_name_r is null
            or weighed.last_name_l is null or weighed.last_name_r is null
        ) as is_partial_name,
        (
            coalesce(weighed.date_of_birth_l = weighed.date_of_birth_r, false)
            or coalesce(weighed.email_l = weighed.email_r, false)
            or coalesce(weighed.phone_l = weighed.phone_r, false)
        ) as has_exact_identifier
    from weighed
    cross join prior_odds
),

-- Splink's threshold: the match weight of the lower bound's probability.
kept as (
    select
        identity_record_id_l,
        identity_record_id_r,
        match_weight,
        case
            when match_weight >= 0 then 1.0 / (1.0 + power(cast(2 as double), -match_weight))
            else power(cast(2 as double), match_weight) / (1.0 + power(cast(2 as double), match_weight))
        end as match_probability,
        explanation,
        is_partial_name,
        has_exact_identifier
    from scored
    where match_weight >= {{ cdp_identity.log2(
        var('review_band_lower_probability') ~ ' / (1 - ' ~ var('review_band_lower_probability') ~ ')') }}
),

-- Stored pairs touching a changed record that no longer score at or above the bound.
retired as (
    select stored.*
    from stored
    left outer join kept
        on stored.identity_record_id_l = kept.identity_record_id_l
            and stored.identity_record_id_r = kept.identity_record_id_r
    where kept.identity_record_id_l is null
        and (
            stored.identity_record_id_l in (select changed.identity_record_id from changed)
            or stored.identity_record_id_r in (select changed.identity_record_id from changed)
        )
),

final as (
    select
        kept.identity_record_id_l,
        kept.identity_record_id_r,
        kept.match_weight,
        kept.match_probability,
        kept.explanation,
        kept.is_partial_name,
        kept.has_exact_identifier,
        '{{ matching_model.version }}' as model_version,
        (select max(tracked.input_changed_at) from tracked) as input_watermark,
        true as is_current
    from kept
    union all
    select
        identity_record_id_l,
        identity_record_id_r,
        match_weight,
        match_probability,
        explanation,
        is_partial_name,
        has_exact_identifier,
        model_version,
        input_watermark,
        false as is_current
    from retired
)

select * from final
