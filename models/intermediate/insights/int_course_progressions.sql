-- Every course and the courses that follow it, by walking next_course_code up to course_progression_max_steps
-- links (a self-join per step instead of a recursive CTE: portable, and safe on a catalog with a cycle).
-- steps_ahead = 1 is the direct next course.

{%- set max_steps = var('course_progression_max_steps') | int %}

with courses as (
    select * from {{ ref('stg_content__courses') }}
),

step_1 as (
    select
        course_code,
        next_course_code as successor_course_code,
        1 as steps_ahead
    from courses
    where next_course_code is not null
),
{% for step in range(2, max_steps + 1) %}
step_{{ step }} as (
    select
        step_{{ step - 1 }}.course_code,
        courses.next_course_code as successor_course_code,
        {{ step }} as steps_ahead
    from step_{{ step - 1 }}
    inner join courses
        on step_{{ step - 1 }}.successor_course_code = courses.course_code
    where courses.next_course_code is not null
),
{% endfor %}
unioned as (
    select * from step_1
    {%- for step in range(2, max_steps + 1) %}
    union all
    select * from step_{{ step }}
    {%- endfor %}
),

final as (
    select
        unioned.course_code,
        unioned.successor_course_code,
        successors.discipline as successor_discipline,
        min(unioned.steps_ahead) as steps_ahead
    from unioned
    inner join courses as successors
        on unioned.successor_course_code = successors.course_code
    where unioned.successor_course_code != unioned.course_code
    group by unioned.course_code, unioned.successor_course_code, successors.discipline
)

select * from final
