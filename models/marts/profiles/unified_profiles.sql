-- One row per active unified individual: the golden profile (int_unified_profiles__joined), published.

with profiles as (
    select * from {{ ref('int_unified_profiles__joined') }}
),

final as (
    select * from profiles
)

select * from final
