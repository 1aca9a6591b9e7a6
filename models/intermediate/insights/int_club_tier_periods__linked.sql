-- Every club tier period of each active unified individual, over all of the person's memberships, with the tier's
-- rank in var club_tier_order (1 = the lowest). The tier a person held on a date, and the upgrades after it, for the
-- point-in-time features and outcomes of the trained insight models.

{%- set tiers = var('club_tier_order') %}

with tier_periods as (
    select * from {{ ref('stg_club__tier_periods') }}
),

links as (
    select * from {{ ref('int_identity_records__linked') }}
),

active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

final as (
    select
        tier_periods.tier_period_id,
        links.unified_individual_id,
        tier_periods.member_id,
        tier_periods.tier,
        case tier_periods.tier
            {%- for tier in tiers %}
                when '{{ tier }}' then {{ loop.index }}
            {%- endfor %}
        end as tier_rank,
        tier_periods.valid_from_date,
        tier_periods.valid_to_date
    from tier_periods
    inner join links
        on links.identity_record_id = {{ identity_record_id('club', 'tier_periods.member_id') }}
    inner join active_individuals
        on links.unified_individual_id = active_individuals.unified_individual_id
    where tier_periods.valid_from_date is not null
)

select * from final
