{{ config(materialized='incremental', unique_key='certification_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('lms', 'certification') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('certification_id', reject_junk=false) }} as certification_id,
        {{ cdp_identity.normalize_id('learner_id', reject_junk=false) }} as learner_id,
        {{ cdp_identity.normalize_id('course_code', reject_junk=false) }} as course_code,
        cast(discipline as varchar) as discipline,
        cast(level as integer) as certification_level,
        cast(issued_at as timestamp) as issued_at,
        cast(expires_at as timestamp) as expires_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('certification_id', ['loaded_at', 'issued_at']) }} = 1

)

select * from final
