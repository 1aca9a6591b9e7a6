-- One row per unified individual with travel bookings made by the run date. A booking counts unless it was
-- cancelled; the last destination is that of the latest such booking.

with bookings as (
    select * from {{ ref('stg_travel__bookings') }}
    where booked_at < {{ as_of_at() }}
),

linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
),

person_bookings as (
    select
        linked_records.unified_individual_id,
        bookings.booking_reference,
        bookings.destination_code,
        coalesce(bookings.status = 'cancelled', false) as is_cancelled,
        bookings.departure_date,
        bookings.booked_at,
        row_number() over (
            partition by linked_records.unified_individual_id
            order by
                case when bookings.status = 'cancelled' then 1 else 0 end asc,
                bookings.booked_at desc,
                bookings.booking_reference asc
        ) as recency_rank
    from bookings
    inner join linked_records
        on bookings.booking_reference = linked_records.source_record_id
            and linked_records.source_system = 'travel'
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
