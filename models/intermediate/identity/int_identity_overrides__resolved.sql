{{ config(post_hook="{{ cdp_identity.log_invalid_identity_overrides(this) }}") }}

-- Manual decisions, checked against the records that exist now: the seed identity_overrides (reviewed like code;
-- where the review desk writes on DuckDB) and the review desk's table on a warehouse
-- (stg_review__identity_override_decisions; empty on DuckDB), one set of rows.
-- An override naming a record that no longer exists is kept, with its status, and not applied.
-- When several decisions name the same pair, the most recent one is in force, wherever it was written.

with seeded_overrides as (
    select * from {{ ref('identity_overrides') }}
),

desk_overrides as (
    select * from {{ ref('stg_review__identity_override_decisions') }}
),

overrides as (
    select
        override_id,
        action,
        left_source_system,
        left_source_record_id,
        right_source_system,
        right_source_record_id,
        decided_by,
        reason,
        decided_at
    from seeded_overrides
    union all
    select
        override_id,
        action,
        left_source_system,
        left_source_record_id,
        right_source_system,
        right_source_record_id,
        decided_by,
        reason,
        decided_at
    from desk_overrides
),

identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

keyed as (
    select
        overrides.override_id,
        lower(trim(overrides.action)) as override_action,
        {{ identity_record_id(
            'overrides.left_source_system', 'overrides.left_source_record_id', system_is_column=true
        ) }}
            as left_record_id,
        {{ identity_record_id(
            'overrides.right_source_system', 'overrides.right_source_record_id', system_is_column=true
        ) }}
            as right_record_id,
        overrides.decided_by,
        overrides.reason,
        overrides.decided_at
    from overrides
),

checked as (
    select
        keyed.*,
        case when keyed.left_record_id < keyed.right_record_id
                then keyed.left_record_id
            else keyed.right_record_id
        end as identity_record_id_l,
        case when keyed.left_record_id < keyed.right_record_id
                then keyed.right_record_id
            else keyed.left_record_id
        end as identity_record_id_r,
        left_records.identity_record_id is not null as is_left_found,
        right_records.identity_record_id is not null as is_right_found
    from keyed
    left outer join identity_records as left_records
        on keyed.left_record_id = left_records.identity_record_id
    left outer join identity_records as right_records
        on keyed.right_record_id = right_records.identity_record_id
),

final as (
    select
        override_id,
        override_action,
        identity_record_id_l,
        identity_record_id_r,
        decided_by,
        reason,
        decided_at,
        case
            when coalesce(override_action, '') not in ('force_link', 'force_separate') then 'invalid_action'
            when not is_left_found or not is_right_found then 'record_not_found'
            when row_number()
                    over (
                        partition by identity_record_id_l, identity_record_id_r
                        order by decided_at desc, override_id desc
                    )
                > 1 then 'superseded'
            else 'applied'
        end as override_status
    from checked
)

select * from final
