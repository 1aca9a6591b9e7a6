-- A warning in dbt's log for every way the trained matching model does not fit the data it scores (a comparison
-- it weighs that these records lack, one it ignores that they carry, many pairs on default-parameter levels, a
-- prior far from this data's). Not an error: the build goes on with the model it has; `make train` refits it.
{{ config(severity='warn') }}

select
    check_name,
    comparison_name,
    message
from {{ ref('identity_model_health') }}
where status = 'warn'
