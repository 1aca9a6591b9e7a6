{{ config(materialized='incremental', unique_key='course_completion_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('lms', 'course_completion') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('completion_id', reject_junk=false) }} as course_completion_id,
        {{ cdp_identity.normalize_id('learner_id', reject_junk=false) }} as learner_id,
        {{ cdp_identity.normalize_id('course_code', reject_junk=false) }} as course_code,
        {{ cdp_identity.raw_typed_value('score', 'double') }} as score,
        {{ cdp_identity.to_utc_timestamp('completed_at') }} as completed_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('course_completion_id', ['loaded_at', 'completed_at']) }} = 1

)

select * from final
