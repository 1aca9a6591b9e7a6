-- The unified individuals no profile, insight, segment or export may hold: everyone holding a record whose key,
-- or one of whose identifiers, is tombstoned (int_deletion_tombstones__recorded), as the graph stands this run.
-- A part split off a deleted person keeps a tombstoned record or identifier, so it stays suppressed; a record of
-- the same person that never linked (the same email on another system's record) is suppressed by the email.
-- One row per individual, with the earliest request that suppresses them and how.

with links as (
    select * from {{ ref('int_identity_records__linked') }}
),

identifiers as (
    select * from {{ ref('int_identity_identifiers__unpivoted') }}
),

tombstones as (
    select * from {{ ref('int_deletion_tombstones__recorded') }}
),

record_keys as (
    select
        unified_individual_id,
        'record' as key_type,
        {{ cdp_identity.tombstone_hash("'record'", 'identity_record_id') }} as key_hash
    from links
),

identifier_keys as (
    select
        links.unified_individual_id,
        identifiers.identifier_type as key_type,
        {{ cdp_identity.tombstone_hash('identifiers.identifier_type', 'identifiers.identifier_value') }} as key_hash
    from identifiers
    inner join links
        on identifiers.identity_record_id = links.identity_record_id
),

held_keys as (
    select * from record_keys
    union all
    select * from identifier_keys
),

matches as (
    select
        held_keys.unified_individual_id,
        held_keys.key_type as suppressed_by_key_type,
        tombstones.deletion_request_id,
        tombstones.tombstoned_at
    from held_keys
    inner join tombstones
        on held_keys.key_hash = tombstones.key_hash
),

final as (
    select
        unified_individual_id,
        deletion_request_id,
        suppressed_by_key_type,
        tombstoned_at as first_tombstoned_at
    from matches
    qualify row_number() over (
            partition by unified_individual_id
            order by tombstoned_at asc, deletion_request_id asc, suppressed_by_key_type asc
        ) = 1
)

select * from final
