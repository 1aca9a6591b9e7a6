-- Every street address of the identity records split into the parts probabilistic matching compares: the house
-- number and a street-name key. The key is the address lowercased, without accents or punctuation, without its
-- house number, each street-type word in one standard form (seed street_types: Street and St., Straße and Str.),
-- German compounds ending in -strasse shortened like their abbreviation, and the words joined without spaces,
-- so "12 Main Street", "12 Main St." and "Main St 12" agree, and so do "Hauptstraße 5" and "Haupt-Str. 5".
-- The house number is the first word made of digits (optionally one letter: 12b); the first ten words are read.

with identity_records as (
    select * from {{ ref('int_identity_records__unioned') }}
),

street_types as (
    select * from {{ ref('street_types') }}
),

streets as (
    select distinct street
    from identity_records
    where street is not null
),

cleaned as (
    select
        street,
        trim({{ cdp_identity.regexp_replace_all(cdp_identity.strip_accents('lower(street)'), '[^a-z0-9]+', ' ') }})
            as cleaned_street
    from streets
),

positions as (
    select word_positions.word_position
    from (values (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) as word_positions (word_position)
),

words as (
    select
        cleaned.street,
        positions.word_position,
        {{ dbt.split_part('cleaned.cleaned_street', "' '", 'positions.word_position') }} as word
    from cleaned
    cross join positions
),

present_words as (
    select *
    from words
    where word is not null
        and word != ''
),

house_numbers as (
    select
        street,
        min(word_position) as word_position
    from present_words
    where {{ cdp_identity.regexp_is_match('word', '[0-9]+[a-z]?') }}
    group by street
),

name_words as (
    select
        present_words.street,
        present_words.word_position,
        coalesce(
            street_types.standard_form,
            {{ cdp_identity.regexp_replace_all('present_words.word', '(strasse|str)$', 'str') }}
        ) as word
    from present_words
    left outer join house_numbers
        on present_words.street = house_numbers.street
            and present_words.word_position = house_numbers.word_position
    left outer join street_types
        on present_words.word = street_types.street_type
    where house_numbers.street is null
),

street_names as (
    select
        street,
        {{ dbt.listagg('word', "''", 'order by word_position') }} as street_name
    from name_words
    group by street
),

final as (
    select
        cleaned.street,
        house_number_words.word as street_number,
        nullif(street_names.street_name, '') as street_name
    from cleaned
    left outer join house_numbers
        on cleaned.street = house_numbers.street
    left outer join present_words as house_number_words
        on house_numbers.street = house_number_words.street
            and house_numbers.word_position = house_number_words.word_position
    left outer join street_names
        on cleaned.street = street_names.street
)

select * from final
