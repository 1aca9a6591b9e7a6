{#
    Generic test: no two rows share the same values in all of the given columns.
    Fails with one row per duplicated combination and how often it occurs.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns = combination_of_columns | join(', ') %}
    select
        {{ columns }},
        count(*) as occurrences
    from {{ model }}
    group by {{ columns }}
    having count(*) > 1
{% endtest %}
