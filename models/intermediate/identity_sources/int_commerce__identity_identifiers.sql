-- Every card a customer paid with is an identifier of the customer's record: one row per (customer, card hash),
-- ranked most used first (then most recently used). Rank 1 stands for the customer in the wide common identifier
-- schema (int_commerce__identity_records); the identity graph's exact-match rules count them all
-- (int_identity_identifiers__unpivoted).

with orders as (
    select * from {{ ref('stg_commerce__orders') }}
),

payments as (
    select * from {{ ref('stg_commerce__payments') }}
),

customer_cards as (
    select
        orders.customer_id,
        payments.payment_card_hash,
        count(*) as payment_count,
        max(payments.processed_at) as last_used_at
    from payments
    inner join orders
        on payments.order_id = orders.order_id
    where payments.payment_card_hash is not null
        and orders.customer_id is not null
    group by orders.customer_id, payments.payment_card_hash
),

final as (
    select
        {{ identity_record_id('commerce', 'customer_id') }} as identity_record_id,
        cast('payment_card_hash' as varchar) as identifier_type,
        cast(payment_card_hash as varchar) as identifier_value,
        row_number() over (
            partition by customer_id order by payment_count desc, last_used_at desc, payment_card_hash asc
        ) as identifier_rank
    from customer_cards
)

select * from final
