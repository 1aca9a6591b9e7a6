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
