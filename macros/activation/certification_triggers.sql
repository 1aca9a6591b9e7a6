{#
    Post-hooks of int_certification_triggers__emitted, an append-only log of the triggers sent: the rows already
    there must follow what later runs learn about the person.
#}

{#- Delete the triggers of people who are no longer active unified individuals (a deletion request arrived since
    the trigger was emitted, or the ID was merged away or retired). -#}
{% macro delete_triggers_of_inactive_individuals() -%}
    delete from {{ this }}
    where unified_individual_id not in (
        select active_individuals.unified_individual_id
        from {{ ref('int_unified_individuals__active') }} as active_individuals
    )
{%- endmacro %}

{#- Withdraw the email details from the triggers of people who are no longer in the email audience
    (int_marketing_cloud_audience__exported): the subscriber key goes and the trigger is not email-eligible. -#}
{% macro withdraw_email_from_triggers_outside_audience() -%}
    update {{ this }}
    set subscriber_key = null, is_email_eligible = false
    where is_email_eligible
        and unified_individual_id not in (
            select audience.unified_individual_id
            from {{ ref('int_marketing_cloud_audience__exported') }} as audience
        )
{%- endmacro %}
