-- Work for a person: what the resolver was not sure about or held back. Decide, then record the decision
-- in seeds/identity_overrides.csv (force_link or force_separate, with who, why and when; `cdp review` does both).
-- A pair with a decision in force has left the queue: the decision is the answer.

with edges as (
    select * from {{ ref('int_identity_edges__resolved') }}
),

probabilistic_edges as (
    select * from {{ ref('int_identity_edges__probabilistic') }}
    where is_current
),

unified_ids as (
    select * from {{ ref('int_identity_unified_ids') }}
    where is_current
),

blocked as (
    select * from {{ ref('int_identity_identifiers__blocked') }}
),

overrides as (
    select * from {{ ref('int_identity_overrides__resolved') }}
),

deletions as (
    select * from {{ ref('int_unified_individuals__suppressed') }}
),

possible_matches as (
    select
        'possible_match' as review_type,
        probabilistic_edges.identity_record_id_l,
        probabilistic_edges.identity_record_id_r,
        left_ids.unified_individual_id as unified_individual_id_l,
        right_ids.unified_individual_id as unified_individual_id_r,
        probabilistic_edges.match_probability,
        case
            when probabilistic_edges.match_probability < {{ var('match_threshold_probability') }}
                then 'match probability ' || round(probabilistic_edges.match_probability, 3)
                    || ', below the threshold of {{ var("match_threshold_probability") }}'
            else 'a record lacks its first or last name and no date of birth, email or phone agrees exactly'
        end as review_reason,
        probabilistic_edges.explanation as detail
    from probabilistic_edges
    inner join unified_ids as left_ids
        on probabilistic_edges.identity_record_id_l = left_ids.identity_record_id
    inner join unified_ids as right_ids
        on probabilistic_edges.identity_record_id_r = right_ids.identity_record_id
    where (
        probabilistic_edges.match_probability < {{ var('match_threshold_probability') }}
        or not {{ merge_policy_admits('probabilistic_edges') }}
    )
    and left_ids.unified_individual_id != right_ids.unified_individual_id
),

cut_edges as (
    select
        'cut_' || cut_reason as review_type,
        identity_record_id_l,
        identity_record_id_r,
        unified_individual_id_l,
        unified_individual_id_r,
        match_probability,
        'edge (' || match_rule || ') cut by the identity graph: ' || cut_reason as review_reason,
        explanation as detail
    from edges
    where not is_used
        and cut_reason != 'force_separate'
),

guarded as (
    select
        'guard_' || guard_action as review_type,
        identity_record_id as identity_record_id_l,
        cast(null as varchar) as identity_record_id_r,
        cast(null as varchar) as unified_individual_id_l,
        cast(null as varchar) as unified_individual_id_r,
        cast(null as double) as match_probability,
        identifier_type || ' ' || guard_reason as review_reason,
        identifier_value as detail
    from blocked
),

unapplied_overrides as (
    select
        'override_' || override_status as review_type,
        identity_record_id_l,
        identity_record_id_r,
        cast(null as varchar) as unified_individual_id_l,
        cast(null as varchar) as unified_individual_id_r,
        cast(null as double) as match_probability,
        'override ' || override_id || ' (' || override_action || ') not applied: ' || override_status
            as review_reason,
        reason as detail
    from overrides
    where override_status not in ('applied', 'superseded')
),

unioned as (
    select * from possible_matches
    union all
    select * from cut_edges
    union all
    select * from guarded
    union all
    select * from unapplied_overrides
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "unioned.review_type", "'|'", "coalesce(unioned.identity_record_id_l, '')", "'|'",
            "coalesce(unioned.identity_record_id_r, '')", "'|'", "unioned.review_reason", "'|'",
            "coalesce(unioned.detail, '')"
        ])) }} as review_item_id,
        unioned.review_type,
        unioned.identity_record_id_l,
        unioned.identity_record_id_r,
        unioned.unified_individual_id_l,
        unioned.unified_individual_id_r,
        unioned.review_reason,
        unioned.detail,
        unioned.match_probability
    from unioned
    left outer join unified_ids as record_ids
        on unioned.identity_record_id_l = record_ids.identity_record_id
    -- A pair with a decision in force is decided; people who asked to be forgotten are not shown to reviewers.
    where not exists (
            select 1
            from overrides
            where overrides.override_status = 'applied'
                and overrides.identity_record_id_l in (unioned.identity_record_id_l, unioned.identity_record_id_r)
                and overrides.identity_record_id_r in (unioned.identity_record_id_l, unioned.identity_record_id_r)
        )
        and not exists (
            select 1
            from deletions
            where deletions.unified_individual_id in (
                    unioned.unified_individual_id_l, unioned.unified_individual_id_r, record_ids.unified_individual_id
                )
        )
)

select * from final
