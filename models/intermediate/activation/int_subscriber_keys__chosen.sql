-- The Marketing Cloud subscriber key to send to, per active unified individual who has one: the person's key whose
-- email is the profile email, else the most recently active key (an active status first, then the latest send, open
-- or click, else the latest join). People with no key are not here (the audience gives them their unified ID).

with eligibility as (
    select * from {{ ref('int_email_eligibility__evaluated') }}
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

linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
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

final as (
    select
        linked_records.unified_individual_id,
        subscribers.subscriber_key
    from subscribers
    inner join linked_records
        on linked_records.identity_record_id = {{ identity_record_id('marketing_cloud', 'subscribers.subscriber_key') }}
    inner join eligibility
        on linked_records.unified_individual_id = eligibility.unified_individual_id
    left outer join subscriber_activity
        on subscribers.subscriber_key = subscriber_activity.subscriber_key
    qualify row_number() over (
            partition by linked_records.unified_individual_id
            order by
                case when subscribers.email = eligibility.email then 0 else 1 end asc,
                case when subscribers.status = 'active' then 0 else 1 end asc,
                coalesce(subscriber_activity.last_event_at, subscribers.joined_at) desc nulls last,
                subscribers.subscriber_key asc
        ) = 1
)

select * from final
