-- Per system and record type: how many person-bearing records arrived, how many carry each identifier,
-- and how many values normalization rejected (malformed or junk placeholders), so nothing is lost unseen.
-- Each value rejected, with its reason, is listed in int_source_values__rejected. Counts are bigint on both engines
-- (the mart source_identifier_quality publishes them under a contract).

{%- set checked = ['email', 'phone', 'first_name', 'last_name', 'date_of_birth', 'postal_code'] %}
{%- set carried = ['member_id', 'app_login', 'certification_id', 'payment_card_hash', 'device_id', 'anonymous_id'] %}

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

rejected_values as (
    select * from {{ ref('int_source_values__rejected') }}
),

-- Card numbers found in a system's card-hash columns (for commerce, in its payments).
card_numbers as (
    select
        source_system,
        count(*) as card_number_rejected_count
    from rejected_values
    where column_name = 'payment_card_hash' and rejection_reason = 'card number'
    group by source_system
),

counted as (
    select
        source_system,
        record_type,
        cast(count(*) as bigint) as record_count,
        {%- for identifier in checked %}
            cast(count({{ identifier }}) as bigint) as {{ identifier }}_present_count,
            cast(sum(case when is_{{ identifier }}_rejected then 1 else 0 end) as bigint)
                as {{ identifier }}_rejected_count,
        {%- endfor %}
        {%- for identifier in carried %}
            cast(count({{ identifier }}) as bigint) as {{ identifier }}_present_count,
        {%- endfor %}
        max(record_updated_at) as last_record_updated_at
    from identity_records
    group by source_system, record_type
),

final as (
    select
        counted.*,
        cast(coalesce(card_numbers.card_number_rejected_count, 0) as bigint) as card_number_rejected_count
    from counted
    left outer join card_numbers
        on counted.source_system = card_numbers.source_system
)

select * from final
