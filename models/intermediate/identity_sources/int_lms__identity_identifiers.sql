-- Every certification of a learner is an identifier of the learner's record: one row per (learner, certification),
-- ranked most recent first. Rank 1 stands for the learner in the wide common identifier schema
-- (int_lms__identity_records); the identity graph's exact-match rules count them all
-- (int_identity_identifiers__unpivoted).

with certifications as (
    select * from {{ ref('stg_lms__certifications') }}
),

final as (
    select
        {{ identity_record_id('lms', 'learner_id') }} as identity_record_id,
        cast('certification_id' as varchar) as identifier_type,
        cast(certification_id as varchar) as identifier_value,
        row_number() over (partition by learner_id order by issued_at desc, certification_id asc) as identifier_rank
    from certifications
    where learner_id is not null
        and certification_id is not null
)

select * from final
