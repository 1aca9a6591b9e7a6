-- The semantic layer's daily time spine (MetricFlow joins metric_time to it): one row per calendar day from
-- 2000-01-01 through ten years after run_date. Plain SQL on both engines: five digit tables cross-joined give the
-- day numbers 0 to 99,999, turned into dates with the cross-database dateadd.

with digits as (
    select 0 as digit
    union all
    select 1 as digit
    union all
    select 2 as digit
    union all
    select 3 as digit
    union all
    select 4 as digit
    union all
    select 5 as digit
    union all
    select 6 as digit
    union all
    select 7 as digit
    union all
    select 8 as digit
    union all
    select 9 as digit
),

day_numbers as (
    select
        ones.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit
        + 10000 * ten_thousands.digit as day_number
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as ten_thousands
),

days as (
    select cast({{ dbt.dateadd('day', 'day_number', "cast('2000-01-01' as date)") }} as date) as date_day
    from day_numbers
),

final as (
    select date_day
    from days
    where date_day <= cast({{ dbt.dateadd('year', 10, as_of_date()) }} as date)
)

select * from final
