{{ config(materialized='incremental', unique_key='certification_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('lms', 'certification') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('certification_id', reject_junk=false) }} as certification_id,
        {{ cdp_identity.normalize_id('learner_id', reject_junk=false) }} as learner_id,
        {{ cdp_identity.normalize_id('course_code', reject_junk=false) }} as course_code,
        cast(discipline as varchar) as discipline,
        {{ cdp_identity.raw_typed_value('level', 'integer') }} as certification_level,
        {{ cdp_identity.to_utc_timestamp('issued_at') }} as issued_at,
        {{ cdp_identity.to_utc_timestamp('expires_at') }} as expires_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('certification_id', ['loaded_at', 'issued_at']) }} = 1

)

select * from final
