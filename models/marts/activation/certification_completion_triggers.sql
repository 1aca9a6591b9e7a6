-- Certification triggers for Marketing Cloud's real-time journey (int_certification_triggers__emitted), published.

with triggers as (
    select * from {{ ref('int_certification_triggers__emitted') }}
),

final as (
    select * from triggers
)

select * from final
