-- Scores and next best action for Salesforce: one row per live (not soft-deleted) Salesforce contact of an active
-- unified individual. Every contact of a person carries the same scores; is_survivor_contact marks the contact to
-- keep when the person has several (see int_source_duplicates__ranked).

with contacts as (
    select * from {{ ref('stg_salesforce__contacts') }}
),

links as (
    select * from {{ ref('int_identity_records__linked') }}
),

active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

insights as (
    select * from {{ ref('int_individual_insights__joined') }}
),

duplicates as (
    select * from {{ ref('int_source_duplicates__ranked') }}
    where source_system = 'salesforce'
),

final as (
    select
        contacts.contact_id,
        links.unified_individual_id,
        insights.rfm_segment,
        insights.next_best_action,
        insights.next_best_action_course_code,
        insights.next_best_action_course_name,
        insights.next_best_action_destination_code,
        insights.next_best_action_destination_name,
        insights.engagement_score,
        insights.churn_risk_score,
        insights.membership_upgrade_likelihood,
        insights.lifetime_value,
        coalesce(duplicates.is_survivor, true) as is_survivor_contact,
        insights.insights_as_of
    from contacts
    inner join links
        on links.identity_record_id = {{ identity_record_id('salesforce', 'contacts.contact_id') }}
    inner join active_individuals
        on links.unified_individual_id = active_individuals.unified_individual_id
    inner join insights
        on links.unified_individual_id = insights.unified_individual_id
    left outer join duplicates
        on contacts.contact_id = duplicates.source_record_id
    where not coalesce(contacts.is_deleted, false)
)

select * from final
