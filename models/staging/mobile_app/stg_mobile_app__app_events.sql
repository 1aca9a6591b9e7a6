{{ config(materialized='incremental', unique_key='event_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('mobile_app', 'app_event') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('event_id', reject_junk=false) }} as event_id,
        {{ cdp_identity.normalize_id('device_id') }} as device_id,
        {{ cdp_identity.normalize_id('app_login', lowercase=true) }} as app_login,
        cast(event_name as varchar) as event_name,
        cast(screen_name as varchar) as screen_name,
        cast(event_at as timestamp) as event_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('event_id', ['loaded_at']) }} = 1

)

select * from final
