-- Ground truth of the synthetic data: the person behind each person-bearing record (evaluation only).

with truth as (
    select * from {{ source('evaluation', 'records') }}
),

final as (
    select
        {{ identity_record_id('source_system', 'source_record_id', system_is_column=true) }} as identity_record_id,
        source_system,
        source_record_id,
        person_id
    from truth
)

select * from final
