-- Segment memberships as of run_date: one row per (segment, active unified individual), with the reason in words.
-- Thresholds are vars (dbt_project.yml); scores come from int_individual_insights__joined.

{%- set run_date = as_of_date() %}

with active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

profiles as (
    select * from {{ ref('int_unified_profiles__joined') }}
),

insights as (
    select * from {{ ref('int_individual_insights__joined') }}
),

people as (
    select
        insights.*,
        profiles.club_tier,
        profiles.club_status,
        profiles.last_certified_at,
        profiles.last_booking_at,
        profiles.last_purchase_at,
        coalesce(profiles.certification_count, 0) as certification_count,
        coalesce(profiles.order_count, 0) as order_count
    from insights
    inner join active_individuals
        on insights.unified_individual_id = active_individuals.unified_individual_id
    inner join profiles
        on insights.unified_individual_id = profiles.unified_individual_id
),

recently_certified_no_travel as (
    select
        'recently_certified_no_travel' as segment_name,
        unified_individual_id,
        'certified in ' || coalesce(last_certified_course_code, last_certification_discipline, 'a course')
        || ' on ' || cast(cast(last_certified_at as date) as varchar)
        || ', no trip booked since; next course: ' || coalesce(next_best_action_course_code, 'none (top level)')
        || ', destination: ' || coalesce(next_best_action_destination_code, 'none') as segment_reason
    from people
    where last_certified_at is not null
        and cast(last_certified_at as date) <= {{ run_date }}
        and {{ dbt.datediff('cast(last_certified_at as date)', run_date, 'day') }}
        <= {{ var('segment_recently_certified_days') }}
        and (last_booking_at is null or last_booking_at < last_certified_at)
),

high_churn_risk_club_members as (
    select
        'high_churn_risk_club_members' as segment_name,
        unified_individual_id,
        'active ' || coalesce(club_tier, 'club') || ' member with churn risk '
        || cast(round(churn_risk_score, 2) as varchar) as segment_reason
    from people
    where club_status = 'active'
        and churn_risk_score >= {{ var('high_churn_risk_threshold') }}
),

membership_upgrade_candidates as (
    select
        'membership_upgrade_candidates' as segment_name,
        unified_individual_id,
        coalesce(club_tier, 'club') || ' member with upgrade likelihood '
        || cast(round(membership_upgrade_likelihood, 2) as varchar) as segment_reason
    from people
    where membership_upgrade_likelihood >= {{ var('membership_upgrade_candidate_threshold') }}
),

lapsed_purchasers as (
    select
        'lapsed_purchasers' as segment_name,
        unified_individual_id,
        'last purchase ' || cast(recency_days as varchar) || ' days ago, '
        || cast(order_count as varchar) || ' orders in total' as segment_reason
    from people
    where order_count > 0
        and recency_days > {{ var('segment_lapsed_purchaser_days') }}
),

engaged_learners_without_purchase as (
    select
        'engaged_learners_without_purchase' as segment_name,
        unified_individual_id,
        cast(certification_count as varchar) || ' certifications, engagement score '
        || cast(round(engagement_score, 1) as varchar) || ', no purchase' as segment_reason
    from people
    where certification_count > 0
        and order_count = 0
        and engagement_score >= {{ var('segment_engaged_learner_min_engagement') }}
),

unioned as (
    select * from recently_certified_no_travel
    union all
    select * from high_churn_risk_club_members
    union all
    select * from membership_upgrade_candidates
    union all
    select * from lapsed_purchasers
    union all
    select * from engaged_learners_without_purchase
),

final as (
    select
        segment_name,
        unified_individual_id,
        segment_reason,
        {{ run_date }} as entered_date
    from unioned
)

select * from final
