-- Who was left out of email audiences as of run_date, and why: one row per (active unified individual, reason).
-- opted_out: a standing opt-out in some system (the source system and time are kept for audit); frequency_cap:
-- email_frequency_cap_count or more emails in the last email_frequency_cap_days days across every journey and
-- subscriber key (the count is kept); no_email: no usable email. A person can have several reasons.
-- People with a deletion request are not here: they are absent from everything.

with eligibility as (
    select * from {{ ref('int_email_eligibility__evaluated') }}
),

reasons as (
    select
        unified_individual_id,
        'opted_out' as suppression_reason,
        email_opt_out_source_system,
        email_opted_out_at,
        cast(null as integer) as email_send_count
    from eligibility
    where is_email_opted_out
    union all
    select
        unified_individual_id,
        'frequency_cap' as suppression_reason,
        cast(null as varchar) as email_opt_out_source_system,
        cast(null as timestamp) as email_opted_out_at,
        cast(email_send_count as integer) as email_send_count
    from eligibility
    where is_over_frequency_cap
    union all
    select
        unified_individual_id,
        'no_email' as suppression_reason,
        cast(null as varchar) as email_opt_out_source_system,
        cast(null as timestamp) as email_opted_out_at,
        cast(null as integer) as email_send_count
    from eligibility
    where not has_email
),

final as (
    select
        unified_individual_id,
        suppression_reason,
        email_opt_out_source_system,
        email_send_count,
        cast('{{ var("run_date") }}' as date) as suppressed_as_of,
        email_opted_out_at
    from reasons
)

select * from final
