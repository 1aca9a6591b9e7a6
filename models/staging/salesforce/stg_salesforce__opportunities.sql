{{ config(materialized='incremental', unique_key='opportunity_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('salesforce', 'opportunity') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('id', reject_junk=false) }} as opportunity_id,
        {{ cdp_identity.normalize_id('contact_id', reject_junk=false) }} as contact_id,
        {{ cdp_identity.normalize_id('account_id', reject_junk=false) }} as account_id,
        cast(name as varchar) as opportunity_name,
        cast(stage_name as varchar) as stage_name,
        cast(type as varchar) as opportunity_type,
        cast(amount as double) as amount,
        cast(is_won as boolean) as is_won,
        cast(is_closed as boolean) as is_closed,
        cast(close_date as date) as close_date,
        cast(created_date as timestamp) as created_at,
        cast(last_modified_date as timestamp) as updated_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('opportunity_id', ['loaded_at', 'updated_at']) }} = 1

)

select * from final
