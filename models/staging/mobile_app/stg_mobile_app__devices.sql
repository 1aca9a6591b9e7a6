{{ config(materialized='incremental', unique_key='device_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('mobile_app', 'device') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('device_id', reject_junk=false) }} as device_id,
        lower(trim(cast(platform as varchar))) as platform,
        cast(os_version as varchar) as os_version,
        cast(app_version as varchar) as app_version,
        cast(first_seen_at as timestamp) as first_seen_at,
        cast(last_seen_at as timestamp) as last_seen_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('device_id', ['loaded_at', 'last_seen_at']) }} = 1

)

select * from final
