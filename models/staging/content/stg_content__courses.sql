{{ config(materialized='incremental', unique_key='course_code', on_schema_change='fail') }}

with

source as (

    select * from {{ source('content', 'course') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('course_code', reject_junk=false) }} as course_code,
        {{ cdp_identity.normalize_id('next_course_code', reject_junk=false) }} as next_course_code,
        cast(course_name as varchar) as course_name,
        cast(discipline as varchar) as discipline,
        cast(level as integer) as course_level,
        cast(duration_hours as double) as duration_hours,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('course_code', ['loaded_at']) }} = 1

)

select * from final
