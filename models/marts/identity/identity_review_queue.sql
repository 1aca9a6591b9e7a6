-- Work for a person: what the resolver was not sure about or held back (int_identity_review_items__queued), published.

with review_items as (
    select * from {{ ref('int_identity_review_items__queued') }}
),

final as (
    select * from review_items
)

select * from final
