-- One row per active unified individual: scores and next best action (int_individual_insights__joined), published.

with insights as (
    select * from {{ ref('int_individual_insights__joined') }}
),

final as (
    select * from insights
)

select * from final
