-- The review desk's decisions from the warehouse table (source review.identity_override_decisions), as the
-- overrides seed holds them. Kept as delivered, row for row: a bad row is reported downstream as a bad seed row is
-- (int_identity_overrides__resolved, identity_review_queue), never dropped here.

with decisions as (
    select * from {{ source('review', 'identity_override_decisions') }}
),

final as (
    select
        cast(override_id as varchar) as override_id,
        -- (action: the overrides seed's column name, which the union with the seed keeps)
        cast(action as varchar) as action,  -- noqa: RF04
        cast(left_source_system as varchar) as left_source_system,
        cast(left_source_record_id as varchar) as left_source_record_id,
        cast(right_source_system as varchar) as right_source_system,
        cast(right_source_record_id as varchar) as right_source_record_id,
        cast(decided_by as varchar) as decided_by,
        cast(reason as varchar) as reason,
        cast(decided_at as timestamp) as decided_at
    from decisions
)

select * from final
