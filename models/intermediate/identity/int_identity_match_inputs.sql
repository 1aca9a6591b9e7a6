-- The records the probabilistic matcher compares, with the derived columns it needs.
-- Records with no name, or with a name but nothing else to compare, cannot be matched probabilistically
-- (they still link through exact identifiers); devices and web visitors carry no attributes at all.

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

nicknames as (
    select * from {{ ref('name_nicknames') }}
),

final as (
    select
        identity_records.identity_record_id,
        identity_records.source_system,
        identity_records.first_name,
        coalesce(nicknames.canonical_name, identity_records.first_name) as first_name_key,
        identity_records.last_name,
        trim(coalesce(identity_records.first_name, '') || ' ' || coalesce(identity_records.last_name, ''))
            as full_name,
        identity_records.date_of_birth,
        identity_records.email,
        split_part(identity_records.email, '@', 1) as email_user,
        identity_records.phone,
        identity_records.postal_code,
        identity_records.city
    from identity_records
    left join nicknames
        on identity_records.first_name = nicknames.nickname
    where (identity_records.first_name is not null or identity_records.last_name is not null)
        and (
            identity_records.date_of_birth is not null
            or identity_records.email is not null
            or identity_records.phone is not null
            or identity_records.postal_code is not null
        )
)

select * from final
