-- Travel's person-bearing records in the common identifier schema (int_identity_records__unioned): one row per
-- booking (its lead traveller).

with bookings as (
    select * from {{ ref('stg_travel__bookings') }}
),

final as (
    select
        {{ identity_record_id('travel', 'booking_reference') }} as identity_record_id,
        cast('travel' as varchar) as source_system,
        cast('booking' as varchar) as record_type,
        cast(booking_reference as varchar) as source_record_id,
        cast(first_name as varchar) as first_name,
        cast(last_name as varchar) as last_name,
        cast(date_of_birth as date) as date_of_birth,
        cast(email as varchar) as email,
        cast(phone as varchar) as phone,
        cast(null as varchar) as street,
        cast(null as varchar) as postal_code,
        cast(null as varchar) as city,
        cast(null as varchar) as country_code,
        cast(member_id as varchar) as member_id,
        cast(null as varchar) as app_login,
        cast(null as varchar) as certification_id,
        cast(payment_card_hash as varchar) as payment_card_hash,
        cast(null as varchar) as device_id,
        cast(null as varchar) as anonymous_id,
        cast(booked_at as timestamp) as record_created_at,
        cast(updated_at as timestamp) as record_updated_at,
        cast(is_email_rejected as boolean) as is_email_rejected,
        cast(is_phone_rejected as boolean) as is_phone_rejected,
        cast(is_first_name_rejected as boolean) as is_first_name_rejected,
        cast(is_last_name_rejected as boolean) as is_last_name_rejected,
        cast(is_date_of_birth_rejected as boolean) as is_date_of_birth_rejected,
        false as is_postal_code_rejected
    from bookings
)

select * from final
