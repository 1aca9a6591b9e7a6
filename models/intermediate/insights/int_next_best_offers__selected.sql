-- The next course and the next destination to offer each active person with a certification
-- (formulas: models/marts/insights/_insights__docs.md):
-- next course: walking next_course_code from the course of the last certification, the nearest course of the
-- same discipline the person has not taken (none at the top level, or when every later course is taken);
-- next destination: the destination of that discipline with the smallest code the person has not booked.

with profiles as (
    select * from {{ ref('int_unified_profiles__joined') }}
),

progressions as (
    select * from {{ ref('int_course_progressions') }}
),

courses_taken as (
    select * from {{ ref('int_individual_courses__taken') }}
),

destinations_booked as (
    select * from {{ ref('int_individual_destinations__booked') }}
),

courses as (
    select * from {{ ref('stg_content__courses') }}
),

destinations as (
    select * from {{ ref('stg_content__destinations') }}
),

certified as (
    select
        unified_individual_id,
        last_certified_course_code,
        last_certification_discipline,
        last_certified_at
    from profiles
    where last_certified_course_code is not null
        or last_certification_discipline is not null
),

next_courses as (
    select
        certified.unified_individual_id,
        progressions.successor_course_code as next_course_code
    from certified
    inner join progressions
        on certified.last_certified_course_code = progressions.course_code
    left outer join courses_taken
        on certified.unified_individual_id = courses_taken.unified_individual_id
            and progressions.successor_course_code = courses_taken.course_code
    where courses_taken.course_code is null
        and progressions.successor_discipline = certified.last_certification_discipline
    qualify row_number() over (
            partition by certified.unified_individual_id
            order by progressions.steps_ahead, progressions.successor_course_code
        ) = 1
),

next_destinations as (
    select
        certified.unified_individual_id,
        destinations.destination_code as next_destination_code,
        destinations.destination_name as next_destination_name
    from certified
    inner join destinations
        on certified.last_certification_discipline = destinations.discipline
    left outer join destinations_booked
        on certified.unified_individual_id = destinations_booked.unified_individual_id
            and destinations.destination_code = destinations_booked.destination_code
    where destinations_booked.destination_code is null
    qualify row_number() over (
            partition by certified.unified_individual_id
            order by destinations.destination_code
        ) = 1
),

final as (
    select
        certified.unified_individual_id,
        certified.last_certified_course_code,
        certified.last_certification_discipline,
        next_courses.next_course_code,
        courses.course_name as next_course_name,
        next_destinations.next_destination_code,
        next_destinations.next_destination_name,
        certified.last_certified_at
    from certified
    left outer join next_courses
        on certified.unified_individual_id = next_courses.unified_individual_id
    left outer join courses
        on next_courses.next_course_code = courses.course_code
    left outer join next_destinations
        on certified.unified_individual_id = next_destinations.unified_individual_id
)

select * from final
