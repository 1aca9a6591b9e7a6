{{ config(materialized='incremental', unique_key='deletion_request_id', on_schema_change='fail') }}

with

source as (

    select * from {{ source('consent', 'deletion_request') }}
    where {{ cdp_identity.loaded_since_last_run() }}
        and {{ cdp_identity.raw_row_is_typed() }}

),

renamed as (

    select
        {{ cdp_identity.normalize_id('request_id', reject_junk=false) }} as deletion_request_id,
        -- A request is typed by a person: the system name is matched lowercased, and whitespace or control
        -- characters around it and the record ID (the normalizers strip them) or anywhere in the email (removed
        -- here: a deletion request errs on the side of matching) do not stop it from matching.
        {{ cdp_identity.normalize_id('source_system', lowercase=true, reject_junk=false) }} as source_system,
        {{ cdp_identity.normalize_id('source_record_id') }} as source_record_id,
        {{ cdp_identity.regexp_replace_all('cast(email as varchar)', '[[:space:][:cntrl:]]') }} as raw_email,
        cast(status as varchar) as status,
        {{ cdp_identity.to_utc_timestamp('requested_at') }} as requested_at,
        {{ cdp_identity.to_utc_timestamp('_loaded_at') }} as loaded_at,
        {{ cdp_identity.raw_row_hash() }} as row_hash

    from source

),

deduplicated as (

    select * from renamed
    qualify {{ cdp_identity.latest_version_row_number('deletion_request_id', ['loaded_at', 'requested_at']) }} = 1

),

normalized as (

    select
        *,
        {{ cdp_identity.normalize_email('raw_email') }} as email

    from deduplicated

),

final as (

    select
        deletion_request_id,
        source_record_id,
        source_system,
        email,
        status,
        {{ cdp_identity.is_rejected('raw_email', 'email') }} as is_email_rejected,
        requested_at,
        loaded_at

    from normalized

)

select * from final
