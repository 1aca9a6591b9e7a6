-- One row per unified individual with Salesforce activity created by the run date, over all of the person's
-- contacts: tasks (open ones: not Completed) and opportunities (open ones: not closed; won ones and their amount,
-- in var reporting_currency: int_money_amounts__converted).

with tasks as (
    select * from {{ ref('stg_salesforce__tasks') }}
    where created_at < {{ as_of_at() }}
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
    where created_at < {{ as_of_at() }}
),

linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
),

won_amounts as (
    select * from {{ ref('int_money_amounts__converted') }}
    where amount_kind = 'won_opportunity'
),

contact_links as (
    select
        source_record_id as contact_id,
        unified_individual_id
    from linked_records
    where source_system = 'salesforce'
),

crm_activities as (
    select
        contact_links.unified_individual_id,
        'task' as activity_type,
        coalesce(tasks.status = 'Completed', false) as is_closed,
        false as is_won,
        cast(null as double) as amount,
        tasks.created_at
    from tasks
    inner join contact_links
        on tasks.contact_id = contact_links.contact_id
    union all
    select
        contact_links.unified_individual_id,
        'opportunity' as activity_type,
        coalesce(opportunities.is_closed, false) as is_closed,
        coalesce(opportunities.is_won, false) as is_won,
        won_amounts.amount_in_reporting_currency as amount,
        opportunities.created_at
    from opportunities
    inner join contact_links
        on opportunities.contact_id = contact_links.contact_id
    left outer join won_amounts
        on opportunities.opportunity_id = won_amounts.source_amount_id
),

final as (
    select
        unified_individual_id,
        count(case when activity_type = 'task' then 1 end) as crm_task_count,
        count(case when activity_type = 'task' and not is_closed then 1 end) as crm_open_task_count,
        count(case when activity_type = 'opportunity' then 1 end) as crm_opportunity_count,
        count(case when activity_type = 'opportunity' and not is_closed then 1 end) as crm_open_opportunity_count,
        count(case when activity_type = 'opportunity' and is_won then 1 end) as crm_won_opportunity_count,
        coalesce(
            {{ sum_money("case when activity_type = 'opportunity' and is_won then amount end") }}, 0
        ) as crm_won_opportunity_amount,
        max(created_at) as last_crm_activity_at
    from crm_activities
    group by unified_individual_id
)

select * from final
