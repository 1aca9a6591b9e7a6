{{ config(materialized='incremental', unique_key='enrollment_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('lms', 'enrollment') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('enrollment_id', reject_junk=false) }} as enrollment_id,
        {{ cdp_identity.normalize_id('learner_id', reject_junk=false) }} as learner_id,
        {{ cdp_identity.normalize_id('course_code', reject_junk=false) }} as course_code,
        cast(status as varchar) as status,
        {{ cdp_identity.to_utc_timestamp('enrolled_at') }} as enrolled_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('enrollment_id', ['loaded_at']) }} = 1

)

select * from final
