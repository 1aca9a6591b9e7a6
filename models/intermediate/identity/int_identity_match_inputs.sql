-- The records the probabilistic matcher compares, with the derived columns it needs: nickname-resolved first
-- names, the first initial and Soundex-style name keys (blocking on names spelled differently), the house number
-- and street-name key of the street address, and the contact points no guard holds back. Blocking keys on coarse
-- fields are capped by block size (var max_coarse_block_records; macros/identity/capped_block_key.sql).
-- A record takes part when it has a name and at least one other attribute (date of birth, email, phone, street,
-- postal code, city or country): with a name alone it could only ever be joined by an exact identifier, which
-- needs no matcher. Devices and web visitors carry no attributes at all.

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

identifier_groups as (
    select * from {{ ref('int_identity_identifier_groups__guarded') }}
),

-- Contact points the guards found shared by different people are no evidence that two records are one
-- person: the matcher does not see them.
shared_emails as (
    select identifier_value as email
    from identifier_groups
    where identifier_type = 'email'
        and guard_status != 'linked'
),

shared_phones as (
    select identifier_value as phone
    from identifier_groups
    where identifier_type = 'phone'
        and guard_status != 'linked'
),

first_names as (
    select * from {{ ref('int_identity_first_names__resolved') }}
),

streets as (
    select * from {{ ref('int_identity_streets__parsed') }}
),

keyed as (
    select
        identity_records.identity_record_id,
        identity_records.source_system,
        identity_records.first_name,
        first_names.first_name_key,
        first_names.first_name_variants,
        identity_records.last_name,
        trim(coalesce(identity_records.first_name, '') || ' ' || coalesce(identity_records.last_name, ''))
            as full_name,
        left(identity_records.first_name, 1) as first_initial,
        {{ cdp_identity.name_sound_key('identity_records.first_name') }} as first_name_sound,
        {{ cdp_identity.name_sound_key('identity_records.last_name') }} as last_name_sound,
        identity_records.date_of_birth,
        case when shared_emails.email is null then identity_records.email end as email,
        case when shared_phones.phone is null then identity_records.phone end as phone,
        streets.street_number,
        streets.street_name,
        identity_records.postal_code,
        -- Accents folded: the edit distance of the near-city level then counts the same on every engine (DuckDB's
        -- counts bytes, Snowflake's characters), and a city typed with and without its accents is one city.
        {{ cdp_identity.strip_accents('identity_records.city') }} as city
    from identity_records
    left outer join first_names
        on identity_records.first_name = first_names.first_name
    left outer join shared_emails
        on identity_records.email = shared_emails.email
    left outer join shared_phones
        on identity_records.phone = shared_phones.phone
    left outer join streets
        on identity_records.street = streets.street
    where (identity_records.first_name is not null or identity_records.last_name is not null)
        and (
            identity_records.date_of_birth is not null
            or identity_records.email is not null
            or identity_records.phone is not null
            or identity_records.street is not null
            or identity_records.postal_code is not null
            or identity_records.city is not null
            or identity_records.country_code is not null
        )
),

-- Blocking keys on coarse fields (names' sounds, a last name with an initial, a street in a city, a name's sound in a
-- postal code) are kept only
-- for blocks of at most `max_coarse_block_records` records: a bigger block would make candidate pairs grow with the
-- square of its size, and a pair such a key alone finds carries little evidence. The exact keys are not capped.
final as (
    select
        keyed.*,
        {{ capped_block_key(['first_name_sound', 'last_name_sound']) }} as name_sounds_block,
        {{ capped_block_key(['last_name', 'first_initial']) }} as last_name_initial_block,
        {{ capped_block_key(['street_number', 'city']) }} as street_number_city_block,
        {{ capped_block_key(['street_name', 'city']) }} as street_name_city_block,
        {{ capped_block_key(['postal_code', 'first_name_sound']) }} as postal_first_sound_block,
        {{ capped_block_key(['postal_code', 'last_name_sound']) }} as postal_last_sound_block
    from keyed
)

select * from final
