{#
    How the insight models stay equal to a full rebuild (int_insight_features__as_of, int_insight_outcomes__observed,
    int_insight_predictions__scored): each row carries `input_fingerprint`, a hash of everything the individual's
    rows are made of. The features hash the individual's activities, club tier periods and the vars they follow;
    the outcomes take the features' fingerprint, the predictions add the scoring formulas to it. A run writes the
    individuals whose fingerprint it does not hold (delete+insert on unified_individual_id) and deletes, in this
    post-hook, the individuals gone from the model's population.
#}

{#- Post-hook: delete the rows of individuals `population` (a relation with unified_individual_id) no longer holds. -#}
{% macro delete_individuals_not_in(population) -%}
    delete from {{ this }}
    where unified_individual_id not in (select unified_individual_id from {{ population }})
{%- endmacro %}
