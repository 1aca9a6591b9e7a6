-- Deterministic edges: records sharing an exact normalized identifier, within what the guards allow.
-- Each group of records sharing a value is joined as a star on its smallest record (the anchor), which
-- keeps the edge count linear in the number of records; the rule says which identifier joined them.
-- One row per record pair and group (int_identity_edges__unioned keeps the highest-priority group's).
-- Incremental: a group's edges depend only on its members, its guard status and vars, which its fingerprint
-- covers (macro deterministic_group_fingerprint); a run redoes the groups whose fingerprint this table does not
-- hold (delete+insert by group) and drops the rows of fingerprints no group has any more (post-hook
-- delete_stale_deterministic_groups, macros/identity/graph_incremental.sql).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['identifier_type', 'identifier_value'],
        on_schema_change='fail',
        post_hook="{{ cdp_identity.delete_stale_deterministic_groups() }}",
    )
}}

with identifiers as (
    select * from {{ ref('int_identity_identifiers__unpivoted') }}
),

guarded_groups as (
    select
        guarded.*,
        {{ deterministic_group_fingerprint('guarded') }} as group_fingerprint
    from {{ ref('int_identity_identifier_groups__guarded') }} as guarded
),

-- The groups whose edges this table holds (none on a full build).
held_groups as (
    {%- if is_incremental() %}
        select distinct
            identifier_type,
            identifier_value,
            group_fingerprint
        from {{ this }}
    {%- else %}
        select
            identifier_type,
            identifier_value,
            group_fingerprint
        from guarded_groups
        where false
    {%- endif %}
),

-- The groups whose edges this run makes: those whose fingerprint changed (all of them on a full build).
identifier_groups as (
    select guarded_groups.*
    from guarded_groups
    left outer join held_groups
        on guarded_groups.identifier_type = held_groups.identifier_type
            and guarded_groups.identifier_value = held_groups.identifier_value
            and guarded_groups.group_fingerprint = held_groups.group_fingerprint
    where held_groups.identifier_type is null
),

identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

first_names as (
    select * from {{ ref('int_identity_first_names__resolved') }}
),

