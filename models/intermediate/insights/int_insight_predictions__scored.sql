-- The churn and membership-upgrade scores of every active unified individual at every insight snapshot: the
-- trained models' probabilities (the weighted sums of macros/insights/insight_models.sql, rendered from
-- cdp/insights/insight_models.json by `cdp train-insights`; null when no model is trained) and the fixed formulas
-- (macros/insights/fixed_insight_scores.sql) computed from the same point-in-time features, the baseline that
-- back-testing compares them with. The upgrade scores are 0 for anyone not a club member below the top tier on the
-- snapshot date. The scoring snapshot (run_date) feeds int_individual_scores__calculated.

with features as (
    select * from {{ ref('int_insight_features__as_of') }}
),

formulas as (
    select
        *,
        {{ fixed_engagement_score(
            'email_opens_90d', 'email_clicks_90d', 'digital_events_90d', 'purchases_365d',
            'case when is_recently_certified then 1.0 else 0.0 end'
        ) }} as engagement_score_formula
    from features
),

final as (
    select
        snapshot_role,
        unified_individual_id,
        cast({{ churn_probability() }} as double) as churn_probability,
        cast(case
            when is_upgrade_eligible then {{ upgrade_probability() }}
            else 0.0
        end as double) as upgrade_probability,
        cast({{ fixed_churn_risk('last_activity_days', 'engagement_score_formula') }} as double)
            as churn_risk_formula,
        cast({{ fixed_upgrade_likelihood(
            'is_upgrade_eligible', 'engagement_score_formula', 'revenue_365d', 'certifications_total'
        ) }} as double) as upgrade_likelihood_formula,
        cast(engagement_score_formula as double) as engagement_score_formula,
        snapshot_date
    from formulas
)

select * from final
