{{ config(materialized='incremental', unique_key='task_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('salesforce', 'task') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('id', reject_junk=false) }} as task_id,
        {{ cdp_identity.normalize_id('who_id', reject_junk=false) }} as contact_id,
        cast(subject as varchar) as subject,
        cast(type as varchar) as task_type,
        cast(status as varchar) as status,
        {{ cdp_identity.raw_typed_value('activity_date', 'date') }} as activity_date,
        {{ cdp_identity.to_utc_timestamp('created_date') }} as created_at,
        {{ cdp_identity.to_utc_timestamp('last_modified_date') }} as updated_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('task_id', ['loaded_at', 'updated_at']) }} = 1

)

select * from final
