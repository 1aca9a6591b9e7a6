-- Whether the trained matching model fits the data it scores: one row per check, `warn` where they disagree.
-- Retraining on the data (`make train`) clears the warnings; see cdp/identity/health.py for each check's limit.

with checks as (
    select * from {{ ref('int_identity_model_health') }}
),

final as (
    select
        check_name,
        comparison_name,
        level_label,
        observed_value,
        expected_value,
        status,
        message
    from checks
)

select * from final
