{{ config(materialized='incremental', unique_key='learner_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('lms', 'learner') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('learner_id', reject_junk=false) }} as learner_id,
        cast(first_name as varchar) as raw_first_name,
        cast(last_name as varchar) as raw_last_name,
        cast(email as varchar) as raw_email,
        {{ cdp_identity.normalize_country('country') }} as country_code,
        lower(trim(cast(preferred_language as varchar))) as preferred_language,
        {{ cdp_identity.raw_typed_value('date_of_birth', 'date') }} as raw_date_of_birth,
        {{ cdp_identity.to_utc_timestamp('created_at') }} as created_at,
        {{ cdp_identity.to_utc_timestamp('updated_at') }} as updated_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

deduplicated as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('learner_id', ['loaded_at', 'updated_at']) }} = 1

),

normalized as (

    select
        *,
        {{ cdp_identity.normalize_name('raw_first_name') }} as first_name,
        {{ cdp_identity.normalize_name('raw_last_name') }} as last_name,
        {{ cdp_identity.normalize_email('raw_email') }} as email,
        {{ cdp_identity.normalize_birth_date('raw_date_of_birth') }} as date_of_birth

    from deduplicated

),

final as (

    select
        learner_id,
        first_name,
        last_name,
        email,
        country_code,
        preferred_language,
        {{ cdp_identity.is_rejected('raw_email', 'email') }} as is_email_rejected,
        {{ cdp_identity.rejection_reason('email', 'raw_email', 'email') }} as email_rejection_reason,
        {{ cdp_identity.is_rejected('raw_first_name', 'first_name') }} as is_first_name_rejected,
        {{ cdp_identity.rejection_reason('name', 'raw_first_name', 'first_name') }} as first_name_rejection_reason,
        {{ cdp_identity.is_rejected('raw_last_name', 'last_name') }} as is_last_name_rejected,
        {{ cdp_identity.rejection_reason('name', 'raw_last_name', 'last_name') }} as last_name_rejection_reason,
        {{ cdp_identity.is_rejected('raw_date_of_birth', 'date_of_birth') }} as is_date_of_birth_rejected,
        {{ cdp_identity.rejection_reason('date_of_birth', 'raw_date_of_birth', 'date_of_birth') }}
            as date_of_birth_rejection_reason,
        date_of_birth,
        created_at,
        updated_at,
        loaded_at

    from normalized

)

select * from final
