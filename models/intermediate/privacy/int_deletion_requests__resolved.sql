-- Right-to-be-forgotten requests matched to unified individuals: by the record they name (source system and
-- record ID) and by the email they name (every individual with a record carrying that email: when an email is
-- shared, everyone sharing it is treated as named, because forgetting too much is safer than too little).
-- A request that matches nothing is kept, with match_method 'unmatched', so that it is seen and answered.

with deletion_requests as (
    select * from {{ ref('stg_consent__deletion_requests') }}
),

links as (
    select * from {{ ref('int_identity_records__linked') }}
),

email_identifiers as (
    select * from {{ ref('int_identity_identifiers__unpivoted') }}
    where identifier_type = 'email'
),

by_record as (
    select
        deletion_requests.deletion_request_id,
        links.unified_individual_id,
        'source_record' as match_method
    from deletion_requests
    inner join links
        on deletion_requests.source_system = links.source_system
            and deletion_requests.source_record_id = links.source_record_id
),

by_email as (
    select distinct
        deletion_requests.deletion_request_id,
        links.unified_individual_id,
        'email' as match_method
    from deletion_requests
    inner join email_identifiers
        on deletion_requests.email = email_identifiers.identifier_value
    inner join links
        on email_identifiers.identity_record_id = links.identity_record_id
),

matched as (
    select
        deletion_request_id,
        unified_individual_id,
        min(match_method) as match_method
    from (
        select * from by_record
        union all
        select * from by_email
    ) as candidates
    group by deletion_request_id, unified_individual_id
),

final as (
    select
        deletion_requests.deletion_request_id,
        matched.unified_individual_id,
        deletion_requests.source_system,
        deletion_requests.source_record_id,
        deletion_requests.email,
        deletion_requests.status,
        coalesce(matched.match_method, 'unmatched') as match_method,
        deletion_requests.requested_at
    from deletion_requests
    left outer join matched
        on deletion_requests.deletion_request_id = matched.deletion_request_id
)

select * from final
