-- Every deletion request and what became of it, for the operators who answer them: tombstoned (it matched a
-- unified individual at some run, and every key of that person was tombstoned then) or unmatched (it names a
-- record or email no record carries: only the named keys are tombstoned, so the person is suppressed when such a
-- record arrives, but nobody was found: check the request). No email or record ID is shown here.

with deletion_requests as (
    select * from {{ ref('stg_consent__deletion_requests') }}
),

resolved as (
    select * from {{ ref('int_deletion_requests__resolved') }}
),

tombstones as (
    select * from {{ ref('int_deletion_tombstones__recorded') }}
),

suppressed as (
    select * from {{ ref('int_unified_individuals__suppressed') }}
),

matches_now as (
    select
        deletion_request_id,
        count(distinct unified_individual_id) as matched_individual_count,
        min(match_method) as match_method
    from resolved
    group by deletion_request_id
),

tombstone_summary as (
    select
        deletion_request_id,
        count(distinct key_hash) as tombstone_key_count,
        count(distinct case when tombstone_source = 'resolved' then unified_individual_id end)
            as tombstoned_individual_count,
        min(case when tombstone_source = 'resolved' then tombstoned_at end) as tombstoned_at,
        min(case when tombstone_source = 'resolved' then tombstoned_in_invocation_id end)
            as tombstoned_in_invocation_id,
        min(tombstoned_at) as first_seen_at
    from tombstones
    group by deletion_request_id
),

suppressing as (
    select
        deletion_request_id,
        count(*) as suppressed_individual_count
    from suppressed
    group by deletion_request_id
),

final as (
    select
        deletion_requests.deletion_request_id,
        case
            when tombstone_summary.tombstoned_at is not null then 'tombstoned'
            else 'unmatched'
        end as deletion_status,
        deletion_requests.status as request_status,
        deletion_requests.source_system as named_source_system,
        coalesce(matches_now.match_method, 'unmatched') as match_method_this_run,
        tombstone_summary.tombstoned_in_invocation_id,
        cast(coalesce(tombstone_summary.tombstone_key_count, 0) as integer) as tombstone_key_count,
        cast(coalesce(tombstone_summary.tombstoned_individual_count, 0) as integer) as tombstoned_individual_count,
        cast(coalesce(matches_now.matched_individual_count, 0) as integer) as matched_individual_count,
        cast(coalesce(suppressing.suppressed_individual_count, 0) as integer) as suppressed_individual_count,
        deletion_requests.source_record_id is not null as names_record,
        deletion_requests.email is not null as names_email,
        deletion_requests.is_email_rejected as is_named_email_rejected,
        deletion_requests.requested_at,
        tombstone_summary.first_seen_at,
        tombstone_summary.tombstoned_at
    from deletion_requests
    left outer join matches_now
        on deletion_requests.deletion_request_id = matches_now.deletion_request_id
    left outer join tombstone_summary
        on deletion_requests.deletion_request_id = tombstone_summary.deletion_request_id
    left outer join suppressing
        on deletion_requests.deletion_request_id = suppressing.deletion_request_id
)

select * from final
