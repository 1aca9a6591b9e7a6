{#-
    The key a deletion tombstone keeps instead of the value itself: the SHA-256 (hex) of '<key type>:<value>'
    ('record:salesforce:003A', 'email:anna@example.org'). Values are normalized before they are hashed (the same
    normalizers as every staging model), so a record carrying a tombstoned value hashes to the same key; the
    tombstone table holds no readable identifier.
-#}
{% macro tombstone_hash(key_type, key_value) -%}
    {{ return(adapter.dispatch('tombstone_hash', 'cdp_identity')(key_type, key_value)) }}
{%- endmacro %}

{% macro default__tombstone_hash(key_type, key_value) -%}
    lower(sha2({{ key_type }} || ':' || {{ key_value }}, 256))
{%- endmacro %}

{% macro duckdb__tombstone_hash(key_type, key_value) -%}
    sha256({{ key_type }} || ':' || {{ key_value }})
{%- endmacro %}
