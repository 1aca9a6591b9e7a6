{{ config(materialized='incremental', unique_key='event_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('mobile_app', 'app_event') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('event_id', reject_junk=false) }} as event_id,
        {{ cdp_identity.normalize_id('device_id') }} as device_id,
        {{ cdp_identity.normalize_id('app_login', lowercase=true) }} as app_login,
        cast(event_name as varchar) as event_name,
        cast(screen_name as varchar) as screen_name,
        {{ cdp_identity.to_utc_timestamp('event_at') }} as event_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('event_id', ['loaded_at']) }} = 1

)

select * from final
