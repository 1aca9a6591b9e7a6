{{ config(materialized='incremental', unique_key='device_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('mobile_app', 'device') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('device_id', reject_junk=false) }} as device_id,
        lower(trim(cast(platform as varchar))) as platform,
        cast(os_version as varchar) as os_version,
        cast(app_version as varchar) as app_version,
        {{ cdp_identity.to_utc_timestamp('first_seen_at') }} as first_seen_at,
        {{ cdp_identity.to_utc_timestamp('last_seen_at') }} as last_seen_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('device_id', ['loaded_at', 'last_seen_at']) }} = 1

)

select * from final
