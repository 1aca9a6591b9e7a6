-- Over-merge guards: one row per shared identifier value (type, value) and what it may do.
--   linked                     all records carrying it are joined by it;
--   partitioned_by_first_name  it is carried by clearly different people (first names that are not the
--                              same name, nickname or near-spelling: a household email, a family card);
--                              it joins only records with the same first name, and never a record with none;
--   blocked_too_many_records   more records than the type's limit (a junk value that slipped through);
--   blocked_too_many_people    more distinct first names than the type's limit.
-- A record's first name clashes with the value's dominant first name (the one most of its named records carry)
-- when it is clearly a different name: neither may stand for a name the other may stand for (nickname variants:
-- jackie may be jacqueline), their Jaro-Winkler similarity is below `guard_same_name_similarity` both as written
-- and nickname-resolved (a typo is not another name), neither is the other's initial nor one of its words ("ernst"
-- in "karl ernst"), or when the names are alike but the birth dates years apart in a way no single slip explains
-- (a parent and a child: Christopher and Kristopher, born 1967 and 1987); unless first and last name are merely
-- swapped or the two records share a date of birth. Limits per identifier type live in the var `identifier_guards`.

{%- set guards = var('identifier_guards') %}

with identifiers as (
    select * from {{ ref('int_identity_identifiers__unpivoted') }}
),

identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

first_names as (
    select * from {{ ref('int_identity_first_names__resolved') }}
),

nicknames as (
    select * from {{ ref('name_nicknames') }}
),

-- Each name of the nickname seed with every full name it may stand for (itself included) ...
name_variants as (
    select
        nickname as first_name,
        canonical_name as name_variant
    from nicknames
    union distinct
    select
        canonical_name as first_name,
        canonical_name as name_variant
    from nicknames
),

-- ... and the pairs of different names that may stand for the same full name (jackie and jacqueline, jack and
-- jackie): the same person's, whatever their spelling distance.
nickname_pairs as (
    select distinct
        left_variants.first_name as first_name_l,
        right_variants.first_name as first_name_r
    from name_variants as left_variants
    inner join name_variants as right_variants
        on left_variants.name_variant = right_variants.name_variant
    where left_variants.first_name != right_variants.first_name
),

members as (
    select
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.identity_record_id,
        identifiers.identifier_origin,
        first_names.first_name_key,
        identity_records.first_name,
        identity_records.last_name,
        identity_records.date_of_birth
    from identifiers
    inner join identity_records
        on identifiers.identity_record_id = identity_records.identity_record_id
    left join first_names
        on identity_records.first_name = first_names.first_name
),

groups as (
    select
        identifier_type,
        identifier_value,
        count(distinct identity_record_id) as record_count,
        count(distinct first_name_key) as first_name_count,
        {{ cdp_identity.cdp_bit_xor_agg(cdp_identity.cdp_row_hash([
            'identity_record_id', 'identifier_origin', 'first_name', 'last_name', 'date_of_birth', 'first_name_key',
        ])) }} as member_fingerprint
    from members
    group by identifier_type, identifier_value
    having count(distinct identity_record_id) > 1
),

named_members as (
    select members.*
    from members
    inner join groups
        on members.identifier_type = groups.identifier_type
        and members.identifier_value = groups.identifier_value
    where groups.first_name_count > 1
        and members.first_name_key is not null
),

-- The value's dominant first name: the one most of its named records carry (ties: alphabetical). A record
-- clashes when its first name is clearly not that name, so two typos of one name do not clash with each other.
dominant_names as (
    select
        identifier_type,
        identifier_value,
        first_name
    from named_members
    group by identifier_type, identifier_value, first_name
    qualify row_number() over (
            partition by identifier_type, identifier_value order by count(*) desc, first_name asc
        ) = 1
),

dominant_members as (
    select named_members.*
    from named_members
    inner join dominant_names
        on named_members.identifier_type = dominant_names.identifier_type
        and named_members.identifier_value = dominant_names.identifier_value
        and named_members.first_name = dominant_names.first_name
),

-- A record clashes with the dominant name's records when its first name is clearly a different name (not a
-- nickname variant, typo, initial or part of it: "ernst" may be "karl ernst"), unless the names are merely
-- swapped between first and last, or the two share a date of birth.
clashes as (
    select
        left_members.identifier_type,
        left_members.identifier_value,
        count(*) as clashing_name_pairs
    from dominant_members as left_members
    inner join named_members as right_members
        on left_members.identifier_type = right_members.identifier_type
        and left_members.identifier_value = right_members.identifier_value
        and left_members.identity_record_id != right_members.identity_record_id
    left outer join nickname_pairs
        on left_members.first_name = nickname_pairs.first_name_l
            and right_members.first_name = nickname_pairs.first_name_r
    where left_members.first_name_key <> right_members.first_name_key
        and (
            (
                nickname_pairs.first_name_l is null
                and {{ jaro_winkler_similarity('left_members.first_name_key', 'right_members.first_name_key') }}
                < {{ var('guard_same_name_similarity') }}
                and {{ jaro_winkler_similarity('left_members.first_name', 'right_members.first_name') }}
                < {{ var('guard_same_name_similarity') }}
                and not (
                    length(left_members.first_name) = 1
                    and left(right_members.first_name, 1) = left_members.first_name
                )
                and not (
                    length(right_members.first_name) = 1
                    and left(left_members.first_name, 1) = right_members.first_name
                )
                and position(' ' || left_members.first_name || ' ' in ' ' || right_members.first_name || ' ') = 0
                and position(' ' || right_members.first_name || ' ' in ' ' || left_members.first_name || ' ') = 0
            )
            -- Alike names, but birth dates years apart that no single slip explains (a year off keeps the day and
            -- month; a mistyped day or month keeps the year): a parent and a child.
            or coalesce(
                abs(extract(year from left_members.date_of_birth) - extract(year from right_members.date_of_birth)) >= 2
                and not (
                    extract(month from left_members.date_of_birth) = extract(month from right_members.date_of_birth)
                    and extract(day from left_members.date_of_birth) = extract(day from right_members.date_of_birth)
                ),
                false
            )
        )
        and not (
            left_members.first_name = right_members.last_name
            and left_members.last_name = right_members.first_name
        )
        and not coalesce(left_members.date_of_birth = right_members.date_of_birth, false)
    group by left_members.identifier_type, left_members.identifier_value
),

limits as (
    select
        groups.*,
        coalesce(clashes.clashing_name_pairs, 0) as clashing_name_pairs,
        case groups.identifier_type
            {%- for identifier_type, limit in guards.items() %}
            when '{{ identifier_type }}' then {{ limit['max_records'] }}
            {%- endfor %}
        end as max_records,
        case groups.identifier_type
            {%- for identifier_type, limit in guards.items() %}
            when '{{ identifier_type }}' then {{ limit['max_people'] }}
            {%- endfor %}
        end as max_people
    from groups
    left join clashes
        on groups.identifier_type = clashes.identifier_type
        and groups.identifier_value = clashes.identifier_value
),

final as (
    select
        identifier_type,
        identifier_value,
        record_count,
        first_name_count,
        clashing_name_pairs,
        max_records,
        max_people,
        case
            when record_count > max_records then 'blocked_too_many_records'
            when clashing_name_pairs > 0 and first_name_count > max_people then 'blocked_too_many_people'
            when clashing_name_pairs > 0 then 'partitioned_by_first_name'
            else 'linked'
        end as guard_status,
        member_fingerprint
    from limits
)

select * from final
