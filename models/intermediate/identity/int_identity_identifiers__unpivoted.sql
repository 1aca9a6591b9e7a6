-- Every exact-match identifier a record carries, one row per (record, identifier type, value), for the
-- over-merge guards (all of them) and the deterministic rules (those in `deterministic_identifier_types`):
-- the record's own columns, every value of the identifiers a record holds several of (all of a learner's
-- certifications, all of a customer's cards: int_<system>__identity_identifiers of each system whose entry in var
-- `source_systems` names `multi_valued_identifiers`), and the login an anonymous record was signed in with.
-- An app login that is a valid email address also counts as that email.

{%- set record_identifiers = ['email', 'phone', 'member_id', 'app_login', 'certification_id', 'payment_card_hash'] %}

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
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

multi_valued as (
    {%- for system in var('source_systems') if system.multi_valued_identifiers %}
        select
            identity_record_id,
            identifier_type,
            identifier_value,
            'record' as identifier_origin
        from {{ ref('int_' ~ system.name ~ '__identity_identifiers') }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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
    select * from multi_valued
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
