{{ config(materialized='incremental', unique_key='event_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('marketing_cloud', 'open') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('event_id', reject_junk=false) }} as event_id,
        {{ cdp_identity.normalize_id('send_id', reject_junk=false) }} as send_id,
        {{ cdp_identity.normalize_id('subscriber_key', reject_junk=false) }} as subscriber_key,
        {{ cdp_identity.raw_typed_value('is_unique', 'boolean') }} as is_unique_open,
        {{ cdp_identity.to_utc_timestamp('event_date') }} as opened_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('event_id', ['loaded_at']) }} = 1

)

select * from final
