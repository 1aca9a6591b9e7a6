-- No person with a deletion request (anyone holding a tombstoned record or identifier, or otherwise not active)
-- appears in insights, segments, suppressions, exports or triggers. Returns each offending (model, individual).

with active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

deleted_individuals as (
    select unified_individual_id from {{ ref('int_unified_individuals__suppressed') }}
    union all
    select unified_individual_id from {{ ref('int_deletion_requests__resolved') }}
    where unified_individual_id is not null
),

people_in_outputs as (
    select
        'calculated_insights' as model_name,
        unified_individual_id
    from {{ ref('calculated_insights') }}
    union all
    select
        'segment_memberships' as model_name,
        unified_individual_id
    from {{ ref('segment_memberships') }}
    union all
    select
        'export_marketing_cloud_audience' as model_name,
        unified_individual_id
    from {{ ref('export_marketing_cloud_audience') }}
    union all
    select
        'email_suppressions' as model_name,
        unified_individual_id
    from {{ ref('email_suppressions') }}
    union all
    select
        'export_crm_contacts' as model_name,
        unified_individual_id
    from {{ ref('export_crm_contacts') }}
    union all
    select
        'export_source_duplicates' as model_name,
        unified_individual_id
    from {{ ref('export_source_duplicates') }}
    union all
    select
        'certification_completion_triggers' as model_name,
        unified_individual_id
    from {{ ref('certification_completion_triggers') }}
    union all
    select
        'int_email_frequency__capped' as model_name,
        unified_individual_id
    from {{ ref('int_email_frequency__capped') }}
),

final as (
    select distinct
        people_in_outputs.model_name,
        people_in_outputs.unified_individual_id
    from people_in_outputs
    left outer join active_individuals
        on people_in_outputs.unified_individual_id = active_individuals.unified_individual_id
    left outer join deleted_individuals
        on people_in_outputs.unified_individual_id = deleted_individuals.unified_individual_id
    where active_individuals.unified_individual_id is null
        or deleted_individuals.unified_individual_id is not null
)

select * from final
