-- One row per unified individual with Marketing Cloud activity up to the run date, over all of the person's
-- subscriber keys: emails sent, opened and clicked in the last 30 and 90 days. An email (a send to one subscriber
-- key) counts once as opened or clicked in a window when it was opened or clicked at least once in it.

with sends as (
    select * from {{ ref('stg_marketing_cloud__sends') }}
    where sent_at < {{ as_of_at() }}
),

opens as (
    select * from {{ ref('stg_marketing_cloud__opens') }}
    where opened_at < {{ as_of_at() }}
),

clicks as (
    select * from {{ ref('stg_marketing_cloud__clicks') }}
    where clicked_at < {{ as_of_at() }}
),

linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
),

subscriber_links as (
    select
        source_record_id as subscriber_key,
        unified_individual_id
    from linked_records
    where source_system = 'marketing_cloud'
),

-- Every send event; and one row per email (send to one subscriber key) opened or clicked, with its latest time.
engagements as (
    select
        subscriber_key,
        send_id,
        'sent' as engagement_type,
        sent_at as last_engaged_at
    from sends
    union all
    select
        subscriber_key,
        send_id,
        'opened' as engagement_type,
        max(opened_at) as last_engaged_at
    from opens
    group by subscriber_key, send_id
    union all
    select
        subscriber_key,
        send_id,
        'clicked' as engagement_type,
        max(clicked_at) as last_engaged_at
    from clicks
    group by subscriber_key, send_id
),

final as (
    select
        subscriber_links.unified_individual_id,
        count(distinct subscriber_links.subscriber_key) as engaged_subscriber_key_count,
        {%- for engagement_type in ['sent', 'opened', 'clicked'] %}
            {%- for days in [30, 90] %}
                count(
                    case
                        when engagements.engagement_type = '{{ engagement_type }}'
                            and {{ is_within_as_of_window('engagements.last_engaged_at', days) }}
                            then 1
                    end
                ) as emails_{{ engagement_type }}_{{ days }}d,
            {%- endfor %}
        {%- endfor %}
        count(case when engagements.engagement_type = 'sent' then 1 end) as emails_sent_total,
        max(case when engagements.engagement_type = 'sent' then engagements.last_engaged_at end) as last_email_sent_at,
        max(
            case when engagements.engagement_type = 'opened' then engagements.last_engaged_at end
        ) as last_email_opened_at,
        max(
            case when engagements.engagement_type = 'clicked' then engagements.last_engaged_at end
        ) as last_email_clicked_at
    from engagements
    inner join subscriber_links
        on engagements.subscriber_key = subscriber_links.subscriber_key
    group by subscriber_links.unified_individual_id
)

select * from final
