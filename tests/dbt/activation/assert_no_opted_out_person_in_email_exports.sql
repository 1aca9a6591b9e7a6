-- No person opted out of email in any system (int_consent__resolved: the most restrictive choice wins) is in an
-- email export: the Marketing Cloud audience, or a certification trigger carrying a subscriber key.

with consent as (
    select * from {{ ref('int_consent__resolved') }}
    where is_email_opted_out
),

emailable as (
    select
        'export_marketing_cloud_audience' as model_name,
        unified_individual_id
    from {{ ref('export_marketing_cloud_audience') }}
    union all
    select
        'certification_completion_triggers' as model_name,
        unified_individual_id
    from {{ ref('certification_completion_triggers') }}
    where subscriber_key is not null
        or is_email_eligible
),

final as (
    select distinct
        emailable.model_name,
        emailable.unified_individual_id,
        consent.email_opt_out_source_system
    from emailable
    inner join consent
        on emailable.unified_individual_id = consent.unified_individual_id
)

select * from final
