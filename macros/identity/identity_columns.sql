{#
    The common identifier schema: one definition, used by every system's branch of
    int_identity_records__unioned so that all branches produce the same columns, in the same order,
    with the same types (a column a system does not carry is a typed null).
#}

{% macro identity_columns() -%}
    {{ return([
        ('first_name', 'varchar'),
        ('last_name', 'varchar'),
        ('date_of_birth', 'date'),
        ('email', 'varchar'),
        ('phone', 'varchar'),
        ('street', 'varchar'),
        ('postal_code', 'varchar'),
        ('city', 'varchar'),
        ('country_code', 'varchar'),
        ('member_id', 'varchar'),
        ('app_login', 'varchar'),
        ('certification_id', 'varchar'),
        ('payment_card_hash', 'varchar'),
        ('device_id', 'varchar'),
        ('anonymous_id', 'varchar'),
        ('record_created_at', 'timestamp'),
        ('record_updated_at', 'timestamp'),
        ('is_email_rejected', 'boolean'),
        ('is_phone_rejected', 'boolean'),
        ('is_first_name_rejected', 'boolean'),
        ('is_last_name_rejected', 'boolean'),
        ('is_date_of_birth_rejected', 'boolean'),
        ('is_postal_code_rejected', 'boolean'),
    ]) }}
{%- endmacro %}


{% macro select_identity_columns(source_system, record_type, record_id, relation, columns) -%}
    {#-
        source_system, record_type: literals; record_id: the expression of the record's own key;
        relation: the CTE to read; columns: {common column: expression} for what this system carries.
        An identifier the system lacks is null; a rejection flag it lacks is false.
    -#}
    {%- set unknown = columns.keys() | reject('in', identity_columns() | map(attribute=0) | list) | list -%}
    {%- if unknown -%}
        {%- do exceptions.raise_compiler_error("select_identity_columns: not in the common identifier schema: " ~ unknown | join(', ')) -%}
    {%- endif -%}
    select
        {{ identity_record_id(source_system, record_id) }} as identity_record_id,
        cast('{{ source_system }}' as varchar) as source_system,
        cast('{{ record_type }}' as varchar) as record_type,
        cast({{ record_id }} as varchar) as source_record_id,
        {%- for name, data_type in identity_columns() %}
        {%- set default = 'false' if data_type == 'boolean' else 'null' %}
        cast({{ columns.get(name, default) }} as {{ data_type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}
