-- Scores and next best action for Salesforce contacts (int_crm_contacts__exported), published.

with contacts as (
    select * from {{ ref('int_crm_contacts__exported') }}
),

final as (
    select * from contacts
)

select * from final
