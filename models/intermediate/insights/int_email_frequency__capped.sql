-- Cross-journey email frequency cap: emails each active unified individual received in the last
-- email_frequency_cap_days days (the days up to and including run_date), counted across every journey and every
-- Marketing Cloud subscriber key the person has. At email_frequency_cap_count or more, the person is over the cap
-- and is left out of email audiences. One row per active person with at least one email in the window.

{%- set window_end = as_of_at() %}
{%- set window_start = as_of_window_start(var('email_frequency_cap_days') | int) %}

with sends as (
    select * from {{ ref('stg_marketing_cloud__sends') }}
),

links as (
    select * from {{ ref('int_identity_records__linked') }}
),

active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

windowed_sends as (
    select
        links.unified_individual_id,
        sends.subscriber_key,
        sends.journey_name,
        sends.sent_at
    from sends
    inner join links
        on links.identity_record_id = {{ identity_record_id('marketing_cloud', 'sends.subscriber_key') }}
    inner join active_individuals
        on links.unified_individual_id = active_individuals.unified_individual_id
    where sends.sent_at >= {{ window_start }}
        and sends.sent_at < {{ window_end }}
),

final as (
    select
        unified_individual_id,
        count(*) as email_send_count,
        count(distinct journey_name) as journey_count,
        count(distinct subscriber_key) as subscriber_key_count,
        count(*) >= {{ var('email_frequency_cap_count') }} as is_over_frequency_cap,
        cast({{ window_start }} as timestamp) as window_start_at,
        cast({{ window_end }} as timestamp) as window_end_at,
        max(sent_at) as last_sent_at
    from windowed_sends
    group by unified_individual_id
)

select * from final
