-- Every dated thing each active unified individual did, one row per event, for the point-in-time features and
-- outcomes of the trained insight models (int_insight_features__as_of, int_insight_outcomes__observed): purchases
-- (store orders and data-lake purchases, the amount gross of later refunds in var reporting_currency), travel
-- bookings, LMS enrollments (with their course) and certifications, website and app events, email opens and
-- clicks. Only what was known when the event happened: no status or amount that a later event changes.

with money_amounts as (
    select * from {{ ref('int_money_amounts__converted') }}
    where amount_kind in ('store_order', 'lake_purchase')
),

-- The store orders, keyed as their money amounts are (kind and ID), so the join below is on equal keys alone: a
-- constant in a left join's condition would make it a nested loop over every order and amount.
orders as (
    select
        'store_order' as amount_kind,
        order_id,
        total_price
    from {{ ref('stg_commerce__orders') }}
),

bookings as (
    select * from {{ ref('stg_travel__bookings') }}
),

enrollments as (
    select * from {{ ref('stg_lms__enrollments') }}
),

certifications as (
    select * from {{ ref('stg_lms__certifications') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

app_events as (
    select * from {{ ref('stg_mobile_app__app_events') }}
),

opens as (
    select * from {{ ref('stg_marketing_cloud__opens') }}
),

clicks as (
    select * from {{ ref('stg_marketing_cloud__clicks') }}
),

links as (
    select * from {{ ref('int_identity_records__linked') }}
),

active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

purchases as (
    select
        money_amounts.unified_individual_id,
        'purchase' as activity_type,
        cast(money_amounts.source_amount_id as varchar) as activity_source_id,
        cast(null as varchar) as course_code,
        cast(round(
            coalesce(orders.total_price, money_amounts.amount) * money_amounts.rate_to_reporting, 2
        ) as double) as amount_in_reporting_currency,
        money_amounts.occurred_at as activity_at
    from money_amounts
    left outer join orders
        on money_amounts.amount_kind = orders.amount_kind
            and money_amounts.source_amount_id = orders.order_id
),

linked_events as (
    select
        links.unified_individual_id,
        'booking' as activity_type,
        cast(bookings.booking_reference as varchar) as activity_source_id,
        cast(null as varchar) as course_code,
        cast(null as double) as amount_in_reporting_currency,
        bookings.booked_at as activity_at
    from bookings
    inner join links
        on links.identity_record_id = {{ identity_record_id('travel', 'bookings.booking_reference') }}
    union all
    select
        links.unified_individual_id,
        'enrollment' as activity_type,
        cast(enrollments.enrollment_id as varchar) as activity_source_id,
        enrollments.course_code,
        cast(null as double) as amount_in_reporting_currency,
        enrollments.enrolled_at as activity_at
    from enrollments
    inner join links
        on links.identity_record_id = {{ identity_record_id('lms', 'enrollments.learner_id') }}
    union all
    select
        links.unified_individual_id,
        'certification' as activity_type,
        cast(certifications.certification_id as varchar) as activity_source_id,
        certifications.course_code,
        cast(null as double) as amount_in_reporting_currency,
        certifications.issued_at as activity_at
    from certifications
    inner join links
        on links.identity_record_id = {{ identity_record_id('lms', 'certifications.learner_id') }}
    union all
    select
        links.unified_individual_id,
        'web' as activity_type,
        cast(web_events.event_id as varchar) as activity_source_id,
        cast(null as varchar) as course_code,
        cast(null as double) as amount_in_reporting_currency,
        web_events.event_at as activity_at
    from web_events
    inner join links
        on web_events.anonymous_id = links.source_record_id
            and links.source_system = 'web'
    union all
    select
        links.unified_individual_id,
        'app' as activity_type,
        cast(app_events.event_id as varchar) as activity_source_id,
        cast(null as varchar) as course_code,
        cast(null as double) as amount_in_reporting_currency,
        app_events.event_at as activity_at
    from app_events
    inner join links
        on app_events.device_id = links.source_record_id
            and links.source_system = 'mobile_app'
            and links.record_type = 'device'
    union all
    select
        links.unified_individual_id,
        'email_open' as activity_type,
        cast(opens.event_id as varchar) as activity_source_id,
        cast(null as varchar) as course_code,
        cast(null as double) as amount_in_reporting_currency,
        opens.opened_at as activity_at
    from opens
    inner join links
        on links.identity_record_id = {{ identity_record_id('marketing_cloud', 'opens.subscriber_key') }}
    union all
    select
        links.unified_individual_id,
        'email_click' as activity_type,
        cast(clicks.event_id as varchar) as activity_source_id,
        cast(null as varchar) as course_code,
        cast(null as double) as amount_in_reporting_currency,
        clicks.clicked_at as activity_at
    from clicks
    inner join links
        on links.identity_record_id = {{ identity_record_id('marketing_cloud', 'clicks.subscriber_key') }}
),

unioned as (
    select * from purchases
    union all
    select * from linked_events
),

final as (
    select
        unioned.unified_individual_id,
        unioned.activity_type,
        unioned.activity_source_id,
        unioned.course_code,
        unioned.amount_in_reporting_currency,
        unioned.activity_at
    from unioned
    inner join active_individuals
        on unioned.unified_individual_id = active_individuals.unified_individual_id
    where unioned.activity_at is not null
)

select * from final
