-- One row per unified individual with purchases up to the run date: online store orders and data-lake historical
-- purchases. An order counts once it is paid (paid or partially refunded); its revenue is its total net of
-- refunds. Amounts are in var reporting_currency, each converted at its month's rate (int_money_amounts__converted),
-- and summed exactly (sum_money); an amount with no rate counts as a purchase but adds no revenue (a warning lists
-- it).

with money_amounts as (
    select * from {{ ref('int_money_amounts__converted') }}
    where amount_kind in ('store_order', 'lake_purchase')
),

purchases as (
    select
        unified_individual_id,
        source_system as purchase_source,
        amount_in_reporting_currency as purchase_amount,
        occurred_at as purchased_at
    from money_amounts
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
