{#
    The fixed insight formulas (models/marts/insights/_insights__docs.md), one macro each, so that the scores of
    run_date (int_individual_scores__calculated) and the back-testing baseline at each snapshot
    (int_insight_predictions__scored) are the same formula. Each takes SQL expressions and returns one.
#}

{#- Engagement score (0-100) from the raw counts and a 0/1 learning component. -#}
{% macro fixed_engagement_score(emails_opened_90d, emails_clicked_90d, digital_events_90d, orders_365d,
    learning_component) -%}
    {%- set weights = var('engagement_score_weights') %}
    {%- set caps = var('engagement_score_caps') -%}
    round(100.0 * (
        {{ weights['email_opens'] }} * least(coalesce({{ emails_opened_90d }}, 0) * 1.0 / {{ caps['email_opens_90d'] }}, 1.0)
        + {{ weights['email_clicks'] }}
        * least(coalesce({{ emails_clicked_90d }}, 0) * 1.0 / {{ caps['email_clicks_90d'] }}, 1.0)
        + {{ weights['digital_activity'] }}
        * least(coalesce({{ digital_events_90d }}, 0) * 1.0 / {{ caps['digital_events_90d'] }}, 1.0)
        + {{ weights['purchases'] }} * least(coalesce({{ orders_365d }}, 0) * 1.0 / {{ caps['orders_365d'] }}, 1.0)
        + {{ weights['learning'] }} * {{ learning_component }}
    ) / {{ weights.values() | sum }}, 2)
{%- endmacro %}


{#- Churn risk (0-1) from the days since the last activity (null: none) and the engagement score. -#}
{% macro fixed_churn_risk(days_since_last_activity, engagement_score) -%}
    {%- set weights = var('churn_risk_weights') -%}
    round((
        {{ weights['inactivity'] }} * greatest(
            case
                when {{ days_since_last_activity }} is null then 1.0
                else least({{ days_since_last_activity }} * 1.0 / {{ var('churn_inactivity_horizon_days') }}, 1.0)
            end,
            0.0
        )
        + {{ weights['disengagement'] }} * (1.0 - {{ engagement_score }} / 100.0)
    ) / {{ weights.values() | sum }}, 4)
{%- endmacro %}


{#- Membership upgrade likelihood (0-1) of an eligible member (active, below the top tier); 0 for anyone else. -#}
{% macro fixed_upgrade_likelihood(is_eligible, engagement_score, spend_365d, certification_count) -%}
    {%- set weights = var('membership_upgrade_weights') -%}
    case
        when {{ is_eligible }}
            then round((
                {{ weights['engagement'] }} * {{ engagement_score }} / 100.0
                + {{ weights['spend'] }}
                * least({{ spend_365d }} * 1.0 / {{ var('membership_upgrade_spend_target') }}, 1.0)
                + {{ weights['learning'] }}
                * least({{ certification_count }} * 1.0 / {{ var('membership_upgrade_certification_target') }}, 1.0)
            ) / {{ weights.values() | sum }}, 4)
        else 0.0
    end
{%- endmacro %}
