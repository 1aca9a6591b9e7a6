-- The churn and membership-upgrade scores of every active unified individual at every insight snapshot: the
-- trained models' probabilities (the weighted sums of macros/insights/insight_models.sql, rendered from
-- cdp/insights/insight_models.json by `cdp train-insights`; null when no model is trained) and the fixed formulas
-- (macros/insights/fixed_insight_scores.sql) computed from the same point-in-time features, the baseline that
-- back-testing compares them with. The upgrade scores are 0 for anyone not a club member below the top tier on the
-- snapshot date. The scoring snapshot (run_date) feeds int_individual_scores__calculated.
--
-- Incremental by individual (macros/insights/incremental_by_individual.sql): input_fingerprint is the features'
-- fingerprint with the scoring formulas below (a retrained model or a changed weight rescores everyone); a run
-- rewrites the individuals whose fingerprint is not the one stored.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='unified_individual_id',
        on_schema_change='fail',
        post_hook="{{ cdp_identity.delete_individuals_not_in(ref('int_insight_features__as_of')) }}",
    )
}}

{%- set engagement_score_formula -%}
    {{ fixed_engagement_score(
        'email_opens_90d', 'email_clicks_90d', 'digital_events_90d', 'purchases_365d',
        'case when is_recently_certified then 1.0 else 0.0 end'
    ) }}
{%- endset %}

{%- set scores -%}
    cast({{ churn_probability() }} as double) as churn_probability,
    cast(case
        when is_upgrade_eligible then {{ upgrade_probability() }}
        else 0.0
    end as double) as upgrade_probability,
    cast({{ fixed_churn_risk('last_activity_days', 'engagement_score_formula') }} as double)
        as churn_risk_formula,
    cast({{ fixed_upgrade_likelihood(
        'is_upgrade_eligible', 'engagement_score_formula', 'revenue_365d', 'certifications_total'
    ) }} as double) as upgrade_likelihood_formula,
{%- endset %}

{%- set fingerprint = 'cast(' ~ cdp_identity.cdp_row_hash([
    'all_features.input_fingerprint', "'" ~ local_md5(engagement_score_formula ~ scores) ~ "'",
]) ~ ' as varchar)' %}

with features as (
    select
        all_features.*,
        {{ fingerprint }} as scoring_fingerprint
    from {{ ref('int_insight_features__as_of') }} as all_features
    {%- if is_incremental() %}
        where not exists (
                select 1
                from {{ this }} as stored_rows
                where stored_rows.unified_individual_id = all_features.unified_individual_id
                    and stored_rows.input_fingerprint = {{ fingerprint }}
            )
    {%- endif %}
),

formulas as (
    select
        *,
        {{ engagement_score_formula }} as engagement_score_formula
    from features
),

final as (
    select
        snapshot_role,
        unified_individual_id,
        {{ scores }}
        cast(engagement_score_formula as double) as engagement_score_formula,
        snapshot_date,
        scoring_fingerprint as input_fingerprint
    from formulas
)

select * from final
