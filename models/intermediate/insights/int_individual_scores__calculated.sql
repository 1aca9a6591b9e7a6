-- Scores of every active unified individual as of run_date, from their unified profile: RFM, engagement,
-- churn risk, membership upgrade likelihood and lifetime value. Every formula, weight and bound is documented
-- in models/marts/insights/_insights__docs.md; the policy numbers are vars. Churn risk and upgrade likelihood are the
-- trained models' probabilities at the scoring snapshot (int_insight_predictions__scored) when a model is trained
-- (macros/insights/insight_models.sql) and var use_trained_insight_models is true; else the fixed formulas.

{%- set run_date = as_of_date() %}
{%- set tiers = var('club_tier_order') %}
{%- set use_trained = var('use_trained_insight_models') and (insight_models_trained() | trim) == 'true' %}
{%- set is_upgrade_eligible = "club_status = 'active' and club_tier_rank < " ~ (tiers | length) %}
{%- if use_trained %}
    {%- set churn_risk = 'round(churn_probability, 4)' %}
    {%- set upgrade_likelihood = 'case when ' ~ is_upgrade_eligible
        ~ ' then round(coalesce(upgrade_probability, 0.0), 4) else 0.0 end' %}
{%- else %}
    {%- set churn_risk = fixed_churn_risk('inactivity_days', 'engagement_score') %}
    {%- set upgrade_likelihood = fixed_upgrade_likelihood(
        is_upgrade_eligible, 'engagement_score', 'monetary', 'certification_count') %}
{%- endif %}

with profiles as (
    select * from {{ ref('int_unified_profiles__joined') }}
),

active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

predictions as (
    select * from {{ ref('int_insight_predictions__scored') }}
    where snapshot_role = 'scoring'
),

measures as (
    select
        profiles.unified_individual_id,
        profiles.club_tier,
        profiles.club_status,
        predictions.churn_probability,
        predictions.upgrade_probability,
        case
            when profiles.last_purchase_at is not null
                then {{ dbt.datediff('cast(profiles.last_purchase_at as date)', run_date, 'day') }}
        end as recency_days,
        coalesce(profiles.order_count_365d, 0) as frequency,  -- noqa: RF04
        cast(coalesce(profiles.revenue_365d, 0) as double) as monetary,
        cast(coalesce(profiles.revenue_total, 0) as double) as revenue_total,
        coalesce(profiles.order_count, 0) as order_count,
        coalesce(profiles.certification_count, 0) as certification_count,
        -- Snowflake's greatest() is null when any argument is: compare non-null stand-ins, then restore the null.
        nullif(greatest(
            coalesce(cast(profiles.last_purchase_at as timestamp), cast('1900-01-01' as timestamp)),
            coalesce(cast(profiles.last_booking_at as timestamp), cast('1900-01-01' as timestamp)),
            coalesce(cast(profiles.last_certified_at as timestamp), cast('1900-01-01' as timestamp)),
            coalesce(cast(profiles.last_digital_activity_at as timestamp), cast('1900-01-01' as timestamp))
        ), cast('1900-01-01' as timestamp)) as last_activity_at,
        case
            when profiles.last_certified_at is not null
                and {{ dbt.datediff('cast(profiles.last_certified_at as date)', run_date, 'day') }}
                <= {{ var('engagement_learning_days') }}
                then 1.0
            else 0.0
        end as learning_component,
        coalesce(profiles.emails_opened_90d, 0) as emails_opened_90d,
        coalesce(profiles.emails_clicked_90d, 0) as emails_clicked_90d,
        coalesce(profiles.web_event_count_90d, 0) + coalesce(profiles.app_event_count_90d, 0) as digital_events_90d,
        case profiles.club_tier
            {%- for tier in tiers %}
                when '{{ tier }}' then {{ loop.index }}
            {%- endfor %}
        end as club_tier_rank
    from profiles
    inner join active_individuals
        on profiles.unified_individual_id = active_individuals.unified_individual_id
    left outer join predictions
        on profiles.unified_individual_id = predictions.unified_individual_id
),

engagement as (
    select
        *,
        {{ fixed_engagement_score(
            'emails_opened_90d', 'emails_clicked_90d', 'digital_events_90d', 'frequency', 'learning_component'
        ) }} as engagement_score,
        case
            when last_activity_at is not null
                then {{ dbt.datediff('cast(last_activity_at as date)', run_date, 'day') }}
        end as inactivity_days
    from measures
),

scored as (
    select
        *,
        {{ churn_risk }} as churn_risk_score,
        case
            when recency_days is null then 1
            {%- for bound in var('rfm_recency_days_bounds') %}
                when recency_days <= {{ bound }} then {{ 5 - loop.index0 }}
            {%- endfor %}
            else 1
        end as recency_score,
        1
        {%- for bound in var('rfm_frequency_bounds') %}
            + case when frequency >= {{ bound }} then 1 else 0 end
        {%- endfor %} as frequency_score,
        1
        {%- for bound in var('rfm_monetary_bounds') %}
            + case when monetary >= {{ bound }} then 1 else 0 end
        {%- endfor %} as monetary_score,
        {{ upgrade_likelihood }} as membership_upgrade_likelihood
    from engagement
),

final as (
    select
        unified_individual_id,
        case
            when order_count = 0 then 'no_purchase'
            when recency_score >= 4 and frequency_score >= 4 then 'champions'
            when recency_score >= 3 and frequency_score >= 3 then 'loyal'
            when recency_score >= 4 then 'new_or_returning'
            when recency_score <= 2 and (frequency_score >= 3 or monetary_score >= 4) then 'at_risk'
            when recency_score <= 2 then 'hibernating'
            else 'needs_attention'
        end as rfm_segment,
        cast(recency_days as integer) as recency_days,
        cast(frequency as integer) as frequency,  -- noqa: RF04
        cast(monetary as double) as monetary,
        cast(recency_score as integer) as recency_score,
        cast(frequency_score as integer) as frequency_score,
        cast(monetary_score as integer) as monetary_score,
        cast(engagement_score as double) as engagement_score,
        cast(churn_risk_score as double) as churn_risk_score,
        cast(membership_upgrade_likelihood as double) as membership_upgrade_likelihood,
        cast(round(
            revenue_total + monetary * {{ var('lifetime_value_projection_years') }} * (1.0 - churn_risk_score), 2
        ) as double) as lifetime_value,
        last_activity_at
    from scored
)

select * from final
