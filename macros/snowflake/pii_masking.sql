{#
    Snowflake masking policies on PII columns. Every PII column is tagged in the YAML (`tags: [pii]`,
    `meta: {pii: true}`); with the var `pii_masking_policies` set, a post-hook sets the masking policy for the
    column's type on each of them, after every build of the model. The policies themselves are the account's
    governance (README, Snowflake: "PII and masking policies"); the project only attaches them:

        vars:
          pii_masking_policies: {string: governance.policies.mask_pii_string, date: governance.policies.mask_pii_date}

    Type families: string, date, timestamp, number, boolean. A PII column whose family has no policy is named
    in a warning. No-op on DuckDB (no masking policies), on the emulator, and when the var is unset.
#}

{% macro apply_pii_masking_policies() -%}
    {{ return(adapter.dispatch('apply_pii_masking_policies', 'cdp_identity')()) }}
{%- endmacro %}


{% macro default__apply_pii_masking_policies() -%}
    {{ return('') }}
{%- endmacro %}


{% macro pii_column_names(node) -%}
    {%- set names = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set meta = (column.get('config') or {}).get('meta') or column.get('meta') or {} -%}
        {%- set tags = (column.get('config') or {}).get('tags') or column.get('tags') or [] -%}
        {%- if meta.get('pii') or 'pii' in tags -%}{%- do names.append(column.name | lower) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{% macro snowflake_type_family(column) -%}
    {%- set dtype = column.dtype | lower -%}
    {%- if column.is_string() -%}{{ return('string') }}
    {%- elif dtype.startswith('timestamp') -%}{{ return('timestamp') }}
    {%- elif dtype == 'date' -%}{{ return('date') }}
    {%- elif dtype == 'boolean' -%}{{ return('boolean') }}
    {%- elif column.is_number() -%}{{ return('number') }}
    {%- endif -%}
    {{ return(dtype) }}
{%- endmacro %}


{% macro snowflake__apply_pii_masking_policies() -%}
    {%- set policies = var('pii_masking_policies', none) -%}
    {%- if not execute or not policies or is_snowflake_emulator() or model.resource_type != 'model' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set pii = pii_column_names(model) -%}
    {%- if not pii -%}{{ return('') }}{%- endif -%}
    {%- set kind = 'view' if config.get('materialized') == 'view' else 'table' -%}
    {%- for column in adapter.get_columns_in_relation(this) if column.name | lower in pii -%}
        {%- set family = snowflake_type_family(column) -%}
        {%- if family in policies -%}
            {%- do run_query('alter ' ~ kind ~ ' ' ~ this ~ ' modify column ' ~ adapter.quote(column.name)
                             ~ ' set masking policy ' ~ policies[family] ~ ' force') -%}
        {%- else -%}
            {{ log('WARNING ' ~ this ~ '.' ~ column.name ~ ' is PII of type ' ~ column.dtype
                   ~ ', for which pii_masking_policies has no policy: left unmasked', info=True) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}


{#
    The masking policies themselves, for an account that has none yet: `dbt run-operation create_pii_masking_policies
    --target snowflake` creates (if absent) each policy named in `pii_masking_policies`. A policy shows the value to
    the roles of var `pii_unmasked_roles` (default: the role dbt runs as, so the identity models, Splink included,
    read the PII of the staging and intermediate tables they build on) and masks it for every other role.
#}

{% macro pii_unmasked_roles() -%}
    {%- set roles = var('pii_unmasked_roles', none) or ([target.role] if target.get('role') else []) -%}
    {%- if not roles -%}
        {{ exceptions.raise_compiler_error("pii_unmasked_roles is empty and the target has no role: name the role(s) "
                                           ~ "that read unmasked PII (at least the role dbt runs as)") }}
    {%- endif -%}
    {{ return(roles | map('upper') | list) }}
{%- endmacro %}


{% macro pii_masking_policy_sql(policy_name, family) -%}
    {%- set types = {'string': 'varchar', 'date': 'date', 'timestamp': 'timestamp_ntz', 'number': 'number',
                     'boolean': 'boolean'} -%}
    {%- set data_type = types[family] -%}
create masking policy if not exists {{ policy_name }} as (val {{ data_type }}) returns {{ data_type }} ->
    case
        when current_role() in ('{{ pii_unmasked_roles() | join("', '") }}') then val
        else {{ "'***MASKED***'" if family == 'string' else 'null' }}
    end
{%- endmacro %}


{% macro create_pii_masking_policies() -%}
    {%- for family, policy_name in (var('pii_masking_policies', none) or {}).items() -%}
        {%- do run_query(pii_masking_policy_sql(policy_name, family)) -%}
        {{ log('masking policy ' ~ policy_name ~ ' (' ~ family ~ '): unmasked for ' ~ pii_unmasked_roles() | join(', '), info=True) }}
    {%- endfor -%}
{%- endmacro %}
