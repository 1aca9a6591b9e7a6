-- Point-in-time features of every active unified individual at every insight snapshot (int_insight_snapshots__listed):
-- ordinary behavioural aggregates of what happened before the snapshot (int_individual_activities__unioned: only
-- activity_at < snapshot_at is read) and the club tier held on the snapshot date (int_club_tier_periods__linked:
-- only periods that began by then). Nothing after the snapshot is read; the unit test
-- test_int_insight_features__as_of_ignores_the_future proves it. Day counts are capped at
-- insight_feature_max_days, and a person with nothing of a kind gets the cap, so every feature is a number.
-- The trained models (cdp/insights/insight_models.json) are weighted sums of these columns; the fixed formulas'
-- inputs (is_recently_certified, the 90-day email and digital counts, revenue_365d) are here too.
--
-- Incremental by individual: each row carries input_fingerprint, a hash of the individual's activities, club tier
-- periods and the vars and snapshot dates the features follow; a run rewrites the individuals whose fingerprint is
-- not the one stored (new, changed, re-linked, or every one when a var or run_date moves) and deletes those no
-- longer active. The fingerprints read every activity, the aggregates only the rewritten individuals'.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='unified_individual_id',
        on_schema_change='fail',
        post_hook="{{ cdp_identity.delete_individuals_not_in(ref('int_unified_individuals__active')) }}",
    )
}}

{%- set max_days = var('insight_feature_max_days') | int %}
{%- set churn_activity_types = "('purchase', 'booking', 'certification', 'web', 'app')" %}
{%- set tiers = var('club_tier_order') %}
{%- set policy = local_md5(tojson([
    var('insight_training_snapshot_dates'), var('insight_holdout_snapshot_date'), var('run_date'),
    var('insight_outcome_window_days'), max_days, var('engagement_learning_days'), tiers,
])) %}

with snapshots as (
    select * from {{ ref('int_insight_snapshots__listed') }}
),

activities as (
    select * from {{ ref('int_individual_activities__unioned') }}
),

tier_periods as (
    select * from {{ ref('int_club_tier_periods__linked') }}
),

active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

activity_fingerprints as (
    select
        unified_individual_id,
        {{ cdp_identity.cdp_bit_xor_agg(cdp_identity.cdp_row_hash([
            'activity_type', 'activity_source_id', 'course_code', 'amount_in_reporting_currency', 'activity_at',
        ])) }} as activity_fingerprint
    from activities
    group by unified_individual_id
),

tier_fingerprints as (
    select
        unified_individual_id,
        {{ cdp_identity.cdp_bit_xor_agg(cdp_identity.cdp_row_hash([
            'tier_rank', 'valid_from_date', 'valid_to_date',
        ])) }} as tier_fingerprint
    from tier_periods
    group by unified_individual_id
),

input_fingerprints as (
    select
        active_individuals.unified_individual_id,
        -- as text: the hash's own type differs between engines (DuckDB's is unsigned)
        cast({{ cdp_identity.cdp_row_hash([
            'coalesce(activity_fingerprints.activity_fingerprint, 0)',
            'coalesce(tier_fingerprints.tier_fingerprint, 0)', "'" ~ policy ~ "'",
        ]) }} as varchar) as input_fingerprint
    from active_individuals
    left outer join activity_fingerprints
        on active_individuals.unified_individual_id = activity_fingerprints.unified_individual_id
    left outer join tier_fingerprints
        on active_individuals.unified_individual_id = tier_fingerprints.unified_individual_id
),

-- The individuals this run writes: all of them, or on an incremental run those whose fingerprint is not stored.
rebuilt_individuals as (
    select
        input_fingerprints.unified_individual_id,
        input_fingerprints.input_fingerprint
    from input_fingerprints
    {%- if is_incremental() %}
        where not exists (
                select 1
                from {{ this }} as stored_rows
                where stored_rows.unified_individual_id = input_fingerprints.unified_individual_id
                    and stored_rows.input_fingerprint = input_fingerprints.input_fingerprint
            )
    {%- endif %}
),

rebuilt_activities as (
    select activities.*
    from activities
    inner join rebuilt_individuals
        on activities.unified_individual_id = rebuilt_individuals.unified_individual_id
),

rebuilt_tier_periods as (
    select tier_periods.*
    from tier_periods
    inner join rebuilt_individuals
        on tier_periods.unified_individual_id = rebuilt_individuals.unified_individual_id
),

known_activities as (
    select
        snapshots.snapshot_date,
        rebuilt_activities.unified_individual_id,
        rebuilt_activities.activity_type,
        rebuilt_activities.amount_in_reporting_currency,
        rebuilt_activities.activity_at,
        {{ dbt.datediff('cast(rebuilt_activities.activity_at as date)', 'snapshots.snapshot_date', 'day') }}
            as days_before
    from snapshots
    inner join rebuilt_activities
        on snapshots.snapshot_at > rebuilt_activities.activity_at
),

