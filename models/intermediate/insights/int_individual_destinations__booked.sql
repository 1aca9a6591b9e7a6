-- The destinations each active unified individual has booked (cancelled bookings do not count). A destination
-- booked is never offered as the next trip.

with bookings as (
    select * from {{ ref('stg_travel__bookings') }}
),

links as (
    select * from {{ ref('int_identity_records__linked') }}
),

active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

final as (
    select
        links.unified_individual_id,
        bookings.destination_code,
        count(*) as booking_count,
        max(bookings.booked_at) as last_booked_at
    from bookings
    inner join links
        on links.identity_record_id = {{ identity_record_id('travel', 'bookings.booking_reference') }}
    inner join active_individuals
        on links.unified_individual_id = active_individuals.unified_individual_id
    where bookings.destination_code is not null
        and coalesce(bookings.status, '') != 'cancelled'
    group by links.unified_individual_id, bookings.destination_code
)

select * from final
