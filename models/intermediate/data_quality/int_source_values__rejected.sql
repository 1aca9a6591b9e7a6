-- One row per value that normalization rejected (nulled) while keeping its record: which system, raw table,
-- record and column, and why (the staging model's <column>_rejection_reason, from
-- macros/normalize/is_rejected.sql). The value itself is never copied here: it may be a card number, and a
-- deleted person's values must not outlive their records.
{#- (system, raw table, staging model, the model's key, the columns it gives a rejection reason for) #}
{%- set rejecting_models = [
    ('salesforce', 'contact', 'stg_salesforce__contacts', 'contact_id',
        ['email', 'phone', 'mobile_phone', 'first_name', 'last_name', 'date_of_birth', 'postal_code', 'street', 'city']),
    ('marketing_cloud', 'subscriber', 'stg_marketing_cloud__subscribers', 'subscriber_key',
        ['email', 'first_name', 'last_name']),
    ('lms', 'learner', 'stg_lms__learners', 'learner_id', ['email', 'first_name', 'last_name', 'date_of_birth']),
    ('commerce', 'customer', 'stg_commerce__customers', 'customer_id',
        ['email', 'phone', 'first_name', 'last_name', 'date_of_birth', 'postal_code', 'street', 'city']),
    ('commerce', 'payment', 'stg_commerce__payments', 'payment_id', ['payment_card_hash']),
    ('club', 'member', 'stg_club__members', 'member_id',
        ['email', 'phone', 'first_name', 'last_name', 'date_of_birth', 'postal_code', 'street', 'city',
         'payment_card_hash']),
    ('mobile_app', 'app_user', 'stg_mobile_app__app_users', 'app_user_id', ['email', 'first_name', 'last_name']),
    ('travel', 'booking', 'stg_travel__bookings', 'booking_reference',
        ['email', 'phone', 'first_name', 'last_name', 'date_of_birth', 'payment_card_hash']),
    ('data_lake', 'legacy_customer', 'stg_data_lake__legacy_customers', 'legacy_customer_id',
        ['email', 'phone', 'first_name', 'last_name', 'date_of_birth', 'postal_code', 'city']),
] %}

with

{%- for source_system, source_table, model, key, columns in rejecting_models %}
    {{ model }} as (
        select * from {{ ref(model) }}
    ),
{%- endfor %}

unioned as (
    {%- for source_system, source_table, model, key, columns in rejecting_models %}
        {%- set outer_loop = loop %}
        {%- for column in columns %}
            select
                cast('{{ source_system }}' as varchar) as source_system,
                cast('{{ source_table }}' as varchar) as source_table,
                cast({{ key }} as varchar) as source_record_id,
                cast('{{ column }}' as varchar) as column_name,
                cast({{ column }}_rejection_reason as varchar) as rejection_reason,
                cast(loaded_at as timestamp) as loaded_at
            from {{ model }}
            where {{ column }}_rejection_reason is not null
            {{ 'union all' if not (outer_loop.last and loop.last) }}
        {%- endfor %}
    {%- endfor %}
),

final as (
    select * from unioned
)

select * from final
