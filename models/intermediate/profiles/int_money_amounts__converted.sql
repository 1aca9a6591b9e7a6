-- One row per money amount the profiles sum, in its own currency and in var reporting_currency: store orders that
-- count as revenue (paid or partially refunded, created by the run date; the total net of refunds processed by
-- then), data-lake historical purchases, and won CRM opportunities. Each converts at the rate of its own month
-- (int_exchange_rates__monthly); a month the rates do not cover yet takes the currency's latest earlier month,
-- at most var exchange_rate_carry_forward_months back. A feed without a currency column is in the currency var
-- amount_currency_by_system names for its system (`is_currency_assumed`). An amount with no rate keeps a null
-- converted amount (never a zero) and is listed by the warning test assert_every_amount_has_an_exchange_rate.

with orders as (
    select * from {{ ref('stg_commerce__orders') }}
    where created_at < {{ as_of_at() }}
        and financial_status in ('paid', 'partially_refunded')
),

payments as (
    select * from {{ ref('stg_commerce__payments') }}
    where status = 'refund'
        and processed_at < {{ as_of_at() }}
),

opportunities as (
    select * from {{ ref('stg_salesforce__opportunities') }}
    where created_at < {{ as_of_at() }}
        and is_won
),

lake_events as (
    select * from {{ ref('int_data_lake_events__linked') }}
    where event_type = 'purchase'
),

linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
),

rates as (
    select * from {{ ref('int_exchange_rates__monthly') }}
),

order_refunds as (
    select
        order_id,
        {{ sum_money('amount') }} as refunded_amount
    from payments
    group by order_id
),

amounts as (
    select
        'commerce' as source_system,
        'store_order' as amount_kind,
        orders.order_id as source_amount_id,
        linked_records.unified_individual_id,
        orders.created_at as occurred_at,
        orders.total_price + coalesce(order_refunds.refunded_amount, 0) as amount,
        orders.currency,
        false as is_currency_assumed
    from orders
    inner join linked_records
        on {{ identity_record_id('commerce', 'orders.customer_id') }} = linked_records.identity_record_id
    left outer join order_refunds
        on orders.order_id = order_refunds.order_id
    union all
    select
        'data_lake' as source_system,
        'lake_purchase' as amount_kind,
        event_id as source_amount_id,
        unified_individual_id,
        event_at as occurred_at,
        amount,
        '{{ var("amount_currency_by_system")["data_lake"] }}' as currency,
        true as is_currency_assumed
    from lake_events
    union all
    select
        'salesforce' as source_system,
        'won_opportunity' as amount_kind,
        opportunities.opportunity_id as source_amount_id,
        linked_records.unified_individual_id,
        opportunities.created_at as occurred_at,
        opportunities.amount,
        '{{ var("amount_currency_by_system")["salesforce"] }}' as currency,
        true as is_currency_assumed
    from opportunities
    inner join linked_records
        on {{ identity_record_id('salesforce', 'opportunities.contact_id') }} = linked_records.identity_record_id
),

-- The rate of the amount's month, else of the latest earlier month within the carry-forward window.
rated as (
    select
        amounts.source_system,
        amounts.amount_kind,
        amounts.source_amount_id,
        rates.rate_month,
        rates.rate_to_reporting
    from amounts
    inner join rates
        on amounts.currency = rates.currency
            and rates.rate_month <= amounts.occurred_at
            and rates.rate_month > {{ dbt.dateadd(
                'month', -1 - var('exchange_rate_carry_forward_months'), 'amounts.occurred_at'
            ) }}
    qualify row_number() over (
            partition by amounts.source_system, amounts.amount_kind, amounts.source_amount_id
            order by rates.rate_month desc
        ) = 1
),

final as (
    select
        amounts.source_system,
        amounts.amount_kind,
        amounts.source_amount_id,
        amounts.unified_individual_id,
        amounts.occurred_at,
        amounts.amount,
        amounts.currency,
        amounts.is_currency_assumed,
        cast('{{ var("reporting_currency") }}' as varchar) as reporting_currency,
        rated.rate_month,
        rated.rate_to_reporting,
        cast(round(amounts.amount * rated.rate_to_reporting, 2) as double) as amount_in_reporting_currency
    from amounts
    left outer join rated
        on amounts.source_system = rated.source_system
            and amounts.amount_kind = rated.amount_kind
            and amounts.source_amount_id = rated.source_amount_id
)

select * from final
