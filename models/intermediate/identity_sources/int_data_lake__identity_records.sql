-- The data lake's person-bearing records in the common identifier schema (int_identity_records__unioned): one row
-- per legacy customer.

with legacy_customers as (
    select * from {{ ref('stg_data_lake__legacy_customers') }}
),

final as (
    select
        {{ identity_record_id('data_lake', 'legacy_customer_id') }} as identity_record_id,
        cast('data_lake' as varchar) as source_system,
        cast('legacy_customer' as varchar) as record_type,
        cast(legacy_customer_id as varchar) as source_record_id,
        cast(first_name as varchar) as first_name,
        cast(last_name as varchar) as last_name,
        cast(date_of_birth as date) as date_of_birth,
        cast(email as varchar) as email,
        cast(phone as varchar) as phone,
        cast(null as varchar) as street,
        cast(postal_code as varchar) as postal_code,
        cast(city as varchar) as city,
        cast(country_code as varchar) as country_code,
        cast(null as varchar) as member_id,
        cast(null as varchar) as app_login,
        cast(null as varchar) as certification_id,
        cast(null as varchar) as payment_card_hash,
        cast(null as varchar) as device_id,
        cast(null as varchar) as anonymous_id,
        cast(created_at as timestamp) as record_created_at,
        cast(created_at as timestamp) as record_updated_at,
        cast(is_email_rejected as boolean) as is_email_rejected,
        cast(is_phone_rejected as boolean) as is_phone_rejected,
        cast(is_first_name_rejected as boolean) as is_first_name_rejected,
        cast(is_last_name_rejected as boolean) as is_last_name_rejected,
        cast(is_date_of_birth_rejected as boolean) as is_date_of_birth_rejected,
        cast(is_postal_code_rejected as boolean) as is_postal_code_rejected
    from legacy_customers
)

select * from final
