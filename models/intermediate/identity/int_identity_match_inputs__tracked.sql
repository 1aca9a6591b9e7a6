-- When each matching input last changed: the clock incremental scoring reads (cdp/identity/incremental.py).
-- One row per record ever matched: a fingerprint of what the matcher compares, whether the record is still an
-- input, and when it was first seen, last changed or left. A record is changed when its fingerprint differs.
-- (The fingerprint covers the record's own values and the keys derived from them, capped blocking keys included:
-- a record whose block outgrows the cap changes; after editing the nickname or street-type seed, rebuild with
-- --full-refresh.)
{{
    config(
        materialized='incremental',
        unique_key='identity_record_id',
        on_schema_change='fail',
    )
}}

{%- set this_run = "cast(" ~ dbt.current_timestamp() ~ " as timestamp)" %}

with inputs as (
    select
        identity_record_id,
        {{ dbt.hash(dbt.concat([
            "coalesce(first_name, '')", "'|'", "coalesce(first_name_key, '')", "'|'",
            "coalesce(last_name, '')", "'|'", "coalesce(cast(date_of_birth as varchar), '')", "'|'",
            "coalesce(email, '')", "'|'", "coalesce(phone, '')", "'|'",
            "coalesce(street_number, '')", "'|'", "coalesce(street_name, '')", "'|'",
            "coalesce(postal_code, '')", "'|'", "coalesce(city, '')", "'|'",
            "coalesce(name_sounds_block, '')", "'|'", "coalesce(last_name_initial_block, '')", "'|'",
            "coalesce(street_number_city_block, '')", "'|'", "coalesce(street_name_city_block, '')", "'|'",
            "coalesce(postal_first_sound_block, '')", "'|'", "coalesce(postal_last_sound_block, '')",
        ])) }} as match_input_hash
    from {{ ref('int_identity_match_inputs') }}
),

-- On the first run (or --full-refresh) nothing was seen before (`previous` reads this CTE then).
no_previous as (  -- noqa: ST03
    select
        identity_record_id,
        match_input_hash,
        true as is_current
    from inputs
    where false
),

previous as (
    select
        identity_record_id,
        match_input_hash,
        is_current
    from {{ this if is_incremental() else 'no_previous' }}
),

arrived_or_changed as (
    select
        inputs.identity_record_id,
        inputs.match_input_hash,
        true as is_current,
        {{ this_run }} as input_changed_at
    from inputs
    left outer join previous
        on inputs.identity_record_id = previous.identity_record_id
    where previous.identity_record_id is null
        or previous.match_input_hash != inputs.match_input_hash
        or not previous.is_current
),

gone as (
    select
        previous.identity_record_id,
        previous.match_input_hash,
        false as is_current,
        {{ this_run }} as input_changed_at
    from previous
    left outer join inputs
        on previous.identity_record_id = inputs.identity_record_id
    where inputs.identity_record_id is null
        and previous.is_current
),

final as (
    select * from arrived_or_changed
    union all
    select * from gone
)

select * from final
