-- The common identifier schema: one row per person-bearing record of every system.
-- A system with no feed yet contributes no rows; a column a system lacks is null.

with salesforce_contacts as (
    select * from {{ ref('stg_salesforce__contacts') }}
),

marketing_cloud_subscribers as (
    select * from {{ ref('stg_marketing_cloud__subscribers') }}
),

lms_learners as (
    select * from {{ ref('stg_lms__learners') }}
),

lms_certifications as (
    select * from {{ ref('stg_lms__certifications') }}
),

commerce_customers as (
    select * from {{ ref('stg_commerce__customers') }}
),

commerce_orders as (
    select * from {{ ref('stg_commerce__orders') }}
),

commerce_payments as (
    select * from {{ ref('stg_commerce__payments') }}
),

club_members as (
    select * from {{ ref('stg_club__members') }}
),

app_users as (
    select * from {{ ref('stg_mobile_app__app_users') }}
),

app_devices as (
    select * from {{ ref('stg_mobile_app__devices') }}
),

web_visitors as (
    select * from {{ ref('int_web_visitors__aggregated') }}
),

travel_bookings as (
    select * from {{ ref('stg_travel__bookings') }}
),

legacy_customers as (
    select * from {{ ref('stg_data_lake__legacy_customers') }}
),

-- A learner's most recent certification stands for the learner in the wide schema.
latest_certifications as (
    select
        learner_id,
        certification_id
    from lms_certifications
    qualify row_number() over (partition by learner_id order by issued_at desc, certification_id asc) = 1
),

learners as (
    select
        lms_learners.*,
        latest_certifications.certification_id
    from lms_learners
    left outer join latest_certifications
        on lms_learners.learner_id = latest_certifications.learner_id
),

-- A customer's most used card stands for the customer in the wide schema.
customer_cards as (
    select
        commerce_orders.customer_id,
        commerce_payments.payment_card_hash,
        count(*) as payment_count,
        max(commerce_payments.processed_at) as last_used_at
    from commerce_payments
    inner join commerce_orders
        on commerce_payments.order_id = commerce_orders.order_id
    where commerce_payments.payment_card_hash is not null
    group by commerce_orders.customer_id, commerce_payments.payment_card_hash
),

main_cards as (
    select
        customer_id,
        payment_card_hash
    from customer_cards
    qualify row_number() over (
            partition by customer_id order by payment_count desc, last_used_at desc, payment_card_hash asc
        ) = 1
),

customers as (
    select
        commerce_customers.*,
        main_cards.payment_card_hash
    from commerce_customers
    left outer join main_cards
        on commerce_customers.customer_id = main_cards.customer_id
),

