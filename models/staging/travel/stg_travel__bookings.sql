{{ config(materialized='incremental', unique_key='booking_reference', on_schema_change='fail') }}

with

source as (

    select * from {{ source('travel', 'booking') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('booking_reference', reject_junk=false) }} as booking_reference,
        cast(member_id as varchar) as raw_member_id,
        cast(payment_card_hash as varchar) as raw_payment_card_hash,
        {{ cdp_identity.normalize_id('destination_code', reject_junk=false) }} as destination_code,
        cast(lead_first_name as varchar) as raw_first_name,
        cast(lead_last_name as varchar) as raw_last_name,
        cast(email as varchar) as raw_email,
        cast(phone as varchar) as raw_phone,
        upper(trim(cast(currency as varchar))) as currency,
        cast(status as varchar) as status,
        {{ cdp_identity.raw_typed_value('travellers', 'integer') }} as traveller_count,
        {{ cdp_identity.raw_typed_value('total_amount', 'double') }} as total_amount,
        {{ cdp_identity.raw_typed_value('date_of_birth', 'date') }} as raw_date_of_birth,
        {{ cdp_identity.raw_typed_value('departure_date', 'date') }} as departure_date,
        {{ cdp_identity.raw_typed_value('return_date', 'date') }} as return_date,
        {{ cdp_identity.to_utc_timestamp('booked_at') }} as booked_at,
        {{ cdp_identity.to_utc_timestamp('updated_at') }} as updated_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

deduplicated as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('booking_reference', ['loaded_at', 'updated_at']) }} = 1

),

normalized as (

    select
        *,
        {{ cdp_identity.normalize_id('raw_member_id') }} as member_id,
        {{ cdp_identity.normalize_card_hash('raw_payment_card_hash') }} as payment_card_hash,
        {{ cdp_identity.normalize_name('raw_first_name') }} as first_name,
        {{ cdp_identity.normalize_name('raw_last_name') }} as last_name,
        {{ cdp_identity.normalize_email('raw_email') }} as email,
        {#- The booking has no address country: national numbers take var('default_phone_country'). #}
        {{ cdp_identity.normalize_phone('raw_phone') }} as phone,
        {{ cdp_identity.normalize_birth_date('raw_date_of_birth') }} as date_of_birth

    from deduplicated

),

final as (

    select
        booking_reference,
        member_id,
        payment_card_hash,
        destination_code,
        first_name,
        last_name,
        email,
        phone,
        currency,
        status,
        traveller_count,
        total_amount,
        {{ cdp_identity.is_rejected('raw_email', 'email') }} as is_email_rejected,
        {{ cdp_identity.rejection_reason('email', 'raw_email', 'email') }} as email_rejection_reason,
        {{ cdp_identity.is_rejected('raw_phone', 'phone') }} as is_phone_rejected,
        {{ cdp_identity.rejection_reason('phone', 'raw_phone', 'phone') }} as phone_rejection_reason,
        {{ cdp_identity.is_rejected('raw_first_name', 'first_name') }} as is_first_name_rejected,
        {{ cdp_identity.rejection_reason('name', 'raw_first_name', 'first_name') }} as first_name_rejection_reason,
        {{ cdp_identity.is_rejected('raw_last_name', 'last_name') }} as is_last_name_rejected,
        {{ cdp_identity.rejection_reason('name', 'raw_last_name', 'last_name') }} as last_name_rejection_reason,
        {{ cdp_identity.is_rejected('raw_date_of_birth', 'date_of_birth') }} as is_date_of_birth_rejected,
        {{ cdp_identity.rejection_reason('date_of_birth', 'raw_date_of_birth', 'date_of_birth') }}
            as date_of_birth_rejection_reason,
        {{ cdp_identity.rejection_reason('card_hash', 'raw_payment_card_hash', 'payment_card_hash') }}
            as payment_card_hash_rejection_reason,
        date_of_birth,
        departure_date,
        return_date,
        booked_at,
        updated_at,
        loaded_at

    from normalized

)

select * from final
