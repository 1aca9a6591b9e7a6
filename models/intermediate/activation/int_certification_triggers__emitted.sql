{{ config(
    materialized='incremental',
    unique_key='certification_id',
    on_schema_change='fail',
    transient=false,
    post_hook=[
        "{{ cdp_identity.delete_triggers_of_inactive_individuals() }}",
        "{{ cdp_identity.withdraw_email_from_triggers_outside_audience() }}",
    ],
) }}

-- Certification triggers for Marketing Cloud's real-time journey: each certification loaded since the last run
-- (loaded_at after the latest one already here; the first build takes those issued within
-- certification_trigger_initial_lookback_days of run_date), with the person's next best action. People with a
-- deletion request are never added, and are removed after the fact (post-hook), as are the email details of
-- people who are no longer in the email audience. The mart certification_completion_triggers publishes it.
-- Snowflake: not transient (unlike the rest of the intermediate layer), as the mart it replaces: the triggers
-- already sent are history a rebuild cannot bring back (it re-emits the initial lookback only).

{%- set run_date = as_of_date() %}
{%- set lookback_start = dbt.dateadd('day', -1 * var('certification_trigger_initial_lookback_days'), run_date) %}

with certifications as (
    select * from {{ ref('stg_lms__certifications') }}
),

links as (
    select * from {{ ref('int_identity_records__linked') }}
),

active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

insights as (
    select * from {{ ref('int_individual_insights__joined') }}
),

audience as (
    select * from {{ ref('int_marketing_cloud_audience__exported') }}
),

new_certifications as (
    select *
    from certifications
    {%- if is_incremental() %}
        where loaded_at > (
                select coalesce(max(emitted.loaded_at), cast('1900-01-01' as timestamp))
                from {{ this }} as emitted
            )
    {%- else %}
        where cast(issued_at as date) > {{ lookback_start }}
            and cast(issued_at as date) <= {{ run_date }}
    {%- endif %}
),

final as (
    select
        new_certifications.certification_id,
        links.unified_individual_id,
        new_certifications.learner_id,
        audience.subscriber_key,
        new_certifications.course_code,
        new_certifications.discipline,
        insights.next_best_action,
        insights.next_best_action_course_code,
        insights.next_best_action_course_name,
        insights.next_best_action_destination_code,
        insights.next_best_action_destination_name,
        new_certifications.certification_level,
        audience.unified_individual_id is not null as is_email_eligible,
        new_certifications.issued_at,
        new_certifications.loaded_at,
        cast({{ dbt.current_timestamp() }} as timestamp) as triggered_at
    from new_certifications
    inner join links
        on links.identity_record_id = {{ identity_record_id('lms', 'new_certifications.learner_id') }}
    inner join active_individuals
        on links.unified_individual_id = active_individuals.unified_individual_id
    left outer join insights
        on links.unified_individual_id = insights.unified_individual_id
    left outer join audience
        on links.unified_individual_id = audience.unified_individual_id
)

select * from final
