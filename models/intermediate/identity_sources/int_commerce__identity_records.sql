-- The online store's person-bearing records in the common identifier schema (int_identity_records__unioned): one
-- row per customer. The customer's most used card stands for the customer in the wide schema; every card they paid
-- with is an identifier of the customer (int_commerce__identity_identifiers).

with customers as (
    select * from {{ ref('stg_commerce__customers') }}
),

cards as (
    select * from {{ ref('int_commerce__identity_identifiers') }}
),

main_cards as (
    select
        identity_record_id,
        identifier_value
    from cards
    where identifier_rank = 1
),

final as (
    select
        {{ identity_record_id('commerce', 'customers.customer_id') }} as identity_record_id,
        cast('commerce' as varchar) as source_system,
        cast('customer' as varchar) as record_type,
        cast(customers.customer_id as varchar) as source_record_id,
        cast(customers.first_name as varchar) as first_name,
        cast(customers.last_name as varchar) as last_name,
        cast(customers.date_of_birth as date) as date_of_birth,
        cast(customers.email as varchar) as email,
        cast(customers.phone as varchar) as phone,
        cast(customers.street as varchar) as street,
        cast(customers.postal_code as varchar) as postal_code,
        cast(customers.city as varchar) as city,
        cast(customers.country_code as varchar) as country_code,
        cast(null as varchar) as member_id,
        cast(null as varchar) as app_login,
        cast(null as varchar) as certification_id,
        cast(main_cards.identifier_value as varchar) as payment_card_hash,
        cast(null as varchar) as device_id,
        cast(null as varchar) as anonymous_id,
        cast(customers.created_at as timestamp) as record_created_at,
        cast(customers.updated_at as timestamp) as record_updated_at,
        cast(customers.is_email_rejected as boolean) as is_email_rejected,
        cast(customers.is_phone_rejected as boolean) as is_phone_rejected,
        cast(customers.is_first_name_rejected as boolean) as is_first_name_rejected,
        cast(customers.is_last_name_rejected as boolean) as is_last_name_rejected,
        cast(customers.is_date_of_birth_rejected as boolean) as is_date_of_birth_rejected,
        cast(customers.is_postal_code_rejected as boolean) as is_postal_code_rejected
    from customers
    left outer join main_cards
        on {{ identity_record_id('commerce', 'customers.customer_id') }} = main_cards.identity_record_id
)

select * from final
