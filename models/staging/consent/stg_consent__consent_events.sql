{{ config(materialized='incremental', unique_key='consent_event_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('consent', 'consent_event') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('consent_event_id', reject_junk=false) }} as consent_event_id,
        cast(source_system as varchar) as source_system,
        {{ cdp_identity.normalize_id('source_record_id') }} as source_record_id,
        cast(email as varchar) as raw_email,
        cast(channel as varchar) as channel,
        cast(status as varchar) as status,
        cast(captured_via as varchar) as captured_via,
        {{ cdp_identity.to_utc_timestamp('captured_at') }} as captured_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

deduplicated as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('consent_event_id', ['loaded_at', 'captured_at']) }} = 1

),

normalized as (

    select
        *,
        {{ cdp_identity.normalize_email('raw_email') }} as email

    from deduplicated

),

final as (

    select
        consent_event_id,
        source_record_id,
        source_system,
        email,
        channel,
        status,
        captured_via,
        {{ cdp_identity.is_rejected('raw_email', 'email') }} as is_email_rejected,
        captured_at,
        loaded_at

    from normalized

)

select * from final
