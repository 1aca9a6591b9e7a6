-- Anonymous-to-known evidence: the logins seen on each web cookie and each app device, from events that
-- carried both the anonymous ID and a login (int_<system>__identity_sign_ins of each system whose entry in var
-- `source_systems` has `sign_ins`). One row per (anonymous record, login).
-- A login may tie the anonymous record to a person only when it clearly dominates that record's signed-in
-- events (a family tablet or a shared computer is not one person): see `is_linkable`.

with observed as (
    {%- for system in var('source_systems') if system.sign_ins %}
        select
            identity_record_id,
            source_system,
            identifier_type,
            identifier_value,
            event_at
        from {{ ref('int_' ~ system.name ~ '__identity_sign_ins') }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

per_login as (
    select
        identity_record_id,
        source_system,
        identifier_type,
        identifier_value,
        count(*) as signed_in_event_count,
        min(event_at) as first_signed_in_at,
        max(event_at) as last_signed_in_at
    from observed
    group by identity_record_id, source_system, identifier_type, identifier_value
),

ranked as (
    select
        per_login.*,
        count(*) over (partition by per_login.identity_record_id) as distinct_login_count,
        per_login.signed_in_event_count * 1.0
        / sum(per_login.signed_in_event_count) over (partition by per_login.identity_record_id) as login_share,
        row_number() over (
            partition by per_login.identity_record_id
            order by
                per_login.signed_in_event_count desc, per_login.last_signed_in_at desc, per_login.identifier_value asc
        ) as login_rank
    from per_login
),

final as (
    select
        identity_record_id,
        source_system,
        identifier_type,
        identifier_value,
        signed_in_event_count,
        distinct_login_count,
        login_share,
        login_rank,
        case
            when distinct_login_count > {{ var('anonymous_max_logins') }} then 'too_many_logins'
            when login_rank > 1 then 'not_the_main_login'
            when login_share < {{ var('anonymous_min_login_share') }} then 'no_dominant_login'
        end as blocked_reason,
        first_signed_in_at,
        last_signed_in_at
    from ranked
)

select
    *,
    blocked_reason is null as is_linkable
from final
