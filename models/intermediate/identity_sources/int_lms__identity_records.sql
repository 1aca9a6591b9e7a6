-- The LMS's person-bearing records in the common identifier schema (int_identity_records__unioned): one row per
-- learner. The learner's most recent certification stands for the learner in the wide schema; every one of them is
-- an identifier of the learner (int_lms__identity_identifiers).

with learners as (
    select * from {{ ref('stg_lms__learners') }}
),

certifications as (
    select * from {{ ref('int_lms__identity_identifiers') }}
),

latest_certifications as (
    select
        identity_record_id,
        identifier_value
    from certifications
    where identifier_rank = 1
),

final as (
    select
        {{ identity_record_id('lms', 'learners.learner_id') }} as identity_record_id,
        cast('lms' as varchar) as source_system,
        cast('learner' as varchar) as record_type,
        cast(learners.learner_id as varchar) as source_record_id,
        cast(learners.first_name as varchar) as first_name,
        cast(learners.last_name as varchar) as last_name,
        cast(learners.date_of_birth as date) as date_of_birth,
        cast(learners.email as varchar) as email,
        cast(null as varchar) as phone,
        cast(null as varchar) as street,
        cast(null as varchar) as postal_code,
        cast(null as varchar) as city,
        cast(learners.country_code as varchar) as country_code,
        cast(null as varchar) as member_id,
        cast(null as varchar) as app_login,
        cast(latest_certifications.identifier_value as varchar) as certification_id,
        cast(null as varchar) as payment_card_hash,
        cast(null as varchar) as device_id,
        cast(null as varchar) as anonymous_id,
        cast(learners.created_at as timestamp) as record_created_at,
        cast(learners.updated_at as timestamp) as record_updated_at,
        cast(learners.is_email_rejected as boolean) as is_email_rejected,
        false as is_phone_rejected,
        cast(learners.is_first_name_rejected as boolean) as is_first_name_rejected,
        cast(learners.is_last_name_rejected as boolean) as is_last_name_rejected,
        cast(learners.is_date_of_birth_rejected as boolean) as is_date_of_birth_rejected,
        false as is_postal_code_rejected
    from learners
    left outer join latest_certifications
        on {{ identity_record_id('lms', 'learners.learner_id') }} = latest_certifications.identity_record_id
)

select * from final
