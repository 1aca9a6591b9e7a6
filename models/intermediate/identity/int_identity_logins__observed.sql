-- Anonymous-to-known evidence: the logins seen on each web cookie and each app device, from events that
-- carried both the anonymous ID and a login. One row per (anonymous record, login).
-- A login may tie the anonymous record to a person only when it clearly dominates that record's signed-in
-- events (a family tablet or a shared computer is not one person): see `is_linkable`.

with web_events as (
    select * from {{ ref('stg_web__events') }}
),

app_events as (
    select * from {{ ref('stg_mobile_app__app_events') }}
),

web_logins as (
    select
        'web:' || anonymous_id as identity_record_id,
        'web' as source_system,
        case when login_email is not null then 'email' else 'app_login' end as identifier_type,
        coalesce(login_email, login_app_login) as identifier_value,
        event_at
    from web_events
    where anonymous_id is not null
        and coalesce(login_email, login_app_login) is not null
),

app_logins as (
    select
        'mobile_app:' || device_id as identity_record_id,
        'mobile_app' as source_system,
        'app_login' as identifier_type,
        app_login as identifier_value,
        event_at
    from app_events
    where device_id is not null
        and app_login is not null
),

observed as (
    select * from web_logins
    union all
    select * from app_logins
),

per_login as (
    select
        identity_record_id,
        source_system,
        identifier_type,
        identifier_value,
        count(*) as signed_in_event_count,
        min(event_at) as first_signed_in_at,
        max(event_at) as last_signed_in_at
    from observed
    group by identity_record_id, source_system, identifier_type, identifier_value
),

ranked as (
    select
        per_login.*,
        count(*) over (partition by per_login.identity_record_id) as distinct_login_count,
        per_login.signed_in_event_count * 1.0
        / sum(per_login.signed_in_event_count) over (partition by per_login.identity_record_id) as login_share,
        row_number() over (
            partition by per_login.identity_record_id
            order by
                per_login.signed_in_event_count desc, per_login.last_signed_in_at desc, per_login.identifier_value asc
        ) as login_rank
    from per_login
),

final as (
    select
        identity_record_id,
        source_system,
        identifier_type,
        identifier_value,
        signed_in_event_count,
        distinct_login_count,
        login_share,
        login_rank,
        case
            when distinct_login_count > {{ var('anonymous_max_logins') }} then 'too_many_logins'
            when login_rank > 1 then 'not_the_main_login'
            when login_share < {{ var('anonymous_min_login_share') }} then 'no_dominant_login'
        end as blocked_reason,
        first_signed_in_at,
        last_signed_in_at
    from ranked
)

select
    *,
    blocked_reason is null as is_linkable
from final
