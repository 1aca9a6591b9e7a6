-- Email eligibility of every active unified individual as of run_date: an email audience may hold a person only
-- with an email, no standing opt-out in any system (the most restrictive choice wins), and under the
-- cross-journey frequency cap. The reasons are kept for email_suppressions.

with active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

profiles as (
    select * from {{ ref('int_unified_profiles__joined') }}
),

consent as (
    select * from {{ ref('int_consent__resolved') }}
),

frequency as (
    select * from {{ ref('int_email_frequency__capped') }}
),

evaluated as (
    select
        active_individuals.unified_individual_id,
        profiles.email,
        consent.email_opt_out_source_system,
        coalesce(frequency.email_send_count, 0) as email_send_count,
        profiles.email is not null as has_email,
        coalesce(consent.is_email_opted_out, false) or coalesce(profiles.is_email_opted_out, false)
            as is_email_opted_out,
        coalesce(frequency.is_over_frequency_cap, false) as is_over_frequency_cap,
        consent.email_opted_out_at
    from active_individuals
    left outer join profiles
        on active_individuals.unified_individual_id = profiles.unified_individual_id
    left outer join consent
        on active_individuals.unified_individual_id = consent.unified_individual_id
    left outer join frequency
        on active_individuals.unified_individual_id = frequency.unified_individual_id
),

final as (
    select
        unified_individual_id,
        email,
        email_opt_out_source_system,
        email_send_count,
        has_email,
        is_email_opted_out,
        is_over_frequency_cap,
        has_email and not is_email_opted_out and not is_over_frequency_cap as is_email_eligible,
        email_opted_out_at
    from evaluated
)

select * from final
