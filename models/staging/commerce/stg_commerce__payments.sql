{{ config(materialized='incremental', unique_key='payment_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('commerce', 'payment') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('payment_id', reject_junk=false) }} as payment_id,
        {{ cdp_identity.normalize_id('order_id', reject_junk=false) }} as order_id,
        {{ cdp_identity.normalize_card_hash('card_hash') }} as payment_card_hash,
        {{ cdp_identity.rejection_reason('card_hash', 'card_hash', cdp_identity.normalize_card_hash('card_hash')) }}
            as payment_card_hash_rejection_reason,
        lower(trim(cast(card_brand as varchar))) as card_brand,
        cast(status as varchar) as status,
        {{ cdp_identity.raw_typed_value('amount', 'double') }} as amount,
        {{ cdp_identity.to_utc_timestamp('processed_at') }} as processed_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('payment_id', ['loaded_at', 'processed_at']) }} = 1

)

select * from final
