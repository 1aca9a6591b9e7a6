-- One row per unified individual with LMS history up to the run date: certifications (count, highest level, the
-- latest one) and completed courses, over all of the person's learner records.

with certifications as (
    select * from {{ ref('stg_lms__certifications') }}
    where issued_at < {{ as_of_at() }}
),

course_completions as (
    select * from {{ ref('stg_lms__course_completions') }}
    where completed_at < {{ as_of_at() }}
),

enrollments as (
    select * from {{ ref('stg_lms__enrollments') }}
    where enrolled_at < {{ as_of_at() }}
),

linked_records as (
    select * from {{ ref('int_identity_records__linked') }}
),

person_certifications as (
    select
        linked_records.unified_individual_id,
        certifications.certification_id,
        certifications.course_code,
        certifications.discipline,
        certifications.certification_level,
        certifications.issued_at,
        row_number() over (
            partition by linked_records.unified_individual_id
            order by certifications.issued_at desc, certifications.certification_id asc
        ) as recency_rank
    from certifications
    inner join linked_records
        on {{ identity_record_id('lms', 'certifications.learner_id') }} = linked_records.identity_record_id
),

certification_summary as (
    select
        unified_individual_id,
        count(*) as certification_count,
        max(certification_level) as highest_certification_level,
        max(
            case when recency_rank = 1 then discipline end
        ) as last_certification_discipline,
        max(
            case when recency_rank = 1 then certification_level end
        ) as last_certification_level,
        max(
            case when recency_rank = 1 then course_code end
        ) as last_certified_course_code,
        max(issued_at) as last_certified_at
    from person_certifications
    group by unified_individual_id
),

completed_courses as (
    select distinct
        linked_records.unified_individual_id,
        course_completions.course_code
    from course_completions
    inner join linked_records
        on {{ identity_record_id('lms', 'course_completions.learner_id') }} = linked_records.identity_record_id
),

completion_summary as (
    select
        unified_individual_id,
        {{ dbt.listagg('course_code', "','", 'order by course_code') }} as completed_course_codes,
        count(*) as completed_course_count
    from completed_courses
    group by unified_individual_id
),

enrollment_summary as (
    select
        linked_records.unified_individual_id,
        count(*) as enrollment_count,
        max(enrollments.enrolled_at) as last_enrolled_at
    from enrollments
    inner join linked_records
        on {{ identity_record_id('lms', 'enrollments.learner_id') }} = linked_records.identity_record_id
    group by linked_records.unified_individual_id
),

learners as (
    select unified_individual_id from certification_summary
    union distinct
    select unified_individual_id from completion_summary
    union distinct
    select unified_individual_id from enrollment_summary
),

final as (
    select
        learners.unified_individual_id,
        certification_summary.last_certification_discipline,
        certification_summary.last_certified_course_code,
        completion_summary.completed_course_codes,
        coalesce(certification_summary.certification_count, 0) as certification_count,
        certification_summary.highest_certification_level,
        certification_summary.last_certification_level,
        coalesce(completion_summary.completed_course_count, 0) as completed_course_count,
        coalesce(enrollment_summary.enrollment_count, 0) as enrollment_count,
        certification_summary.last_certified_at,
        enrollment_summary.last_enrolled_at
    from learners
    left outer join certification_summary
        on learners.unified_individual_id = certification_summary.unified_individual_id
    left outer join completion_summary
        on learners.unified_individual_id = completion_summary.unified_individual_id
    left outer join enrollment_summary
        on learners.unified_individual_id = enrollment_summary.unified_individual_id
)

select * from final
