-- The snapshot dates of the trained insight models, one row each: the training snapshots (var
-- insight_training_snapshot_dates), the held-out snapshot back-testing reads (insight_holdout_snapshot_date) and the
-- scoring snapshot, run_date. A snapshot's features see everything before snapshot_at (the end of its date, as
-- run_date's as_of_at); its outcomes are what happened in the insight_outcome_window_days after it, up to
-- outcome_window_end_at (none for the scoring snapshot: its future is not known).

{%- set window_days = var('insight_outcome_window_days') | int %}

with snapshot_dates as (
    {%- for snapshot_date in var('insight_training_snapshot_dates') %}
        select
            cast('{{ snapshot_date }}' as date) as snapshot_date,
            'training' as snapshot_role
        union all
    {%- endfor %}
    select
        cast('{{ var("insight_holdout_snapshot_date") }}' as date) as snapshot_date,
        'holdout' as snapshot_role
    union all
    select
        {{ as_of_date() }} as snapshot_date,
        'scoring' as snapshot_role
),

final as (
    select
        snapshot_role,
        snapshot_date,
        {{ dbt.dateadd('day', 1, 'cast(snapshot_date as ' ~ dbt.type_timestamp() ~ ')') }} as snapshot_at,
        case
            when snapshot_role != 'scoring'
                then {{ dbt.dateadd('day', 1 + window_days, 'cast(snapshot_date as ' ~ dbt.type_timestamp() ~ ')') }}
        end as outcome_window_end_at
    from snapshot_dates
)

select * from final
