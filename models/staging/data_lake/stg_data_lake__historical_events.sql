{{ config(materialized='incremental', unique_key='event_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('data_lake', 'historical_event') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('event_id', reject_junk=false) }} as event_id,
        {{ cdp_identity.normalize_id('legacy_customer_id', reject_junk=false) }} as legacy_customer_id,
        cast(email as varchar) as raw_email,
        cast(event_type as varchar) as event_type,
        cast(channel as varchar) as channel,
        {{ cdp_identity.raw_typed_value('amount', 'double') }} as amount,
        {{ cdp_identity.to_utc_timestamp('event_at') }} as event_at,
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
        legacy_customer_id,
        email,
        event_type,
        channel,
        amount,
        {{ cdp_identity.is_rejected('raw_email', 'email') }} as is_email_rejected,
        event_at,
        loaded_at

    from normalized

)

select * from final
