{{ config(materialized='incremental', unique_key='order_line_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('commerce', 'order_line') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('order_line_id', reject_junk=false) }} as order_line_id,
        {{ cdp_identity.normalize_id('order_id', reject_junk=false) }} as order_id,
        cast(sku as varchar) as sku,
        cast(product_name as varchar) as product_name,
        cast(category as varchar) as category,
        {{ cdp_identity.raw_typed_value('quantity', 'integer') }} as quantity,
        {{ cdp_identity.raw_typed_value('price', 'double') }} as unit_price,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

final as (

    select * exclude (row_hash) from renamed
    qualify {{ cdp_identity.latest_version_row_number('order_line_id', ['loaded_at']) }} = 1

)

select * from final
