-- One row per person-bearing record: its identifiers in the common schema and the unified individual it belongs
-- to. The one join from records to people that every profile model reads.

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

unified_links as (
    select * from {{ ref('unified_links') }}
),

final as (
    select
        identity_records.identity_record_id,
        unified_links.unified_individual_id,
        identity_records.source_system,
        identity_records.record_type,
        identity_records.source_record_id,
        identity_records.first_name,
        identity_records.last_name,
        identity_records.email,
        identity_records.phone,
        identity_records.street,
        identity_records.postal_code,
        identity_records.city,
        identity_records.country_code,
        identity_records.member_id,
        identity_records.date_of_birth,
        identity_records.record_created_at,
        identity_records.record_updated_at
    from identity_records
    inner join unified_links
        on identity_records.identity_record_id = unified_links.identity_record_id
)

select * from final
