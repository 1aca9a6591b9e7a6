{{ config(severity='warn') }}
-- Amounts the profiles cannot convert into var reporting_currency (a currency the exchange rates do not quote, or a
-- month outside the rates and their carry-forward window): they count as purchases but add no revenue, so they are
-- listed here, one row per amount, rather than summed as zero.

with money_amounts as (
    select * from {{ ref('int_money_amounts__converted') }}
)

select
    source_system,
    amount_kind,
    source_amount_id,
    occurred_at,
    amount,
    currency
from money_amounts
where amount is not null
    and amount_in_reporting_currency is null
