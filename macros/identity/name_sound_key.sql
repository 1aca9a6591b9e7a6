{#-
    A Soundex-style key of a normalized name (lowercase, accents stripped), for blocking records whose names
    are spelled differently but sound alike (Muller and Mueller, Catherine and Cathrine): the first letter,
    then up to three digits coding the consonant sounds that follow (b f p v: 1; c g j k q s x z: 2; d t: 3;
    l: 4; m n: 5; r: 6), a run of the same code counted once, vowels and y only separating runs, h and w
    ignored, spaces and other characters dropped. Null for a name with no letter.
    Portable SQL (translate and regular expressions without backreferences): the same key on every engine.
-#}
{% macro name_sound_key(expr) -%}
    {%- set letters = cdp_identity.regexp_replace_all(expr, '[^a-z]') -%}
    {#- Every letter to its code (vowels and y: 0); h and w have no code and are dropped. -#}
    {%- set coded -%}
        translate({{ letters }}, 'aeiouybfpvcgjkqsxzdtlmnrhw', '000000111122222222334556')
    {%- endset -%}
    {%- set collapsed = namespace(sql=coded) -%}
    {%- for digit in range(0, 7) -%}
        {%- set collapsed.sql = cdp_identity.regexp_replace_all(collapsed.sql, digit ~ '+', digit) -%}
    {%- endfor -%}
    case
        when {{ letters }} != ''
            then left({{ letters }}, 1)
            || rpad(left(replace(substr({{ collapsed.sql }}, 2), '0', ''), 3), 3, '0')
    end
{%- endmacro %}
