{{ config(materialized='incremental', unique_key='tier_period_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('club', 'tier_history') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('tier_history_id', reject_junk=false) }} as tier_period_id,
        {{ cdp_identity.normalize_id('member_id', reject_junk=false) }} as member_id,
        cast(tier as varchar) as tier,
        cast(change_reason as varchar) as change_reason,
        valid_to is null as is_current,
        cast(valid_from as date) as valid_from_date,
        cast(valid_to as date) as valid_to_date,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('tier_period_id', ['loaded_at']) }} = 1

)

select * from final
