{{ config(materialized='incremental', unique_key='payment_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('commerce', 'payment') }}
    where {{ cdp_identity.loaded_since_last_run() }}

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
        cast(amount as double) as amount,
        cast(processed_at as timestamp) as processed_at,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('payment_id', ['loaded_at', 'processed_at']) }} = 1

)

select * from final
