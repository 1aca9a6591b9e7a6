{{ config(materialized='incremental', unique_key='legacy_customer_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('data_lake', 'legacy_customer') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('legacy_customer_id', reject_junk=false) }} as legacy_customer_id,
        cast(first_name as varchar) as raw_first_name,
        cast(last_name as varchar) as raw_last_name,
        cast(email as varchar) as raw_email,
        cast(phone as varchar) as raw_phone,
        cast(postal_code as varchar) as raw_postal_code,
        cast(city as varchar) as raw_city,
        {{ cdp_identity.normalize_country('country') }} as country_code,
        cast(legacy_system as varchar) as legacy_system,
        {{ cdp_identity.raw_typed_value('birth_date', 'date') }} as raw_date_of_birth,
        {{ cdp_identity.to_utc_timestamp('created_at') }} as created_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

deduplicated as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('legacy_customer_id', ['loaded_at', 'created_at']) }} = 1

),

normalized as (

    select
        *,
        {{ cdp_identity.normalize_name('raw_first_name') }} as first_name,
        {{ cdp_identity.normalize_name('raw_last_name') }} as last_name,
        {{ cdp_identity.normalize_email('raw_email') }} as email,
        {{ cdp_identity.normalize_phone('raw_phone', 'country_code') }} as phone,
        {{ cdp_identity.normalize_postal_code('raw_postal_code', 'country_code') }} as postal_code,
        {{ cdp_identity.normalize_text('raw_city') }} as city,
        {{ cdp_identity.normalize_birth_date('raw_date_of_birth') }} as date_of_birth

    from deduplicated

),

final as (

    select
        legacy_customer_id,
        first_name,
        last_name,
        email,
        phone,
        postal_code,
        city,
        country_code,
        legacy_system,
        {{ cdp_identity.is_rejected('raw_email', 'email') }} as is_email_rejected,
        {{ cdp_identity.rejection_reason('email', 'raw_email', 'email') }} as email_rejection_reason,
        {{ cdp_identity.is_rejected('raw_phone', 'phone') }} as is_phone_rejected,
        {{ cdp_identity.rejection_reason('phone', 'raw_phone', 'phone') }} as phone_rejection_reason,
        {{ cdp_identity.is_rejected('raw_first_name', 'first_name') }} as is_first_name_rejected,
        {{ cdp_identity.rejection_reason('name', 'raw_first_name', 'first_name') }} as first_name_rejection_reason,
        {{ cdp_identity.is_rejected('raw_last_name', 'last_name') }} as is_last_name_rejected,
        {{ cdp_identity.rejection_reason('name', 'raw_last_name', 'last_name') }} as last_name_rejection_reason,
        {{ cdp_identity.is_rejected('raw_date_of_birth', 'date_of_birth') }} as is_date_of_birth_rejected,
        {{ cdp_identity.rejection_reason('date_of_birth', 'raw_date_of_birth', 'date_of_birth') }}
            as date_of_birth_rejection_reason,
        {{ cdp_identity.is_rejected('raw_postal_code', 'postal_code') }} as is_postal_code_rejected,
        {{ cdp_identity.rejection_reason('postal_code', 'raw_postal_code', 'postal_code') }}
            as postal_code_rejection_reason,
        {{ cdp_identity.rejection_reason('text', 'raw_city', 'city') }} as city_rejection_reason,
        date_of_birth,
        created_at,
        loaded_at

    from normalized

)

select * from final
