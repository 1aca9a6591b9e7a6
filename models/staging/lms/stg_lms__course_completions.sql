{{ config(materialized='incremental', unique_key='course_completion_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('lms', 'course_completion') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('completion_id', reject_junk=false) }} as course_completion_id,
        {{ cdp_identity.normalize_id('learner_id', reject_junk=false) }} as learner_id,
        {{ cdp_identity.normalize_id('course_code', reject_junk=false) }} as course_code,
        cast(score as double) as score,
        cast(completed_at as timestamp) as completed_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('course_completion_id', ['loaded_at', 'completed_at']) }} = 1

)

select * from final
