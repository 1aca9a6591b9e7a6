-- Anonymous-to-known evidence from the mobile app: one row per app event that carried both a device ID (a device's
-- record) and the app login signed in on it. int_identity_logins__observed decides which logins may tie the device
-- to a person.

with app_events as (
    select * from {{ ref('stg_mobile_app__app_events') }}
),

final as (
    select
        cast(event_id as varchar) as event_id,
        {{ identity_record_id('mobile_app', 'device_id') }} as identity_record_id,
        cast('mobile_app' as varchar) as source_system,
        cast('app_login' as varchar) as identifier_type,
        cast(app_login as varchar) as identifier_value,
        event_at
    from app_events
    where device_id is not null
        and app_login is not null
)

select * from final
