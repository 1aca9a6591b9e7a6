-- The Marketing Cloud audience (int_marketing_cloud_audience__exported), published.

with audience as (
    select * from {{ ref('int_marketing_cloud_audience__exported') }}
),

final as (
    select * from audience
)

select * from final
