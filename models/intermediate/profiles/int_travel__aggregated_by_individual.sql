-- One row per unified individual with travel bookings made by the run date. A booking counts unless it was
-- cancelled; the last destination is that of the latest such booking.

with bookings as (
    select * from {{ ref('stg_travel__bookings') }}
    where booked_at < {{ as_of_at() }}
),

unified_links as (
    select * from {{ ref('unified_links') }}
),

person_bookings as (
    select
        unified_links.unified_individual_id,
        bookings.booking_reference,
        bookings.destination_code,
        coalesce(bookings.status = 'cancelled', false) as is_cancelled,
        bookings.departure_date,
        bookings.booked_at,
        row_number() over (
            partition by unified_links.unified_individual_id
            order by
                case when bookings.status = 'cancelled' then 1 else 0 end asc,
                bookings.booked_at desc,
                bookings.booking_reference asc
        ) as recency_rank
    from bookings
    inner join unified_links
        on bookings.booking_reference = unified_links.source_record_id
            and unified_links.source_system = 'travel'
),

final as (
    select
        unified_individual_id,
        max(
            case when recency_rank = 1 and not is_cancelled then destination_code end
        ) as last_destination_code,
        count(case when not is_cancelled then 1 end) as travel_booking_count,
        count(case when is_cancelled then 1 end) as travel_cancelled_booking_count,
        max(case when not is_cancelled then booked_at end) as last_booking_at,
        max(
            case when recency_rank = 1 and not is_cancelled then departure_date end
        ) as last_departure_date
    from person_bookings
    group by unified_individual_id
)

select * from final
