-- Nobody who received email_frequency_cap_count or more emails in the last email_frequency_cap_days days (counted
-- here again from the sends, across every journey and subscriber key) is in the email audience.

{%- set window_end = as_of_at() %}
{%- set window_start = as_of_window_start(var('email_frequency_cap_days') | int) %}

with sends as (
    select * from {{ ref('stg_marketing_cloud__sends') }}
),

links as (
    select * from {{ ref('unified_links') }}
),

audience as (
    select * from {{ ref('export_marketing_cloud_audience') }}
),

send_counts as (
    select
        links.unified_individual_id,
        count(*) as email_send_count
    from sends
    inner join links
        on links.identity_record_id = 'marketing_cloud:' || sends.subscriber_key
    where sends.sent_at >= {{ window_start }}
        and sends.sent_at < {{ window_end }}
    group by links.unified_individual_id
),

final as (
    select
        audience.unified_individual_id,
        send_counts.email_send_count
    from audience
    inner join send_counts
        on audience.unified_individual_id = send_counts.unified_individual_id
    where send_counts.email_send_count >= {{ var('email_frequency_cap_count') }}
)

select * from final
