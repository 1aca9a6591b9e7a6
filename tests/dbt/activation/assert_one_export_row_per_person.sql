-- One row per person in the per-person outputs: the email audience and the calculated insights (and one per
-- contact in the CRM export). Returns each duplicated key.

with keyed_rows as (
    select
        'export_marketing_cloud_audience' as model_name,
        unified_individual_id as row_key
    from {{ ref('export_marketing_cloud_audience') }}
    union all
    select
        'calculated_insights' as model_name,
        unified_individual_id as row_key
    from {{ ref('calculated_insights') }}
    union all
    select
        'export_crm_contacts' as model_name,
        contact_id as row_key
    from {{ ref('export_crm_contacts') }}
),

final as (
    select
        model_name,
        row_key,
        count(*) as row_count
    from keyed_rows
    group by model_name, row_key
    having count(*) > 1
)

select * from final
