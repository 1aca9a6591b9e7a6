{{ config(materialized='incremental', unique_key='task_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('salesforce', 'task') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('id', reject_junk=false) }} as task_id,
        {{ cdp_identity.normalize_id('who_id', reject_junk=false) }} as contact_id,
        cast(subject as varchar) as subject,
        cast(type as varchar) as task_type,
        cast(status as varchar) as status,
        cast(activity_date as date) as activity_date,
        cast(created_date as timestamp) as created_at,
        cast(last_modified_date as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('task_id', ['loaded_at', 'updated_at']) }} = 1

)

select * from final
