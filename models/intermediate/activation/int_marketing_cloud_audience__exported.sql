-- The Marketing Cloud audience: one row per active unified individual eligible for email (an email, no opt-out in
-- any system, under the cross-journey frequency cap), with the subscriber key to send to
-- (int_subscriber_keys__chosen; a person with no key gets their unified ID as a new subscriber key), the email, the
-- person's segments and next best action. Who was left out, and why, is in int_email_suppressions__listed.

with eligibility as (
    select * from {{ ref('int_email_eligibility__evaluated') }}
),

chosen_keys as (
    select * from {{ ref('int_subscriber_keys__chosen') }}
),

profiles as (
    select * from {{ ref('int_unified_profiles__joined') }}
),

insights as (
    select * from {{ ref('int_individual_insights__joined') }}
),

segments as (
    select * from {{ ref('int_segment_memberships__assigned') }}
),

segment_lists as (
    select
        unified_individual_id,
        count(*) as segment_count,
        {{ dbt.listagg('segment_name', "','", 'order by segment_name') }} as segment_names
    from segments
    group by unified_individual_id
),

final as (
    select
        eligibility.unified_individual_id,
        coalesce(chosen_keys.subscriber_key, eligibility.unified_individual_id) as subscriber_key,
        eligibility.email,
        profiles.first_name,
        segment_lists.segment_names,
        insights.next_best_action,
        insights.next_best_action_course_code,
        insights.next_best_action_course_name,
        insights.next_best_action_destination_code,
        insights.next_best_action_destination_name,
        cast(coalesce(segment_lists.segment_count, 0) as integer) as segment_count,
        cast(eligibility.email_send_count as integer) as email_send_count,
        chosen_keys.subscriber_key is null as is_new_subscriber,
        cast('{{ var("run_date") }}' as date) as audience_as_of
    from eligibility
    left outer join chosen_keys
        on eligibility.unified_individual_id = chosen_keys.unified_individual_id
    left outer join profiles
        on eligibility.unified_individual_id = profiles.unified_individual_id
    left outer join insights
        on eligibility.unified_individual_id = insights.unified_individual_id
    left outer join segment_lists
        on eligibility.unified_individual_id = segment_lists.unified_individual_id
    where eligibility.is_email_eligible
)

select * from final
