-- The mobile app's person-bearing records in the common identifier schema (int_identity_records__unioned): one
-- row per app user (an account with a login) and one per device (anonymous until signed in).

with app_users as (
    select * from {{ ref('stg_mobile_app__app_users') }}
),

devices as (
    select * from {{ ref('stg_mobile_app__devices') }}
),

final as (
    select
        {{ identity_record_id('mobile_app', 'app_user_id') }} as identity_record_id,
        cast('mobile_app' as varchar) as source_system,
        cast('app_user' as varchar) as record_type,
        cast(app_user_id as varchar) as source_record_id,
        cast(first_name as varchar) as first_name,
        cast(last_name as varchar) as last_name,
        cast(null as date) as date_of_birth,
        cast(email as varchar) as email,
        cast(null as varchar) as phone,
        cast(null as varchar) as street,
        cast(null as varchar) as postal_code,
        cast(null as varchar) as city,
        cast(null as varchar) as country_code,
        cast(null as varchar) as member_id,
        cast(app_login as varchar) as app_login,
        cast(null as varchar) as certification_id,
        cast(null as varchar) as payment_card_hash,
        cast(null as varchar) as device_id,
        cast(null as varchar) as anonymous_id,
        cast(created_at as timestamp) as record_created_at,
        cast(coalesce(last_login_at, created_at) as timestamp) as record_updated_at,
        cast(is_email_rejected as boolean) as is_email_rejected,
        false as is_phone_rejected,
        cast(is_first_name_rejected as boolean) as is_first_name_rejected,
        cast(is_last_name_rejected as boolean) as is_last_name_rejected,
        false as is_date_of_birth_rejected,
        false as is_postal_code_rejected
    from app_users

    union all

    select
        {{ identity_record_id('mobile_app', 'device_id') }} as identity_record_id,
        cast('mobile_app' as varchar) as source_system,
        cast('device' as varchar) as record_type,
        cast(device_id as varchar) as source_record_id,
        cast(null as varchar) as first_name,
        cast(null as varchar) as last_name,
        cast(null as date) as date_of_birth,
        cast(null as varchar) as email,
        cast(null as varchar) as phone,
        cast(null as varchar) as street,
        cast(null as varchar) as postal_code,
        cast(null as varchar) as city,
        cast(null as varchar) as country_code,
        cast(null as varchar) as member_id,
        cast(null as varchar) as app_login,
        cast(null as varchar) as certification_id,
        cast(null as varchar) as payment_card_hash,
        cast(device_id as varchar) as device_id,
        cast(null as varchar) as anonymous_id,
        cast(first_seen_at as timestamp) as record_created_at,
        cast(last_seen_at as timestamp) as record_updated_at,
        false as is_email_rejected,
        false as is_phone_rejected,
        false as is_first_name_rejected,
        false as is_last_name_rejected,
        false as is_date_of_birth_rejected,
        false as is_postal_code_rejected
    from devices
)

select * from final
