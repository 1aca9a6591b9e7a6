-- Ground truth of the synthetic data: the person behind each person-bearing record (evaluation only).

with truth as (
    select * from {{ source('evaluation', 'records') }}
),

final as (
    select
        source_system || ':' || source_record_id as identity_record_id,
        source_system,
        source_record_id,
        person_id
    from truth
)

select * from final
