{{ config(materialized='incremental', unique_key='event_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('web', 'event') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('event_id', reject_junk=false) }} as event_id,
        {{ cdp_identity.normalize_id('anonymous_id') }} as anonymous_id,
        {{ cdp_identity.normalize_id('user_login', lowercase=true, reject_junk=false) }} as user_login,
        cast(event_type as varchar) as event_type,
        cast(page_path as varchar) as page_path,
        cast(referrer as varchar) as referrer,
        cast(user_agent as varchar) as user_agent,
        {{ cdp_identity.to_utc_timestamp('event_at') }} as event_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

deduplicated as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('event_id', ['loaded_at']) }} = 1

),

final as (

    select
        event_id,
        anonymous_id,
        user_login,
        case
            when user_login like '%@%' then {{ cdp_identity.normalize_email('user_login') }}
        end as login_email,
        case
            when user_login not like '%@%' then {{ cdp_identity.normalize_id('user_login', lowercase=true) }}
        end as login_app_login,
        event_type,
        page_path,
        referrer,
        user_agent,
        event_at,
        loaded_at

    from deduplicated

)

select * from final
