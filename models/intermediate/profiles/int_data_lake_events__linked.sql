-- One row per data-lake historical event up to the run date that reaches a unified individual: through its legacy
-- customer record when it names one, else through the identity records carrying its email, when they all belong
-- to one unified individual (an email spread over several people, e.g. a household's, attributes nothing).

with historical_events as (
    select * from {{ ref('stg_data_lake__historical_events') }}
    where event_at < {{ as_of_at() }}
),

linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
),

email_owners as (
    select
        email,
        min(unified_individual_id) as unified_individual_id
    from linked_records
    where email is not null
    group by email
    having count(distinct unified_individual_id) = 1
),

final as (
    select
        historical_events.event_id,
        coalesce(
            legacy_customer_links.unified_individual_id, email_owners.unified_individual_id
        ) as unified_individual_id,
        historical_events.event_type,
        historical_events.channel,
        case
            when legacy_customer_links.unified_individual_id is not null then 'legacy_customer_id'
            else 'email'
        end as link_method,
        historical_events.amount,
        historical_events.event_at
    from historical_events
    left outer join linked_records as legacy_customer_links
        on {{ identity_record_id('data_lake', 'historical_events.legacy_customer_id') }}
            = legacy_customer_links.identity_record_id
    left outer join email_owners
        on historical_events.email = email_owners.email
    where coalesce(legacy_customer_links.unified_individual_id, email_owners.unified_individual_id) is not null
)

select * from final
