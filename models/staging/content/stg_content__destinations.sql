{{ config(materialized='incremental', unique_key='destination_code', on_schema_change='fail') }}

with

source as (

    select * from {{ source('content', 'destination') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('destination_code', reject_junk=false) }} as destination_code,
        cast(destination_name as varchar) as destination_name,
        {{ cdp_identity.normalize_country('country') }} as country_code,
        cast(discipline as varchar) as discipline,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('destination_code', ['loaded_at']) }} = 1

)

select * from final
