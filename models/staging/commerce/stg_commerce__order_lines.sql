{{ config(materialized='incremental', unique_key='order_line_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('commerce', 'order_line') }}
    where {{ cdp_identity.loaded_since_last_run() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('order_line_id', reject_junk=false) }} as order_line_id,
        {{ cdp_identity.normalize_id('order_id', reject_junk=false) }} as order_id,
        cast(sku as varchar) as sku,
        cast(product_name as varchar) as product_name,
        cast(category as varchar) as category,
        cast(quantity as integer) as quantity,
        cast(price as double) as unit_price,
        cast(_loaded_at as timestamp) as loaded_at

    from source

),

final as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('order_line_id', ['loaded_at']) }} = 1

)

select * from final
