-- The website's person-bearing records in the common identifier schema (int_identity_records__unioned): one row
-- per anonymous visitor (first-party cookie ID) seen in the web CMS events. Events with a blank cookie ID make no
-- visitor.

with web_events as (
    select * from {{ ref('stg_web__events') }}
),

visitors as (
    select
        anonymous_id,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at
    from web_events
    where anonymous_id is not null
    group by anonymous_id
),

final as (
    select
        {{ identity_record_id('web', 'anonymous_id') }} as identity_record_id,
        cast('web' as varchar) as source_system,
        cast('anonymous_visitor' as varchar) as record_type,
        cast(anonymous_id as varchar) as source_record_id,
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
        cast(null as varchar) as device_id,
        cast(anonymous_id as varchar) as anonymous_id,
        cast(first_seen_at as timestamp) as record_created_at,
        cast(last_seen_at as timestamp) as record_updated_at,
        false as is_email_rejected,
        false as is_phone_rejected,
        false as is_first_name_rejected,
        false as is_last_name_rejected,
        false as is_date_of_birth_rejected,
        false as is_postal_code_rejected
    from visitors
)

select * from final