candidates as (
    select
        identifiers.identity_record_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.identifier_origin,
        identifier_groups.guard_status,
        identifier_groups.group_fingerprint,
        identity_records.first_name,
        identity_records.last_name,
        identity_records.date_of_birth,
        first_names.first_name_key
    from identifiers
    inner join identifier_groups
        on identifiers.identifier_type = identifier_groups.identifier_type
            and identifiers.identifier_value = identifier_groups.identifier_value
    inner join identity_records
        on identifiers.identity_record_id = identity_records.identity_record_id
    left outer join first_names
        on identity_records.first_name = first_names.first_name
    where identifier_groups.guard_status in ('linked', 'partitioned_by_first_name')
        and identifiers.identifier_type in (
            {%- for identifier_type in var('deterministic_identifier_types') %}
                '{{ identifier_type }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
),

-- A record whose first and last names are swapped relative to another record sharing the value belongs
-- with that record's first name.
swapped as (
    select
        swapped_records.identity_record_id,
        swapped_records.identifier_type,
        swapped_records.identifier_value,
        min(other_records.first_name_key) as first_name_key
    from candidates as swapped_records
    inner join candidates as other_records
        on swapped_records.identifier_type = other_records.identifier_type
            and swapped_records.identifier_value = other_records.identifier_value
            and swapped_records.first_name = other_records.last_name
            and swapped_records.last_name = other_records.first_name
    where swapped_records.guard_status = 'partitioned_by_first_name'
        and swapped_records.first_name < other_records.first_name
    group by swapped_records.identity_record_id, swapped_records.identifier_type, swapped_records.identifier_value
),

members as (
    select
        candidates.identity_record_id,
        candidates.identifier_type,
        candidates.identifier_value,
        candidates.identifier_origin,
        candidates.guard_status,
        candidates.group_fingerprint,
        candidates.date_of_birth,
        case
            when candidates.guard_status = 'partitioned_by_first_name'
                then coalesce(swapped.first_name_key, candidates.first_name_key)
            else ''
        end as partition_key
    from candidates
    left outer join swapped
        on candidates.identity_record_id = swapped.identity_record_id
            and candidates.identifier_type = swapped.identifier_type
            and candidates.identifier_value = swapped.identifier_value
),

-- In a value shared by different people, a record with no first name (a web cookie, a device, a nameless
-- subscriber) joins the people sharing it only when one of them clearly dominates the value's records,
-- and not when its birth date contradicts theirs.
partition_shares as (
    select
        identifier_type,
        identifier_value,
        partition_key,
        min(date_of_birth) as min_date_of_birth,
        max(date_of_birth) as max_date_of_birth,
        count(*) * 1.0 / sum(count(*)) over (partition by identifier_type, identifier_value) as record_share
    from members
    where guard_status = 'partitioned_by_first_name'
        and partition_key is not null
    group by identifier_type, identifier_value, partition_key
),

dominant_partitions as (
    select
        identifier_type,
        identifier_value,
        partition_key,
        min_date_of_birth,
        max_date_of_birth
    from partition_shares
    where record_share >= {{ var('guard_nameless_min_share') }}
),

-- The dominant partition each nameless record adopts: an inner join on the value (its condition on the birth
-- dates is a filter after the equal keys), so no left join holds a non-equal condition, which would make it a
-- nested loop over every member and partition.
adopted_partitions as (
    select distinct
        members.identity_record_id,
        members.identifier_type,
        members.identifier_value,
        dominant_partitions.partition_key
    from members
    inner join dominant_partitions
        on members.identifier_type = dominant_partitions.identifier_type
            and members.identifier_value = dominant_partitions.identifier_value
    where members.partition_key is null
        and (
            members.date_of_birth is null
            or dominant_partitions.min_date_of_birth is null
            or members.date_of_birth between dominant_partitions.min_date_of_birth
            and dominant_partitions.max_date_of_birth
        )
),

assigned as (
    select
        members.identity_record_id,
        members.identifier_type,
        members.identifier_value,
        members.identifier_origin,
        members.guard_status,
        members.group_fingerprint,
        coalesce(members.partition_key, adopted_partitions.partition_key) as partition_key
    from members
    left outer join adopted_partitions
        on members.identity_record_id = adopted_partitions.identity_record_id
            and members.identifier_type = adopted_partitions.identifier_type
            and members.identifier_value = adopted_partitions.identifier_value
),

anchored as (
    select
        assigned.*,
        min(assigned.identity_record_id) over (
            partition by assigned.identifier_type, assigned.identifier_value, assigned.partition_key
        ) as anchor_record_id
    from assigned
    where assigned.partition_key is not null
),

edges as (
    select
        case
            when identity_record_id < anchor_record_id then identity_record_id else anchor_record_id
        end as identity_record_id_l,
        case
            when identity_record_id < anchor_record_id then anchor_record_id else identity_record_id
        end as identity_record_id_r,
        identifier_type,
        identifier_value,
        identifier_origin,
        guard_status,
        group_fingerprint
    from anchored
    where identity_record_id != anchor_record_id
),

-- One edge per pair and group: a record in the group both by itself and signed in counts by itself.
final as (
    select
        identity_record_id_l,
        identity_record_id_r,
        case identifier_origin
            when 'session_login' then 'signed_in_session_' || identifier_type
            else 'same_' || identifier_type
        end as match_rule,
        identifier_type,
        identifier_value,
        guard_status,
        group_fingerprint
    from edges
    qualify row_number() over (
            partition by identity_record_id_l, identity_record_id_r, identifier_type, identifier_value
            order by identifier_origin
        ) = 1
)

select * from final
