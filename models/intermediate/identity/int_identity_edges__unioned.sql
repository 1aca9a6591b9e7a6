-- Every edge offered to the identity graph, one row per record pair and method: exact-identifier edges
-- (the highest-priority rule explains the pair), probabilistic edges at or above the match threshold, and
-- manual force-links. A probabilistic pair where a record lacks its first or last name also needs an exact
-- match on date of birth, email or phone: half a name and a postcode are not enough. `edge_weight` orders edges when the graph must cut some (weakest first).

with deterministic_edges as (
    select * from {{ ref('int_identity_edges__deterministic') }}
),

probabilistic_edges as (
    select * from {{ ref('int_identity_edges__probabilistic') }}
    where is_current
),

overrides as (
    select * from {{ ref('int_identity_overrides__resolved') }}
),

deterministic as (
    select
        identity_record_id_l,
        identity_record_id_r,
        'deterministic' as match_method,
        match_rule,
        cast(null as double) as match_weight,
        cast(null as double) as match_probability,
        case identifier_type
            {%- for identifier_type, weight in var('deterministic_edge_weights').items() %}
            when '{{ identifier_type }}' then {{ weight }}
            {%- endfor %}
        end
        - case when match_rule like 'signed_in_session_%' then 5 else 0 end as edge_weight,
        '{"identifier_type": "' || identifier_type || '", "guard_status": "' || guard_status || '"}'
            as explanation,
        case identifier_type
            {%- for identifier_type in var('deterministic_identifier_types') %}
                when '{{ identifier_type }}' then {{ loop.index }}
            {%- endfor %}
        end as identifier_priority,
        identifier_value
    from deterministic_edges
),

probabilistic as (
    select
        identity_record_id_l,
        identity_record_id_r,
        'probabilistic' as match_method,
        'splink_match' as match_rule,
        match_weight,
        match_probability,
        match_weight as edge_weight,
        explanation
    from probabilistic_edges
    where match_probability >= {{ var('match_threshold_probability') }}
        and {{ merge_policy_admits() }}
),

manual as (
    select
        identity_record_id_l,
        identity_record_id_r,
        'manual_override' as match_method,
        'force_link' as match_rule,
        cast(null as double) as match_weight,
        cast(null as double) as match_probability,
        1000 as edge_weight,
        '{"override_id": "' || override_id || '", "decided_by": "' || coalesce(decided_by, '') || '"}'
            as explanation,
        cast(null as integer) as identifier_priority,
        cast(null as varchar) as identifier_value
    from overrides
    where override_status = 'applied'
        and override_action = 'force_link'
),

-- One edge per pair and method: the strongest (a pair joined by several identifiers: the first by priority, then
-- by itself before signed in, then the smallest value). Probabilistic pairs are one per pair already.
exact_and_manual as (
    select
        identity_record_id_l,
        identity_record_id_r,
        match_method,
        match_rule,
        match_weight,
        match_probability,
        cast(edge_weight as double) as edge_weight,
        explanation
    from (
        select * from manual
        union all
        select * from deterministic
    ) as candidates
    qualify row_number() over (
            partition by identity_record_id_l, identity_record_id_r, match_method
            order by identifier_priority, edge_weight desc, match_rule, identifier_value
        ) = 1
),

final as (
    select * from exact_and_manual
    union all
    select * from probabilistic
)

select * from final
