-- The common identifier schema: one row per person-bearing record of every system. Each system that bears persons
-- (var `source_systems`, in its order) contributes its records through its own model,
-- int_<system>__identity_records (models/intermediate/identity_sources/); this model only unions them. The columns
-- are this model's contract (_identity__models.yml), taken by name from every system's model.
{%- set columns = model.columns.keys() | join(', ') %}
{%- if execute and not columns %}
    {{- exceptions.raise_compiler_error('int_identity_records__unioned: its YAML declares no column (its contract is the common identifier schema)') }}
{%- endif %}

with unioned as (
    {%- for system in var('source_systems') if system.record_types %}
        select {{ columns }}
        from {{ ref('int_' ~ system.name ~ '__identity_records') }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select * from unioned
)

select * from final
