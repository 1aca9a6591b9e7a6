-- Marketing Cloud's person-bearing records in the common identifier schema (int_identity_records__unioned):
-- one row per subscriber key.

with subscribers as (
    select * from {{ ref('stg_marketing_cloud__subscribers') }}
),

final as (
    select
        {{ identity_record_id('marketing_cloud', 'subscriber_key') }} as identity_record_id,
        cast('marketing_cloud' as varchar) as source_system,
        cast('subscriber' as varchar) as record_type,
        cast(subscriber_key as varchar) as source_record_id,
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
        cast(null as varchar) as app_login,
        cast(null as varchar) as certification_id,
        cast(null as varchar) as payment_card_hash,
        cast(null as varchar) as device_id,
        cast(null as varchar) as anonymous_id,
        cast(joined_at as timestamp) as record_created_at,
        cast(coalesce(unsubscribed_at, joined_at) as timestamp) as record_updated_at,
        cast(is_email_rejected as boolean) as is_email_rejected,
        false as is_phone_rejected,
        cast(is_first_name_rejected as boolean) as is_first_name_rejected,
        cast(is_last_name_rejected as boolean) as is_last_name_rejected,
        false as is_date_of_birth_rejected,
        false as is_postal_code_rejected
    from subscribers
)

select * from final
