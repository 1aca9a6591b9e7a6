-- One row per active unified individual: scores (RFM, engagement, churn risk, membership upgrade likelihood,
-- lifetime value) and the next best action, as of run_date. Formulas: _insights__docs.md.

with active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

scores as (
    select * from {{ ref('int_individual_scores__calculated') }}
),

offers as (
    select * from {{ ref('int_next_best_offers__selected') }}
),

final as (
    select
        active_individuals.unified_individual_id,
        scores.rfm_segment,
        case
            when offers.next_course_code is not null then 'enroll_next_course'
            when offers.next_destination_code is not null then 'book_destination_trip'
            when scores.membership_upgrade_likelihood >= {{ var('membership_upgrade_candidate_threshold') }}
                then 'upgrade_membership'
            when scores.churn_risk_score >= {{ var('high_churn_risk_threshold') }} then 'win_back'
            when scores.rfm_segment = 'no_purchase' then 'first_purchase_offer'
            else 'nurture'
        end as next_best_action,
        offers.next_course_code as next_best_action_course_code,
        offers.next_course_name as next_best_action_course_name,
        offers.next_destination_code as next_best_action_destination_code,
        offers.next_destination_name as next_best_action_destination_name,
        offers.last_certification_discipline,
        offers.last_certified_course_code,
        scores.recency_days,
        scores.frequency,
        scores.monetary,
        scores.recency_score,
        scores.frequency_score,
        scores.monetary_score,
        scores.engagement_score,
        scores.churn_risk_score,
        scores.membership_upgrade_likelihood,
        scores.lifetime_value,
        cast('{{ var("run_date") }}' as date) as insights_as_of,
        scores.last_activity_at
    from active_individuals
    inner join scores
        on active_individuals.unified_individual_id = scores.unified_individual_id
    left outer join offers
        on active_individuals.unified_individual_id = offers.unified_individual_id
)

select * from final