activity_summary as (
    select
        snapshot_date,
        unified_individual_id,
        min(case when activity_type in {{ churn_activity_types }} then days_before end) as last_activity_days,
        min(case when activity_type = 'purchase' then days_before end) as last_purchase_days,
        min(case when activity_type = 'certification' then days_before end) as last_certification_days,
        count(case when activity_type = 'purchase' then 1 end) as purchases_total,
        count(case when activity_type = 'purchase' and days_before < 365 then 1 end) as purchases_365d,
        coalesce(sum(
            case when activity_type = 'purchase' and days_before < 365 then amount_in_reporting_currency end
        ), 0) as revenue_365d,
        count(case when activity_type = 'booking' and days_before < 365 then 1 end) as bookings_365d,
        count(case when activity_type in ('web', 'app') and days_before < 30 then 1 end) as digital_events_30d,
        count(case when activity_type in ('web', 'app') and days_before < 90 then 1 end) as digital_events_90d,
        count(case when activity_type = 'email_open' and days_before < 90 then 1 end) as email_opens_90d,
        count(case when activity_type = 'email_click' and days_before < 90 then 1 end) as email_clicks_90d,
        count(case when activity_type = 'enrollment' and days_before < 365 then 1 end) as enrollments_365d,
        count(case when activity_type = 'certification' then 1 end) as certifications_total,
        count(distinct case
            when activity_type in {{ churn_activity_types }} and days_before < 365
                then {{ dbt.date_trunc('month', 'activity_at') }}
        end) as active_months_365d,
        max(activity_at) as last_known_activity_at
    from known_activities
    group by snapshot_date, unified_individual_id
),

tiers_held as (
    select
        snapshots.snapshot_date,
        periods.unified_individual_id,
        max(
            case
                when periods.valid_to_date is null or periods.valid_to_date >= snapshots.snapshot_date
                    then periods.tier_rank
            end
        ) as club_tier_rank,
        min(periods.valid_from_date) as club_joined_date,
        max(
            case
                when periods.valid_to_date is null or periods.valid_to_date >= snapshots.snapshot_date
                    then periods.valid_from_date
            end
        ) as tier_since_date
    from snapshots
    inner join rebuilt_tier_periods as periods
        on snapshots.snapshot_date >= periods.valid_from_date
    group by snapshots.snapshot_date, periods.unified_individual_id
),

final as (
    select
        snapshots.snapshot_role,
        rebuilt_individuals.unified_individual_id,
        cast(least(coalesce(activity_summary.last_activity_days, {{ max_days }}), {{ max_days }}) as double)
            as last_activity_days,
        cast(least(coalesce(activity_summary.last_purchase_days, {{ max_days }}), {{ max_days }}) as double)
            as last_purchase_days,
        cast(least(coalesce(activity_summary.last_certification_days, {{ max_days }}), {{ max_days }}) as double)
            as last_certification_days,
        cast(coalesce(activity_summary.purchases_total, 0) as double) as purchases_total,
        cast(coalesce(activity_summary.purchases_365d, 0) as double) as purchases_365d,
        cast(coalesce(activity_summary.revenue_365d, 0) as double) as revenue_365d,
        cast(coalesce(activity_summary.bookings_365d, 0) as double) as bookings_365d,
        cast(coalesce(activity_summary.digital_events_30d, 0) as double) as digital_events_30d,
        cast(coalesce(activity_summary.digital_events_90d, 0) as double) as digital_events_90d,
        cast(coalesce(activity_summary.email_opens_90d, 0) as double) as email_opens_90d,
        cast(coalesce(activity_summary.email_clicks_90d, 0) as double) as email_clicks_90d,
        cast(coalesce(activity_summary.enrollments_365d, 0) as double) as enrollments_365d,
        cast(coalesce(activity_summary.certifications_total, 0) as double) as certifications_total,
        cast(coalesce(activity_summary.active_months_365d, 0) as double) as active_months_365d,
        cast(coalesce(tiers_held.club_tier_rank, 0) as double) as club_tier_rank,
        cast(case
            when tiers_held.club_tier_rank is not null
                then least(
                        {{ dbt.datediff('tiers_held.tier_since_date', 'snapshots.snapshot_date', 'day') }},
                        {{ max_days }}
                    )
            else 0
        end as double) as tier_days,
        activity_summary.last_activity_days is not null and activity_summary.last_activity_days < 365
            as has_activity_365d,
        coalesce(activity_summary.last_certification_days <= {{ var('engagement_learning_days') }}, false)
            as is_recently_certified,
        coalesce(tiers_held.club_tier_rank < {{ tiers | length }}, false) as is_upgrade_eligible,
        snapshots.snapshot_date,
        snapshots.snapshot_at,
        activity_summary.last_known_activity_at,
        rebuilt_individuals.input_fingerprint
    from snapshots
    cross join rebuilt_individuals
    left outer join activity_summary
        on snapshots.snapshot_date = activity_summary.snapshot_date
            and rebuilt_individuals.unified_individual_id = activity_summary.unified_individual_id
    left outer join tiers_held
        on snapshots.snapshot_date = tiers_held.snapshot_date
            and rebuilt_individuals.unified_individual_id = tiers_held.unified_individual_id
)

select * from final
