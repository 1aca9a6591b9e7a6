-- Email consent per unified individual, from every system's evidence: the consent platform's events (matched
-- by the record they name, else by email), Marketing Cloud unsubscribes and unsubscribed subscribers, and
-- Salesforce's email opt-out flag. Per system the latest choice counts; across systems the most restrictive
-- wins after a merge: one opt-out anywhere suppresses the person everywhere. Source and time are kept for audit.

with consent_events as (
    select * from {{ ref('stg_consent__consent_events') }}
    where channel = 'email'
),

subscribers as (
    select * from {{ ref('stg_marketing_cloud__subscribers') }}
),

unsubscribes as (
    select * from {{ ref('stg_marketing_cloud__unsubscribes') }}
),

contacts as (
    select * from {{ ref('stg_salesforce__contacts') }}
),

links as (
    select * from {{ ref('int_identity_records__linked') }}
),

email_identifiers as (
    select * from {{ ref('int_identity_identifiers__unpivoted') }}
    where identifier_type = 'email'
),

events_by_record as (
    select
        links.unified_individual_id,
        consent_events.source_system,
        consent_events.status,
        consent_events.captured_at
    from consent_events
    inner join links
        on consent_events.source_system = links.source_system
            and consent_events.source_record_id = links.source_record_id
),

events_by_email as (
    select distinct
        links.unified_individual_id,
        consent_events.source_system,
        consent_events.status,
        consent_events.captured_at
    from consent_events
    inner join email_identifiers
        on consent_events.email = email_identifiers.identifier_value
    inner join links
        on email_identifiers.identity_record_id = links.identity_record_id
    where not exists (
            select 1
            from links as named
            where named.source_system = consent_events.source_system
                and named.source_record_id = consent_events.source_record_id
        )
),

marketing_cloud_opt_outs as (
    select
        links.unified_individual_id,
        'marketing_cloud' as source_system,
        'opt_out' as status,
        coalesce(subscribers.unsubscribed_at, subscribers.joined_at) as captured_at
    from subscribers
    inner join links
        on links.identity_record_id = {{ identity_record_id('marketing_cloud', 'subscribers.subscriber_key') }}
    where subscribers.status = 'unsubscribed'
    union all
    select
        links.unified_individual_id,
        'marketing_cloud' as source_system,
        'opt_out' as status,
        unsubscribes.unsubscribed_at as captured_at
    from unsubscribes
    inner join links
        on links.identity_record_id = {{ identity_record_id('marketing_cloud', 'unsubscribes.subscriber_key') }}
),

salesforce_opt_outs as (
    select
        links.unified_individual_id,
        'salesforce' as source_system,
        'opt_out' as status,
        contacts.updated_at as captured_at
    from contacts
    inner join links
        on links.identity_record_id = {{ identity_record_id('salesforce', 'contacts.contact_id') }}
    where contacts.has_opted_out_of_email
),

evidence as (
    select * from events_by_record
    union all
    select * from events_by_email
    union all
    select * from marketing_cloud_opt_outs
    union all
    select * from salesforce_opt_outs
),

-- Per individual and system, the latest choice (an opt-out wins a tie).
latest_per_system as (
    select *
    from evidence
    qualify row_number() over (
            partition by unified_individual_id, source_system
            order by captured_at desc nulls last, case when status = 'opt_out' then 0 else 1 end
        ) = 1
),

opt_outs as (
    select
        unified_individual_id,
        source_system as email_opt_out_source_system,
        captured_at as email_opted_out_at
    from latest_per_system
    where status = 'opt_out'
    qualify row_number() over (
            partition by unified_individual_id order by captured_at desc nulls last, source_system asc
        ) = 1
),

latest_overall as (
    select
        unified_individual_id,
        status as latest_email_consent_status,
        captured_at as latest_email_consent_at
    from evidence
    qualify row_number() over (
            partition by unified_individual_id order by captured_at desc nulls last, status asc
        ) = 1
),

final as (
    select
        latest_overall.unified_individual_id,
        opt_outs.email_opt_out_source_system,
        latest_overall.latest_email_consent_status,
        opt_outs.unified_individual_id is not null as is_email_opted_out,
        opt_outs.email_opted_out_at,
        latest_overall.latest_email_consent_at
    from latest_overall
    left outer join opt_outs
        on latest_overall.unified_individual_id = opt_outs.unified_individual_id
)

select * from final
