-- The unified individuals activation may use: everyone except people with a deletion request (whatever its
-- status: a request received is honoured from the next run). Every profile, insight, segment and export is
-- built from this list.

with links as (
    select * from {{ ref('unified_links') }}
),

deletions as (
    select * from {{ ref('int_deletion_requests__resolved') }}
    where unified_individual_id is not null
),

individuals as (
    select distinct unified_individual_id
    from links
),

final as (
    select individuals.unified_individual_id
    from individuals
    where not exists (
            select 1
            from deletions
            where deletions.unified_individual_id = individuals.unified_individual_id
        )
)

select * from final
