{#
    How the incremental models downstream of the identity graph stay equal to a full rebuild.

    int_identity_records__graph_tracked stamps each record with the run in which its place in the graph last
    changed (component, cluster, cut, unified ID, its own values, any edge touching it) or in which it left.
    Components are closed: a record's edges, cluster and unified ID all lie within its component. So a model whose
    rows are per record, per edge or per unified individual rebuilds every component holding a record stamped
    after the model's own latest `graph_changed_at`, replaces those rows (delete+insert on its key), and deletes
    the rows of records or individuals that left the graph (the post-hooks below).
#}

{#- The current records to rebuild: all of them on a full build; otherwise those of every component holding a
    record changed since this model last wrote. With `policy` (a hash of the vars the model applies), everything
    is rebuilt when any stored row was made under another policy (the model stores it as `policy_hash`). -#}
{% macro records_to_rebuild(policy=none) -%}
    {%- set graph = ref('int_identity_records__graph_tracked') %}
    select *
    from {{ graph }}
    where is_current
    {%- if is_incremental() %}
        and (
            component_key in (
                select changed.component_key
                from {{ graph }} as changed
                cross join (select max(graph_changed_at) as graph_changed_at from {{ this }}) as last_write
                where last_write.graph_changed_at is null
                    or changed.graph_changed_at > last_write.graph_changed_at
            )
            {%- if policy is not none %}
            or exists (select 1 from {{ this }} where policy_hash != '{{ policy }}')
            {%- endif %}
        )
    {%- endif %}
{%- endmacro %}

{#- Post-hook: delete the rows of records that left the graph. -#}
{% macro delete_records_gone_from_graph() -%}
    delete from {{ this }}
    where identity_record_id in (
        select identity_record_id from {{ ref('int_identity_records__graph_tracked') }} where not is_current
    )
{%- endmacro %}

{#- Post-hook: delete the rows of unified individuals no current record belongs to any more (retired IDs). -#}
{% macro delete_individuals_gone_from_graph() -%}
    delete from {{ this }}
    where unified_individual_id not in (
        select unified_individual_id from {{ ref('int_identity_records__graph_tracked') }} where is_current
    )
{%- endmacro %}

{#- Post-hook of int_identity_edges__deterministic: delete the edges of identifier groups whose fingerprint no
    current group has any more (the group changed, so its new fingerprint's edges were just inserted, or it is
    gone). -#}
{% macro delete_stale_deterministic_groups() -%}
    delete from {{ this }} using (
        select
            identifier_type as stale_type,
            identifier_value as stale_value,
            group_fingerprint as stale_fingerprint
        from {{ this }}
        except
        select
            identifier_type,
            identifier_value,
            {{ cdp_identity.deterministic_group_fingerprint('guarded') }}
        from {{ ref('int_identity_identifier_groups__guarded') }} as guarded
    ) as stale
    where identifier_type = stale.stale_type
        and identifier_value = stale.stale_value
        and group_fingerprint = stale.stale_fingerprint
{%- endmacro %}

{#- Post-hook of int_identity_edges__resolved: delete the edges no longer offered to the graph (an edge whose pair
    and method int_identity_edges__unioned no longer holds: its group changed, its pair dropped below the merge
    policy, its override was withdrawn). -#}
{% macro delete_edges_no_longer_offered() -%}
    delete from {{ this }} using (
        select
            identity_record_id_l as stale_l,
            identity_record_id_r as stale_r,
            match_method as stale_method
        from {{ this }}
        except
        select
            identity_record_id_l,
            identity_record_id_r,
            match_method
        from {{ ref('int_identity_edges__unioned') }}
    ) as stale
    where identity_record_id_l = stale.stale_l
        and identity_record_id_r = stale.stale_r
        and match_method = stale.stale_method
{%- endmacro %}
