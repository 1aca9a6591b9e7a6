{{ config(materialized='incremental', unique_key='order_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('commerce', 'orders') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('order_id', reject_junk=false) }} as order_id,
        {{ cdp_identity.normalize_id('customer_id', reject_junk=false) }} as customer_id,
        cast(order_number as varchar) as order_number,
        cast(email as varchar) as raw_email,
        upper(trim(cast(currency as varchar))) as currency,
        cast(financial_status as varchar) as financial_status,
        {{ cdp_identity.raw_typed_value('total_price', 'double') }} as total_price,
        {{ cdp_identity.to_utc_timestamp('created_at') }} as created_at,
        {{ cdp_identity.to_utc_timestamp('updated_at') }} as updated_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

deduplicated as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('order_id', ['loaded_at', 'updated_at']) }} = 1

),

normalized as (

    select
        *,
        {{ cdp_identity.normalize_email('raw_email') }} as email

    from deduplicated

),

final as (

    select
        order_id,
        customer_id,
        order_number,
        email,
        currency,
        financial_status,
        total_price,
        {{ cdp_identity.is_rejected('raw_email', 'email') }} as is_email_rejected,
        created_at,
        updated_at,
        loaded_at

    from normalized

)

select * from final
