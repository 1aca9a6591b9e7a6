-- One row per active unified individual (people with a deletion request are absent): golden attributes chosen by
-- the survivorship rules of var profile_survivorship, every identifier the person is known by, and their history
-- in every system, all computed as of var run_date. The profile every insight, segment and export reads; the mart
-- unified_profiles publishes it.

with active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

attributes as (
    select * from {{ ref('int_profile_attributes__survived') }}
),

records as (
    select * from {{ ref('int_profile_records__aggregated_by_individual') }}
),

club as (
    select * from {{ ref('int_club__aggregated_by_individual') }}
),

learning as (
    select * from {{ ref('int_learning__aggregated_by_individual') }}
),

commerce as (
    select * from {{ ref('int_commerce__aggregated_by_individual') }}
),

email_engagement as (
    select * from {{ ref('int_email_engagement__aggregated_by_individual') }}
),

digital_behaviour as (
    select * from {{ ref('int_digital_behaviour__aggregated_by_individual') }}
),

crm as (
    select * from {{ ref('int_crm__aggregated_by_individual') }}
),

travel as (
    select * from {{ ref('int_travel__aggregated_by_individual') }}
),

data_lake as (
    select * from {{ ref('int_data_lake__aggregated_by_individual') }}
),

consent as (
    select * from {{ ref('int_consent__resolved') }}
),

final as (
    select
        active_individuals.unified_individual_id,

        -- golden attributes
        {{ cdp_initcap('attributes.first_name') }} as first_name,
        {{ cdp_initcap('attributes.last_name') }} as last_name,
        attributes.email,
        attributes.phone,
        attributes.date_of_birth,
        attributes.street,
        attributes.postal_code,
        attributes.city,
        attributes.country_code,
        attributes.email_source_system,
        attributes.name_source_system,
        attributes.first_name_source_system,
        attributes.last_name_source_system,
        attributes.phone_source_system,
        attributes.date_of_birth_source_system,
        attributes.postal_code_source_system as address_source_system,

        -- identifiers and records
        records.emails,
        records.phones,
        records.source_record_ids,
        records.source_systems,
        coalesce(records.system_count, 0) as system_count,
        coalesce(records.record_count, 0) as record_count,

        -- club
        club.member_id,
        club.club_tier,
        club.club_status,
        club.club_joined_date,
        club.club_renewal_date,

        -- learning
        coalesce(learning.certification_count, 0) as certification_count,
        learning.highest_certification_level,
        learning.last_certification_discipline,
        learning.last_certification_level,
        learning.last_certified_at,
        learning.last_certified_course_code,
        learning.completed_course_codes,
        coalesce(learning.completed_course_count, 0) as completed_course_count,

        -- commerce (store orders and data-lake historical purchases)
        coalesce(commerce.order_count, 0) as order_count,
        coalesce(commerce.revenue_total, 0) as revenue_total,
        coalesce(commerce.lake_purchase_count, 0) as lake_purchase_count,
        commerce.first_purchase_at,
        commerce.last_purchase_at,
        coalesce(commerce.revenue_365d, 0) as revenue_365d,
        coalesce(commerce.order_count_365d, 0) as order_count_365d,

        -- email engagement (all of the person's subscriber keys)
        coalesce(email_engagement.emails_sent_30d, 0) as emails_sent_30d,
        coalesce(email_engagement.emails_sent_90d, 0) as emails_sent_90d,
        coalesce(email_engagement.emails_opened_30d, 0) as emails_opened_30d,
        coalesce(email_engagement.emails_opened_90d, 0) as emails_opened_90d,
        coalesce(email_engagement.emails_clicked_30d, 0) as emails_clicked_30d,
        coalesce(email_engagement.emails_clicked_90d, 0) as emails_clicked_90d,
        email_engagement.last_email_sent_at,

        -- digital behaviour
        coalesce(digital_behaviour.web_event_count_90d, 0) as web_event_count_90d,
        coalesce(digital_behaviour.app_event_count_90d, 0) as app_event_count_90d,
        coalesce(digital_behaviour.anonymous_event_count, 0) as anonymous_event_count,
        digital_behaviour.last_digital_activity_at,

        -- CRM
        coalesce(crm.crm_task_count, 0) as crm_task_count,
        coalesce(crm.crm_open_opportunity_count, 0) as crm_open_opportunity_count,
        coalesce(crm.crm_won_opportunity_amount, 0) as crm_won_opportunity_amount,

        -- travel and data-lake history
        coalesce(travel.travel_booking_count, 0) as travel_booking_count,
        travel.last_booking_at,
        travel.last_destination_code,
        coalesce(data_lake.lake_event_count, 0) as lake_event_count,

        -- email consent
        coalesce(consent.is_email_opted_out, false) as is_email_opted_out,
        consent.email_opt_out_source_system,
        consent.email_opted_out_at,

        coalesce(attributes.has_email, false) as has_email,
        {{ as_of_date() }} as profile_as_of
    from active_individuals
    left outer join attributes
        on active_individuals.unified_individual_id = attributes.unified_individual_id
    left outer join records
        on active_individuals.unified_individual_id = records.unified_individual_id
    left outer join club
        on active_individuals.unified_individual_id = club.unified_individual_id
    left outer join learning
        on active_individuals.unified_individual_id = learning.unified_individual_id
    left outer join commerce
        on active_individuals.unified_individual_id = commerce.unified_individual_id
    left outer join email_engagement
        on active_individuals.unified_individual_id = email_engagement.unified_individual_id
    left outer join digital_behaviour
        on active_individuals.unified_individual_id = digital_behaviour.unified_individual_id
    left outer join crm
        on active_individuals.unified_individual_id = crm.unified_individual_id
    left outer join travel
        on active_individuals.unified_individual_id = travel.unified_individual_id
    left outer join data_lake
        on active_individuals.unified_individual_id = data_lake.unified_individual_id
    left outer join consent
        on active_individuals.unified_individual_id = consent.unified_individual_id
)

select * from final
