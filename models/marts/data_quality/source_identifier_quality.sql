-- Per system and record type: records, identifiers carried and values rejected
-- (int_source_identifiers__counted), published.

with identifier_counts as (
    select * from {{ ref('int_source_identifiers__counted') }}
),

final as (
    select * from identifier_counts
)

select * from final
