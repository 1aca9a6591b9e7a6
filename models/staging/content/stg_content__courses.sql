{{ config(materialized='incremental', unique_key='course_code', on_schema_change='fail') }}

with

source as (

    select * from {{ source('content', 'course') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('course_code', reject_junk=false) }} as course_code,
        {{ cdp_identity.normalize_id('next_course_code', reject_junk=false) }} as next_course_code,
        cast(course_name as varchar) as course_name,
        cast(discipline as varchar) as discipline,
        {{ cdp_identity.raw_typed_value('level', 'integer') }} as course_level,
        {{ cdp_identity.raw_typed_value('duration_hours', 'double') }} as duration_hours,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('course_code', ['loaded_at']) }} = 1

)

select * from final
