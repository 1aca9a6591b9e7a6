-- Every exact-match identifier a record carries, one row per (record, identifier type, value), for the
-- over-merge guards (all of them) and the deterministic rules (those in `deterministic_identifier_types`):
-- the record's own columns, the extra values a record has more than one of (all of a learner's
-- certifications, all of a customer's cards), and the login an anonymous record was signed in with.
-- An app login that is a valid email address also counts as that email.

{%- set record_identifiers = ['email', 'phone', 'member_id', 'app_login', 'certification_id', 'payment_card_hash'] %}

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

lms_certifications as (
    select * from {{ ref('stg_lms__certifications') }}
),

commerce_orders as (
    select * from {{ ref('stg_commerce__orders') }}
),

commerce_payments as (
    select * from {{ ref('stg_commerce__payments') }}
),

observed_logins as (
    select * from {{ ref('int_identity_logins__observed') }}
),

from_records as (
    {%- for identifier in record_identifiers %}
        select
            identity_record_id,
            '{{ identifier }}' as identifier_type,
            {{ identifier }} as identifier_value,
            'record' as identifier_origin
        from identity_records
        where {{ identifier }} is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

all_certifications as (
    select
        'lms:' || learner_id as identity_record_id,
        'certification_id' as identifier_type,
        certification_id as identifier_value,
        'record' as identifier_origin
    from lms_certifications
    where learner_id is not null
        and certification_id is not null
),

all_cards as (
    select
        'commerce:' || commerce_orders.customer_id as identity_record_id,
        'payment_card_hash' as identifier_type,
        commerce_payments.payment_card_hash as identifier_value,
        'record' as identifier_origin
    from commerce_payments
    inner join commerce_orders
        on commerce_payments.order_id = commerce_orders.order_id
    where commerce_payments.payment_card_hash is not null
        and commerce_orders.customer_id is not null
),

session_logins as (
    select
        identity_record_id,
        identifier_type,
        identifier_value,
        'session_login' as identifier_origin
    from observed_logins
    where is_linkable
),

unioned_logins as (
    select * from from_records
    union all
    select * from all_certifications
    union all
    select * from all_cards
    union all
    select * from session_logins
),

-- An app login that is an email address is that email too (people sign in with their email).
logins_as_emails as (
    select
        identity_record_id,
        'email' as identifier_type,
        {{ normalize_email('identifier_value') }} as identifier_value,
        identifier_origin
    from unioned_logins
    where identifier_type = 'app_login'
        and identifier_value like '%@%'
),

unioned as (
    select * from unioned_logins
    union all
    select * from logins_as_emails
    where identifier_value is not null
),

-- Extra values only count for records that exist (a payment of an unknown customer carries no record).
final as (
    select distinct
        unioned.identity_record_id,
        unioned.identifier_type,
        unioned.identifier_value,
        unioned.identifier_origin
    from unioned
    inner join identity_records
        on unioned.identity_record_id = identity_records.identity_record_id
)

select * from final
