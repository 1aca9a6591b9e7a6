-- Every person-bearing record appears in unified_links exactly once, and nothing else does.
-- Returns the offending records with how often each appears on either side.

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

links as (
    select * from {{ ref('unified_links') }}
),

link_counts as (
    select
        identity_record_id,
        count(*) as link_count
    from links
    group by identity_record_id
),

final as (
    select
        coalesce(identity_records.identity_record_id, link_counts.identity_record_id) as identity_record_id,
        identity_records.identity_record_id is not null as is_identity_record,
        coalesce(link_counts.link_count, 0) as link_count
    from identity_records
    full outer join link_counts
        on identity_records.identity_record_id = link_counts.identity_record_id
)

select * from final
where not is_identity_record
    or link_count != 1
