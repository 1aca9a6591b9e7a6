{{ config(materialized='incremental', unique_key='tier_period_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('club', 'tier_history') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('tier_history_id', reject_junk=false) }} as tier_period_id,
        {{ cdp_identity.normalize_id('member_id', reject_junk=false) }} as member_id,
        cast(tier as varchar) as tier,
        cast(change_reason as varchar) as change_reason,
        valid_to is null as is_current,
        {{ cdp_identity.raw_typed_value('valid_from', 'date') }} as valid_from_date,
        {{ cdp_identity.raw_typed_value('valid_to', 'date') }} as valid_to_date,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('tier_period_id', ['loaded_at']) }} = 1

)

select * from final
