-- One row per unified individual with purchases up to the run date: online store orders and data-lake historical
-- purchases. An order counts once it is paid (paid or partially refunded); its revenue is its total net of
-- refunds. Amounts are summed as delivered, in the order's own currency (no conversion), exactly (sum_money).

with orders as (
    select * from {{ ref('stg_commerce__orders') }}
    where created_at < {{ as_of_at() }}
),

payments as (
    select * from {{ ref('stg_commerce__payments') }}
),

linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
),

lake_events as (
    select * from {{ ref('int_data_lake_events__linked') }}
    where event_type = 'purchase'
),

order_refunds as (
    select
        order_id,
        {{ sum_money('amount') }} as refunded_amount
    from payments
    where status = 'refund'
        and processed_at < {{ as_of_at() }}
    group by order_id
),

store_purchases as (
    select
        linked_records.unified_individual_id,
        'commerce' as purchase_source,
        orders.total_price + coalesce(order_refunds.refunded_amount, 0) as purchase_amount,
        orders.created_at as purchased_at
    from orders
    inner join linked_records
        on {{ identity_record_id('commerce', 'orders.customer_id') }} = linked_records.identity_record_id
    left outer join order_refunds
        on orders.order_id = order_refunds.order_id
    where orders.financial_status in ('paid', 'partially_refunded')
),

lake_purchases as (
    select
        unified_individual_id,
        'data_lake' as purchase_source,
        coalesce(amount, 0) as purchase_amount,
        event_at as purchased_at
    from lake_events
),

purchases as (
    select * from store_purchases
    union all
    select * from lake_purchases
),

final as (
    select
        unified_individual_id,
        count(case when purchase_source = 'commerce' then 1 end) as order_count,
        count(case when purchase_source = 'data_lake' then 1 end) as lake_purchase_count,
        {{ sum_money("case when purchase_source = 'commerce' then purchase_amount else 0 end") }}
            as order_revenue_total,
        {{ sum_money("case when purchase_source = 'data_lake' then purchase_amount else 0 end") }}
            as lake_revenue_total,
        {{ sum_money('purchase_amount') }} as revenue_total,
        count(case when {{ is_within_as_of_window('purchased_at', 365) }} then 1 end) as purchase_count_365d,
        count(
            case when purchase_source = 'commerce' and {{ is_within_as_of_window('purchased_at', 365) }} then 1 end
        ) as order_count_365d,
        {{ sum_money(
            'case when ' ~ is_within_as_of_window('purchased_at', 365) ~ ' then purchase_amount else 0 end'
        ) }} as revenue_365d,
        min(purchased_at) as first_purchase_at,
        max(purchased_at) as last_purchase_at
    from purchases
    group by unified_individual_id
)

select * from final
