-- Every normalized first name seen in the identity records, resolved through the nickname seed:
-- `first_name_key` is one canonical form (for grouping and blocking), `first_name_variants` every name it
-- may stand for (itself and, for a nickname, each full name it is short for: nat -> natalie, nathan, ...).

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

nicknames as (
    select * from {{ ref('name_nicknames') }}
),

first_names as (
    select distinct first_name
    from identity_records
    where first_name is not null
),

variants as (
    select
        first_name,
        first_name as name_variant
    from first_names
    union distinct
    select
        first_names.first_name,
        nicknames.canonical_name as name_variant
    from first_names
    inner join nicknames
        on first_names.first_name = nicknames.nickname
),

final as (
    select
        first_name,
        coalesce(
            min(case when name_variant != first_name then name_variant end),
            first_name
        ) as first_name_key,
        {{ cdp_array_agg_sorted('name_variant') }} as first_name_variants
    from variants
    group by first_name
)

select * from final
