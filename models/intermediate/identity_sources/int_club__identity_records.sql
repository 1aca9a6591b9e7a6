-- The membership club's person-bearing records in the common identifier schema (int_identity_records__unioned):
-- one row per member.

with members as (
    select * from {{ ref('stg_club__members') }}
),

final as (
    select
        {{ identity_record_id('club', 'member_id') }} as identity_record_id,
        cast('club' as varchar) as source_system,
        cast('member' as varchar) as record_type,
        cast(member_id as varchar) as source_record_id,
        cast(first_name as varchar) as first_name,
        cast(last_name as varchar) as last_name,
        cast(date_of_birth as date) as date_of_birth,
        cast(email as varchar) as email,
        cast(phone as varchar) as phone,
        cast(street as varchar) as street,
        cast(postal_code as varchar) as postal_code,
        cast(city as varchar) as city,
        cast(country_code as varchar) as country_code,
        cast(member_id as varchar) as member_id,
        cast(null as varchar) as app_login,
        cast(certification_id as varchar) as certification_id,
        cast(payment_card_hash as varchar) as payment_card_hash,
        cast(null as varchar) as device_id,
        cast(null as varchar) as anonymous_id,
        cast(joined_date as timestamp) as record_created_at,
        cast(updated_at as timestamp) as record_updated_at,
        cast(is_email_rejected as boolean) as is_email_rejected,
        cast(is_phone_rejected as boolean) as is_phone_rejected,
        cast(is_first_name_rejected as boolean) as is_first_name_rejected,
        cast(is_last_name_rejected as boolean) as is_last_name_rejected,
        cast(is_date_of_birth_rejected as boolean) as is_date_of_birth_rejected,
        cast(is_postal_code_rejected as boolean) as is_postal_code_rejected
    from members
)

select * from final
