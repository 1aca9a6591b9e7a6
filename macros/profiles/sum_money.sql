{#-
    SQL: the sum of a money amount, exact and independent of the order rows arrive in. Amounts are staged as doubles,
    and a sum of doubles depends on that order: the same two purchases could total 2158.53 in one run and
    2158.5299999999997 in the next, after an incremental model rewrote some rows. Summed as decimals (four places,
    enough for every currency's minor unit) and returned as a double, the staged type.
-#}
{% macro sum_money(amount) -%}
    cast(sum(cast({{ amount }} as decimal(18, 4))) as double)
{%- endmacro %}
