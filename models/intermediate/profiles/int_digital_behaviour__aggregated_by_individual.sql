-- One row per unified individual with website or app events up to the run date. Web events reach a person through
-- their cookie's record (web:<anonymous_id>), app events through their device's record (mobile_app:<device_id>),
-- so a cookie or device tied to the person brings its whole history, including the anonymous events it had before
-- anyone signed in on it (events without a login).

with web_events as (
    select * from {{ ref('stg_web__events') }}
    where event_at < {{ as_of_at() }}
),

app_events as (
    select * from {{ ref('stg_mobile_app__app_events') }}
    where event_at < {{ as_of_at() }}
),

linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
),

digital_events as (
    select
        linked_records.unified_individual_id,
        'web' as channel,
        web_events.user_login is null as is_anonymous,
        web_events.event_at
    from web_events
    inner join linked_records
        on web_events.anonymous_id = linked_records.source_record_id
            and linked_records.source_system = 'web'
    union all
    select
        linked_records.unified_individual_id,
        'app' as channel,
        app_events.app_login is null as is_anonymous,
        app_events.event_at
    from app_events
    inner join linked_records
        on app_events.device_id = linked_records.source_record_id
            and linked_records.source_system = 'mobile_app'
            and linked_records.record_type = 'device'
),

final as (
    select
        unified_individual_id,
        count(case when channel = 'web' then 1 end) as web_event_count,
        count(case when channel = 'app' then 1 end) as app_event_count,
        {%- for channel in ['web', 'app'] %}
            {%- for days in [30, 90] %}
                count(
                    case when channel = '{{ channel }}' and {{ is_within_as_of_window('event_at', days) }} then 1 end
                ) as {{ channel }}_event_count_{{ days }}d,
            {%- endfor %}
        {%- endfor %}
        count(case when is_anonymous then 1 end) as anonymous_event_count,
        max(case when channel = 'web' then event_at end) as last_web_event_at,
        max(case when channel = 'app' then event_at end) as last_app_event_at,
        max(event_at) as last_digital_activity_at
    from digital_events
    group by unified_individual_id
)

select * from final
