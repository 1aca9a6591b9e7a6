-- One row per unified individual holding a club membership that began by the run date: the current membership
-- (active first, then lapsed, then cancelled; the latest renewal date within a status) and how many it holds.

with club_members as (
    select * from {{ ref('stg_club__members') }}
    where joined_date is null or joined_date <= {{ as_of_date() }}
),

linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
),

memberships as (
    select
        linked_records.unified_individual_id,
        club_members.member_id,
        club_members.tier,
        club_members.status,
        club_members.joined_date,
        club_members.renewal_date,
        club_members.updated_at,
        count(*) over (partition by linked_records.unified_individual_id) as club_membership_count,
        row_number() over (
            partition by linked_records.unified_individual_id
            order by
                case club_members.status when 'active' then 1 when 'lapsed' then 2 else 3 end asc,
                club_members.renewal_date desc nulls last,
                club_members.updated_at desc nulls last,
                club_members.member_id asc
        ) as membership_rank
    from club_members
    inner join linked_records
        on {{ identity_record_id('club', 'club_members.member_id') }} = linked_records.identity_record_id
),

final as (
    select
        unified_individual_id,
        member_id,
        tier as club_tier,
        status as club_status,
        club_membership_count,
        joined_date as club_joined_date,
        renewal_date as club_renewal_date
    from memberships
    where membership_rank = 1
)

select * from final
