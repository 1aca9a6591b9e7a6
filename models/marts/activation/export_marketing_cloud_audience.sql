-- The Marketing Cloud audience: one row per active unified individual eligible for email (an email, no opt-out in
-- any system, under the cross-journey frequency cap), with the subscriber key to send to, the email, the person's
-- segments and next best action. Who was left out, and why, is in email_suppressions.
-- Subscriber key: the person's key whose email is the profile email, else the most recently active key (an active
-- status first, then the latest send, open or click, else the latest join); a person with no key gets their unified
-- ID as a new subscriber key.

with eligibility as (
    select * from {{ ref('int_email_eligibility__evaluated') }}
),

profiles as (
    select * from {{ ref('unified_profiles') }}
),

insights as (
    select * from {{ ref('calculated_insights') }}
),

segments as (
    select * from {{ ref('segment_memberships') }}
),

subscribers as (
    select * from {{ ref('stg_marketing_cloud__subscribers') }}
),

sends as (
    select * from {{ ref('stg_marketing_cloud__sends') }}
),

opens as (
    select * from {{ ref('stg_marketing_cloud__opens') }}
),

clicks as (
    select * from {{ ref('stg_marketing_cloud__clicks') }}
),

links as (
    select * from {{ ref('unified_links') }}
),

subscriber_events as (
    select
        subscriber_key,
        sent_at as event_at
    from sends
    union all
    select
        subscriber_key,
        opened_at as event_at
    from opens
    union all
    select
        subscriber_key,
        clicked_at as event_at
    from clicks
),

subscriber_activity as (
    select
        subscriber_key,
        max(event_at) as last_event_at
    from subscriber_events
    group by subscriber_key
),

chosen_keys as (
    select
        links.unified_individual_id,
        subscribers.subscriber_key
    from subscribers
    inner join links
        on links.identity_record_id = 'marketing_cloud:' || subscribers.subscriber_key
    inner join eligibility
        on links.unified_individual_id = eligibility.unified_individual_id
    left outer join subscriber_activity
        on subscribers.subscriber_key = subscriber_activity.subscriber_key
    qualify row_number() over (
            partition by links.unified_individual_id
            order by
                case when subscribers.email = eligibility.email then 0 else 1 end asc,
                case when subscribers.status = 'active' then 0 else 1 end asc,
                coalesce(subscriber_activity.last_event_at, subscribers.joined_at) desc nulls last,
                subscribers.subscriber_key asc
        ) = 1
),

segment_lists as (
    select
        unified_individual_id,
        count(*) as segment_count,
        {{ dbt.listagg('segment_name', "','", 'order by segment_name') }} as segment_names
    from segments
    group by unified_individual_id
),

final as (
    select
        eligibility.unified_individual_id,
        coalesce(chosen_keys.subscriber_key, eligibility.unified_individual_id) as subscriber_key,
        eligibility.email,
        profiles.first_name,
        segment_lists.segment_names,
        insights.next_best_action,
        insights.next_best_action_course_code,
        insights.next_best_action_course_name,
        insights.next_best_action_destination_code,
        insights.next_best_action_destination_name,
        cast(coalesce(segment_lists.segment_count, 0) as integer) as segment_count,
        cast(eligibility.email_send_count as integer) as email_send_count,
        chosen_keys.subscriber_key is null as is_new_subscriber,
        cast('{{ var("run_date") }}' as date) as audience_as_of
    from eligibility
    left outer join chosen_keys
        on eligibility.unified_individual_id = chosen_keys.unified_individual_id
    left outer join profiles
        on eligibility.unified_individual_id = profiles.unified_individual_id
    left outer join insights
        on eligibility.unified_individual_id = insights.unified_individual_id
    left outer join segment_lists
        on eligibility.unified_individual_id = segment_lists.unified_individual_id
    where eligibility.is_email_eligible
)

select * from final
