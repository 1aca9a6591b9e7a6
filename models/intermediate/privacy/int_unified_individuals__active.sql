-- The unified individuals activation may use: everyone except those holding a record or identifier of a person
-- who asked to be deleted (int_unified_individuals__suppressed: the request's tombstones, whatever its status: a
-- request received is honoured from the run it is first seen). Every profile, insight, segment and export is
-- built from this list.

with links as (
    select * from {{ ref('int_identity_records__linked') }}
),

suppressed as (
    select * from {{ ref('int_unified_individuals__suppressed') }}
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
            from suppressed
            where suppressed.unified_individual_id = individuals.unified_individual_id
        )
)

select * from final
