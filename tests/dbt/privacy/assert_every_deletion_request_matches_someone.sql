{{ config(severity='warn') }}

-- A deletion request that has never matched any unified individual: its named record and email are tombstoned
-- (a record that arrives carrying them is suppressed), but nobody was found, so the request needs an answer. A
-- warning, not an error: the run goes on and every other request is honoured. Returns each such request.

with request_status as (
    select * from {{ ref('deletion_request_status') }}
),

final as (
    select
        deletion_request_id,
        named_source_system,
        names_record,
        names_email,
        is_named_email_rejected,
        requested_at,
        case
            when is_named_email_rejected then 'the email it names is not a valid address'
            when not names_record and not names_email then 'it names no record and no email'
            else 'no record carries the record or email it names'
        end as reason
    from request_status
    where deletion_status = 'unmatched'
)

select * from final
