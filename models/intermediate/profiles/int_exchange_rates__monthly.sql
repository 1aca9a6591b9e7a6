-- One row per currency and month with a published rate (seed exchange_rates: monthly means of the ECB's euro
-- reference rates): how many units of var reporting_currency one unit of the currency is worth that month,
-- computed through the euro (both rates are units per euro). The euro and the reporting currency are rows too.

with rates as (
    select * from {{ ref('exchange_rates') }}
),

reporting as (
    select
        rate_month,
        units_per_eur as reporting_units_per_eur
    from rates
    where currency = '{{ var("reporting_currency") }}'
),

final as (
    select
        rates.currency,
        rates.rate_month,
        reporting.reporting_units_per_eur / rates.units_per_eur as rate_to_reporting
    from rates
    inner join reporting
        on rates.rate_month = reporting.rate_month
)

select * from final
