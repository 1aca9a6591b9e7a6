-- Scores stay in their ranges: engagement 0-100, churn risk and upgrade likelihood 0-1, RFM scores 1-5.

with insights as (
    select * from {{ ref('calculated_insights') }}
),

final as (
    select
        unified_individual_id,
        engagement_score,
        churn_risk_score,
        membership_upgrade_likelihood,
        recency_score,
        frequency_score,
        monetary_score
    from insights
    where engagement_score is null or engagement_score < 0 or engagement_score > 100
        or churn_risk_score is null or churn_risk_score < 0 or churn_risk_score > 1
        or membership_upgrade_likelihood is null or membership_upgrade_likelihood < 0
        or membership_upgrade_likelihood > 1
        or recency_score not between 1 and 5
        or frequency_score not between 1 and 5
        or monetary_score not between 1 and 5
)

select * from final
