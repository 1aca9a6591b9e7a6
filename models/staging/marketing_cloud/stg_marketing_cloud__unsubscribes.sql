{{ config(materialized='incremental', unique_key='event_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('marketing_cloud', 'unsubscribe') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('event_id', reject_junk=false) }} as event_id,
        {{ cdp_identity.normalize_id('send_id', reject_junk=false) }} as send_id,
        {{ cdp_identity.normalize_id('subscriber_key', reject_junk=false) }} as subscriber_key,
        cast(reason as varchar) as unsubscribe_reason,
        cast(event_date as timestamp) as unsubscribed_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('event_id', ['loaded_at']) }} = 1

)

select * from final
