-- Anonymous-to-known evidence from the website: one row per web event that carried both a cookie ID (an anonymous
-- visitor's record) and a login (the email, else the app login, the visitor signed in with).
-- int_identity_logins__observed decides which logins may tie the visitor to a person.

with web_events as (
    select * from {{ ref('stg_web__events') }}
),

final as (
    select
        cast(event_id as varchar) as event_id,
        {{ identity_record_id('web', 'anonymous_id') }} as identity_record_id,
        cast('web' as varchar) as source_system,
        cast(case when login_email is not null then 'email' else 'app_login' end as varchar) as identifier_type,
        cast(coalesce(login_email, login_app_login) as varchar) as identifier_value,
        event_at
    from web_events
    where anonymous_id is not null
        and coalesce(login_email, login_app_login) is not null
)

select * from final
