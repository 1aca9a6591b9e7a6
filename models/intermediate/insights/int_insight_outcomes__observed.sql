-- What happened to every active unified individual in the insight_outcome_window_days after each training and
-- holdout snapshot (the labels the trained insight models learn and are back-tested on): churned (no purchase,
-- booking, certification, website or app activity in the window), upgraded (a club tier period of a higher tier than
-- the one held on the snapshot date began in the window) and the course actually enrolled in next (the first LMS
-- enrollment in the window). The scoring snapshot (run_date) has no outcome yet.
--
-- Incremental by individual (macros/insights/incremental_by_individual.sql): a run rewrites the individuals whose
-- features fingerprint (their activities, tier periods and the snapshot vars) is not the one stored here.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='unified_individual_id',
        on_schema_change='fail',
        post_hook="{{ cdp_identity.delete_individuals_not_in(ref('int_insight_features__as_of')) }}",
    )
}}

with snapshots as (
    select * from {{ ref('int_insight_snapshots__listed') }}
    where snapshot_role != 'scoring'
),

-- The features rows of the individuals this run writes: all, or those whose fingerprint is not stored.
features as (
    select all_features.*
    from {{ ref('int_insight_features__as_of') }} as all_features
    where all_features.snapshot_role != 'scoring'
        {%- if is_incremental() %}
            and not exists (
                select 1
                from {{ this }} as stored_rows
                where stored_rows.unified_individual_id = all_features.unified_individual_id
                    and stored_rows.input_fingerprint = all_features.input_fingerprint
            )
        {%- endif %}
),

rebuilt_individuals as (
    select distinct unified_individual_id
    from features
),

activities as (
    select all_activities.*
    from {{ ref('int_individual_activities__unioned') }} as all_activities
    inner join rebuilt_individuals
        on all_activities.unified_individual_id = rebuilt_individuals.unified_individual_id
),

tier_periods as (
    select all_tier_periods.*
    from {{ ref('int_club_tier_periods__linked') }} as all_tier_periods
    inner join rebuilt_individuals
        on all_tier_periods.unified_individual_id = rebuilt_individuals.unified_individual_id
),

window_activities as (
    select
        snapshots.snapshot_date,
        activities.unified_individual_id,
        activities.activity_type,
        activities.course_code,
        activities.activity_at
    from snapshots
    inner join activities
        on snapshots.snapshot_at <= activities.activity_at
            and snapshots.outcome_window_end_at > activities.activity_at
),

activity_counts as (
    select
        snapshot_date,
        unified_individual_id,
        count(
            case when activity_type in ('purchase', 'booking', 'certification', 'web', 'app') then 1 end
        ) as window_activity_count
    from window_activities
    group by snapshot_date, unified_individual_id
),

next_enrollments as (
    select
        snapshot_date,
        unified_individual_id,
        course_code as next_enrolled_course_code
    from window_activities
    where activity_type = 'enrollment'
        and course_code is not null
    qualify row_number() over (
            partition by snapshot_date, unified_individual_id
            order by activity_at, course_code
        ) = 1
),

window_tiers as (
    select
        snapshots.snapshot_date,
        tier_periods.unified_individual_id,
        max(tier_periods.tier_rank) as highest_new_tier_rank
    from snapshots
    inner join tier_periods
        on snapshots.snapshot_date < tier_periods.valid_from_date
            and tier_periods.valid_from_date < cast(snapshots.outcome_window_end_at as date)
    group by snapshots.snapshot_date, tier_periods.unified_individual_id
),

final as (
    select
        features.snapshot_role,
        features.unified_individual_id,
        next_enrollments.next_enrolled_course_code,
        coalesce(activity_counts.window_activity_count, 0) as window_activity_count,
        coalesce(activity_counts.window_activity_count, 0) = 0 as is_churned,
        features.club_tier_rank > 0
        and coalesce(window_tiers.highest_new_tier_rank, 0) > features.club_tier_rank as has_upgraded,
        features.snapshot_date,
        features.input_fingerprint
    from features
    left outer join activity_counts
        on features.snapshot_date = activity_counts.snapshot_date
            and features.unified_individual_id = activity_counts.unified_individual_id
    left outer join next_enrollments
        on features.snapshot_date = next_enrollments.snapshot_date
            and features.unified_individual_id = next_enrollments.unified_individual_id
    left outer join window_tiers
        on features.snapshot_date = window_tiers.snapshot_date
            and features.unified_individual_id = window_tiers.unified_individual_id
)

select * from final
