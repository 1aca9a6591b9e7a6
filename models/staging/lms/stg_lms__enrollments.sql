{{ config(materialized='incremental', unique_key='enrollment_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('lms', 'enrollment') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('enrollment_id', reject_junk=false) }} as enrollment_id,
        {{ cdp_identity.normalize_id('learner_id', reject_junk=false) }} as learner_id,
        {{ cdp_identity.normalize_id('course_code', reject_junk=false) }} as course_code,
        cast(status as varchar) as status,
        cast(enrolled_at as timestamp) as enrolled_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('enrollment_id', ['loaded_at']) }} = 1

)

select * from final
