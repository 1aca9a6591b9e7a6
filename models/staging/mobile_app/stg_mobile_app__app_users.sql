{{ config(materialized='incremental', unique_key='app_user_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('mobile_app', 'app_user') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('user_id', reject_junk=false) }} as app_user_id,
        {{ cdp_identity.normalize_id('app_login', lowercase=true) }} as app_login,
        cast(first_name as varchar) as raw_first_name,
        cast(last_name as varchar) as raw_last_name,
        cast(email as varchar) as raw_email,
        {{ cdp_identity.to_utc_timestamp('created_at') }} as created_at,
        {{ cdp_identity.to_utc_timestamp('last_login_at') }} as last_login_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

deduplicated as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('app_user_id', ['loaded_at', 'last_login_at']) }} = 1

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
        app_user_id,
        app_login,
        first_name,
        last_name,
        email,
        {{ cdp_identity.is_rejected('raw_email', 'email') }} as is_email_rejected,
        {{ cdp_identity.rejection_reason('email', 'raw_email', 'email') }} as email_rejection_reason,
        {{ cdp_identity.is_rejected('raw_first_name', 'first_name') }} as is_first_name_rejected,
        {{ cdp_identity.rejection_reason('name', 'raw_first_name', 'first_name') }} as first_name_rejection_reason,
        {{ cdp_identity.is_rejected('raw_last_name', 'last_name') }} as is_last_name_rejected,
        {{ cdp_identity.rejection_reason('name', 'raw_last_name', 'last_name') }} as last_name_rejection_reason,
        created_at,
        last_login_at,
        loaded_at

    from normalized

)

select * from final
