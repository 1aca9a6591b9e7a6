{{ config(materialized='incremental', unique_key='subscriber_key', on_schema_change='fail') }}

with

source as (

    select * from {{ source('marketing_cloud', 'subscriber') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('subscriber_key', reject_junk=false) }} as subscriber_key,
        cast(email_address as varchar) as raw_email,
        cast(first_name as varchar) as raw_first_name,
        cast(last_name as varchar) as raw_last_name,
        cast(status as varchar) as status,
        {{ cdp_identity.to_utc_timestamp('date_joined') }} as joined_at,
        {{ cdp_identity.to_utc_timestamp('date_unsubscribed') }} as unsubscribed_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

deduplicated as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('subscriber_key', ['loaded_at']) }} = 1

),

normalized as (

    select
        *,
        {{ cdp_identity.normalize_name('raw_first_name') }} as first_name,
        {{ cdp_identity.normalize_name('raw_last_name') }} as last_name,
        {{ cdp_identity.normalize_email('raw_email') }} as email

    from deduplicated

),

final as (

    select
        subscriber_key,
        first_name,
        last_name,
        email,
        status,
        {{ cdp_identity.is_rejected('raw_email', 'email') }} as is_email_rejected,
        {{ cdp_identity.rejection_reason('email', 'raw_email', 'email') }} as email_rejection_reason,
        {{ cdp_identity.is_rejected('raw_first_name', 'first_name') }} as is_first_name_rejected,
        {{ cdp_identity.rejection_reason('name', 'raw_first_name', 'first_name') }} as first_name_rejection_reason,
        {{ cdp_identity.is_rejected('raw_last_name', 'last_name') }} as is_last_name_rejected,
        {{ cdp_identity.rejection_reason('name', 'raw_last_name', 'last_name') }} as last_name_rejection_reason,
        joined_at,
        unsubscribed_at,
        loaded_at

    from normalized

)

select * from final
