-- One row per anonymous web visitor (first-party cookie), the person-bearing record of the web CMS.

with web_events as (
    select * from {{ ref('stg_web__events') }}
),

final as (
    select
        anonymous_id,
        count(*) as event_count,
        count(user_login) as signed_in_event_count,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at
    from web_events
    where anonymous_id is not null
    group by anonymous_id
)

select * from final