unioned as (
    {{ select_identity_columns('salesforce', 'contact', 'contact_id', 'salesforce_contacts', {
        'first_name': 'first_name', 'last_name': 'last_name', 'date_of_birth': 'date_of_birth',
        'email': 'email', 'phone': 'coalesce(mobile_phone, phone)', 'street': 'street',
        'postal_code': 'postal_code', 'city': 'city', 'country_code': 'country_code',
        'member_id': 'member_id', 'certification_id': 'certification_id',
        'record_created_at': 'created_at', 'record_updated_at': 'updated_at',
        'is_email_rejected': 'is_email_rejected', 'is_first_name_rejected': 'is_first_name_rejected',
        'is_last_name_rejected': 'is_last_name_rejected',
        'is_date_of_birth_rejected': 'is_date_of_birth_rejected',
        'is_postal_code_rejected': 'is_postal_code_rejected',
        'is_phone_rejected': 'is_phone_rejected or is_mobile_phone_rejected',
    }) }}

    union all

    {{ select_identity_columns('marketing_cloud', 'subscriber', 'subscriber_key', 'marketing_cloud_subscribers', {
        'first_name': 'first_name', 'last_name': 'last_name', 'email': 'email',
        'record_created_at': 'joined_at', 'record_updated_at': 'coalesce(unsubscribed_at, joined_at)',
        'is_email_rejected': 'is_email_rejected', 'is_first_name_rejected': 'is_first_name_rejected',
        'is_last_name_rejected': 'is_last_name_rejected',
    }) }}

    union all

    {{ select_identity_columns('lms', 'learner', 'learner_id', 'learners', {
        'first_name': 'first_name', 'last_name': 'last_name', 'date_of_birth': 'date_of_birth',
        'email': 'email', 'country_code': 'country_code', 'certification_id': 'certification_id',
        'record_created_at': 'created_at', 'record_updated_at': 'updated_at',
        'is_email_rejected': 'is_email_rejected', 'is_first_name_rejected': 'is_first_name_rejected',
        'is_last_name_rejected': 'is_last_name_rejected',
        'is_date_of_birth_rejected': 'is_date_of_birth_rejected',
    }) }}

    union all

    {{ select_identity_columns('commerce', 'customer', 'customer_id', 'customers', {
        'first_name': 'first_name', 'last_name': 'last_name', 'date_of_birth': 'date_of_birth',
        'email': 'email', 'phone': 'phone', 'street': 'street', 'postal_code': 'postal_code',
        'city': 'city', 'country_code': 'country_code', 'payment_card_hash': 'payment_card_hash',
        'record_created_at': 'created_at', 'record_updated_at': 'updated_at',
        'is_email_rejected': 'is_email_rejected', 'is_phone_rejected': 'is_phone_rejected',
        'is_first_name_rejected': 'is_first_name_rejected',
        'is_last_name_rejected': 'is_last_name_rejected',
        'is_date_of_birth_rejected': 'is_date_of_birth_rejected',
        'is_postal_code_rejected': 'is_postal_code_rejected',
    }) }}

    union all

    {{ select_identity_columns('club', 'member', 'member_id', 'club_members', {
        'first_name': 'first_name', 'last_name': 'last_name', 'date_of_birth': 'date_of_birth',
        'email': 'email', 'phone': 'phone', 'street': 'street', 'postal_code': 'postal_code',
        'city': 'city', 'country_code': 'country_code', 'member_id': 'member_id',
        'certification_id': 'certification_id', 'payment_card_hash': 'payment_card_hash',
        'record_created_at': 'joined_date', 'record_updated_at': 'updated_at',
        'is_email_rejected': 'is_email_rejected', 'is_phone_rejected': 'is_phone_rejected',
        'is_first_name_rejected': 'is_first_name_rejected',
        'is_last_name_rejected': 'is_last_name_rejected',
        'is_date_of_birth_rejected': 'is_date_of_birth_rejected',
        'is_postal_code_rejected': 'is_postal_code_rejected',
    }) }}

    union all

    {{ select_identity_columns('mobile_app', 'app_user', 'app_user_id', 'app_users', {
        'first_name': 'first_name', 'last_name': 'last_name', 'email': 'email', 'app_login': 'app_login',
        'record_created_at': 'created_at', 'record_updated_at': 'coalesce(last_login_at, created_at)',
        'is_email_rejected': 'is_email_rejected', 'is_first_name_rejected': 'is_first_name_rejected',
        'is_last_name_rejected': 'is_last_name_rejected',
    }) }}

    union all

    {{ select_identity_columns('mobile_app', 'device', 'device_id', 'app_devices', {
        'device_id': 'device_id', 'record_created_at': 'first_seen_at', 'record_updated_at': 'last_seen_at',
    }) }}

    union all

    {{ select_identity_columns('web', 'anonymous_visitor', 'anonymous_id', 'web_visitors', {
        'anonymous_id': 'anonymous_id', 'record_created_at': 'first_seen_at', 'record_updated_at': 'last_seen_at',
    }) }}

    union all

    {{ select_identity_columns('travel', 'booking', 'booking_reference', 'travel_bookings', {
        'first_name': 'first_name', 'last_name': 'last_name', 'date_of_birth': 'date_of_birth',
        'email': 'email', 'phone': 'phone', 'member_id': 'member_id', 'payment_card_hash': 'payment_card_hash',
        'record_created_at': 'booked_at', 'record_updated_at': 'updated_at',
        'is_email_rejected': 'is_email_rejected', 'is_phone_rejected': 'is_phone_rejected',
        'is_first_name_rejected': 'is_first_name_rejected',
        'is_last_name_rejected': 'is_last_name_rejected',
        'is_date_of_birth_rejected': 'is_date_of_birth_rejected',
    }) }}

    union all

    {{ select_identity_columns('data_lake', 'legacy_customer', 'legacy_customer_id', 'legacy_customers', {
        'first_name': 'first_name', 'last_name': 'last_name', 'date_of_birth': 'date_of_birth',
        'email': 'email', 'phone': 'phone', 'postal_code': 'postal_code', 'city': 'city',
        'country_code': 'country_code', 'record_created_at': 'created_at', 'record_updated_at': 'created_at',
        'is_email_rejected': 'is_email_rejected', 'is_phone_rejected': 'is_phone_rejected',
        'is_first_name_rejected': 'is_first_name_rejected',
        'is_last_name_rejected': 'is_last_name_rejected',
        'is_date_of_birth_rejected': 'is_date_of_birth_rejected',
        'is_postal_code_rejected': 'is_postal_code_rejected',
    }) }}
),

final as (
    select * from unioned
)

select * from final
