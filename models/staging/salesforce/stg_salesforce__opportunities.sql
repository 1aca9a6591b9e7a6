{{ config(materialized='incremental', unique_key='opportunity_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('salesforce', 'opportunity') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('id', reject_junk=false) }} as opportunity_id,
        {{ cdp_identity.normalize_id('contact_id', reject_junk=false) }} as contact_id,
        {{ cdp_identity.normalize_id('account_id', reject_junk=false) }} as account_id,
        cast(name as varchar) as opportunity_name,
        cast(stage_name as varchar) as stage_name,
        cast(type as varchar) as opportunity_type,
        {{ cdp_identity.raw_typed_value('amount', 'double') }} as amount,
        {{ cdp_identity.raw_typed_value('is_won', 'boolean') }} as is_won,
        {{ cdp_identity.raw_typed_value('is_closed', 'boolean') }} as is_closed,
        {{ cdp_identity.raw_typed_value('close_date', 'date') }} as close_date,
        {{ cdp_identity.to_utc_timestamp('created_date') }} as created_at,
        {{ cdp_identity.to_utc_timestamp('last_modified_date') }} as updated_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('opportunity_id', ['loaded_at', 'updated_at']) }} = 1

)

select * from final
