-- One row per unified individual with data-lake history: its historical events up to the run date (its purchases
-- are counted with the store's, in int_commerce__aggregated_by_individual).

with lake_events as (
    select * from {{ ref('int_data_lake_events__linked') }}
),

final as (
    select
        unified_individual_id,
        count(*) as lake_event_count,
        count(case when link_method = 'email' then 1 end) as lake_event_count_linked_by_email,
        min(event_at) as first_lake_event_at,
        max(event_at) as last_lake_event_at
    from lake_events
    group by unified_individual_id
)

select * from final
