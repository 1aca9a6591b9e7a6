-- The courses each active unified individual has taken in any of their LMS learner accounts: completed,
-- certified in, or enrolled in without withdrawing. A course taken is never offered as the next course.

with completions as (
    select * from {{ ref('stg_lms__course_completions') }}
),

certifications as (
    select * from {{ ref('stg_lms__certifications') }}
),

enrollments as (
    select * from {{ ref('stg_lms__enrollments') }}
),

links as (
    select * from {{ ref('int_identity_records__linked') }}
),

active_individuals as (
    select * from {{ ref('int_unified_individuals__active') }}
),

course_events as (
    select
        learner_id,
        course_code,
        'completed' as taken_via
    from completions
    union all
    select
        learner_id,
        course_code,
        'certified' as taken_via
    from certifications
    union all
    select
        learner_id,
        course_code,
        'enrolled' as taken_via
    from enrollments
    where status != 'withdrawn'
),

final as (
    select
        links.unified_individual_id,
        course_events.course_code,
        max(case when course_events.taken_via = 'completed' then 1 else 0 end) = 1 as has_completed,
        max(case when course_events.taken_via = 'certified' then 1 else 0 end) = 1 as has_certification,
        max(case when course_events.taken_via = 'enrolled' then 1 else 0 end) = 1 as has_enrollment
    from course_events
    inner join links
        on links.identity_record_id = {{ identity_record_id('lms', 'course_events.learner_id') }}
    inner join active_individuals
        on links.unified_individual_id = active_individuals.unified_individual_id
    where course_events.course_code is not null
    group by links.unified_individual_id, course_events.course_code
)

select * from final
