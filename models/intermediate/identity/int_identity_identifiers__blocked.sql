-- Guard activity: identifier values the over-merge guards stopped from merging records on their own,
-- and logins not allowed to tie an anonymous cookie or device to a person. Nothing here is dropped:
-- the records are still resolved by their other evidence; this says what was held back, and why.

with identifier_groups as (
    select * from {{ ref('int_identity_identifier_groups__guarded') }}
),

observed_logins as (
    select * from {{ ref('int_identity_logins__observed') }}
),

shared_values as (
    select
        identifier_type,
        identifier_value,
        guard_status as guard_action,
        cast(null as varchar) as identity_record_id,
        record_count,
        first_name_count,
        case guard_status
            when 'blocked_too_many_records'
                then 'shared by ' || record_count || ' records, over the limit of ' || max_records
            when 'blocked_too_many_people'
                then 'shared by ' || first_name_count || ' different first names, over the limit of ' || max_people
            else 'shared by people with different first names: links only records with the same first name'
        end as guard_reason
    from identifier_groups
    where guard_status != 'linked'
),

anonymous_logins as (
    select
        identifier_type,
        identifier_value,
        'anonymous_login_' || blocked_reason as guard_action,
        identity_record_id,
        cast(null as integer) as record_count,
        distinct_login_count as first_name_count,
        'one of ' || distinct_login_count || ' logins on this ' || source_system
        || ' record, with ' || round(login_share * 100) || '% of its signed-in events' as guard_reason
    from observed_logins
    where not is_linkable
),

final as (
    select * from shared_values
    union all
    select * from anonymous_logins
)

select
    identifier_type,
    identifier_value,
    guard_action,
    identity_record_id,
    guard_reason,
    record_count,
    first_name_count as distinct_people_count
from final
