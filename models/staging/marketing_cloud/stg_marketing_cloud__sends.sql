{{ config(materialized='incremental', unique_key='event_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('marketing_cloud', 'send') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('event_id', reject_junk=false) }} as event_id,
        {{ cdp_identity.normalize_id('send_id', reject_junk=false) }} as send_id,
        {{ cdp_identity.normalize_id('subscriber_key', reject_junk=false) }} as subscriber_key,
        cast(email_address as varchar) as raw_email,
        cast(journey_name as varchar) as journey_name,
        cast(email_name as varchar) as email_name,
        {{ cdp_identity.to_utc_timestamp('event_date') }} as sent_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

deduplicated as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('event_id', ['loaded_at']) }} = 1

),

normalized as (

    select
        *,
        {{ cdp_identity.normalize_email('raw_email') }} as email

    from deduplicated

),

final as (

    select
        event_id,
        send_id,
        subscriber_key,
        email,
        journey_name,
        email_name,
        {{ cdp_identity.is_rejected('raw_email', 'email') }} as is_email_rejected,
        sent_at,
        loaded_at

    from normalized

)

select * from final
