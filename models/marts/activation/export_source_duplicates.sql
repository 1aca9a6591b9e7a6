-- Duplicate account records to send back to each source system (int_source_duplicates__ranked), published.

with duplicates as (
    select * from {{ ref('int_source_duplicates__ranked') }}
),

final as (
    select * from duplicates
)

select * from final
