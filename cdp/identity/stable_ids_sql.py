"""Stable unified IDs in the warehouse: `cdp.identity.stable_ids.id_updates` as set-based SQL.

The rules are those of `stable_ids.assign_ids` (the reference and test oracle), applied to every cluster at once:

- each previous ID is owned by the cluster holding most of its present records (ties: the smallest cluster key);
- a cluster owning previous IDs keeps the oldest (earliest minted, then the smallest ID); the others it owns are
  merged into it;
- a record whose previous ID is owned by another cluster was split off (change type `split`);
- a cluster owning none gets a new ID, `UI-` and the first 16 hex digits of the SHA-256 of its sorted member records
  joined by U+001F (as `stable_ids.mint_id`). If that ID was ever issued (any ID in the previous table, current or
  retired), the salted seeds `<seed> U+001E <attempt>` are tried in order, up to `MINT_ATTEMPTS`; beyond that, or if
  two clusters of one run were to mint the same ID, the run fails with an error rather than reuse an ID.

Rows written, as `id_updates` writes them: present records whose ID changed or that are new or back; previous current
records gone now (change type `retired` when their ID ended with them, that is no cluster keeps it and it was not
merged); and a tombstone row `~retired:<ID>` for every ID no cluster keeps any more.
"""

from __future__ import annotations

from datetime import datetime

from cdp.identity.stable_ids import PREVIOUS_SCHEMA
from cdp.identity.warehouse import Warehouse

PREFIX = "cdp_unified_ids__"
TABLES = ("previous", "members", "owners", "minted_of", "kept", "candidates", "minted", "assigned")
# How many seeds (the plain one, then salted ones) minting tries before it fails.
MINT_ATTEMPTS = 8


class MintError(RuntimeError):
    """No new unified ID could be minted without reusing one."""


def _t(name: str) -> str:
    return PREFIX + name


def id_updates_in_warehouse(warehouse: Warehouse, clusters_sql: str, previous_sql: str | None, now: datetime) -> str:
    """The SQL of the rows the unified-ID table must write this run (`stable_ids.UPDATE_SCHEMA`), computed in the
    warehouse. `clusters_sql` gives (identity_record_id, cluster_key) for every present record; `previous_sql` the
    table as the last run left it (`PREVIOUS_SCHEMA`), or None on the first run."""
    timestamp = warehouse.type_name(PREVIOUS_SCHEMA.field("unified_id_minted_at").type)
    stamp = f"cast('{now.isoformat(sep=' ')}' as {timestamp})"
    if previous_sql is None:
        previous_sql = "select " + ", ".join(
            f"cast(null as {warehouse.type_name(field.type)}) as {field.name}" for field in PREVIOUS_SCHEMA
        ) + " where 1 = 0"
    columns = ", ".join(PREVIOUS_SCHEMA.names)
    warehouse.temporary(_t("previous"), f"select {columns} from ({previous_sql}) as previous_run")
    # Present records with their cluster and the ID they held (null: new, or back after being gone).
    warehouse.temporary(_t("members"), f"""
        select clusters.identity_record_id, clusters.cluster_key, current_ids.unified_individual_id as previous_id
        from (select identity_record_id, cluster_key from ({clusters_sql}) as cluster_rows) as clusters
        left join {_t('previous')} as current_ids
            on current_ids.identity_record_id = clusters.identity_record_id and current_ids.is_current""")
    # Each previous ID's owner: the cluster holding most of its present records (ties: smallest cluster key).
    warehouse.temporary(_t("owners"), f"""
        select previous_id, cluster_key, records_moved
        from (
            select previous_id, cluster_key, records_moved,
                   row_number() over (partition by previous_id order by records_moved desc, cluster_key) as rank_in_id
            from (
                select previous_id, cluster_key, count(*) as records_moved from {_t('members')}
                where previous_id is not null group by previous_id, cluster_key
            ) as landing
        ) as ranked
        where rank_in_id = 1""")
    warehouse.temporary(_t("minted_of"), f"""
        select unified_individual_id, min(unified_id_minted_at) as unified_id_minted_at
        from {_t('previous')} group by unified_individual_id""")
    # Each cluster's claims in age order: the first is kept, the others merge into it.
    warehouse.temporary(_t("kept"), f"""
        select owners.cluster_key, owners.previous_id, owners.records_moved, minted_of.unified_id_minted_at,
               row_number() over (partition by owners.cluster_key
                                  order by minted_of.unified_id_minted_at, owners.previous_id) as age_rank
        from {_t('owners')} as owners
        inner join {_t('minted_of')} as minted_of on minted_of.unified_individual_id = owners.previous_id""")
    # New IDs for the clusters that own none: the first seed whose ID was never issued.
    seed = warehouse.ordered_concat("identity_record_id", "chr(31)")
    attempts = " union all ".join(f"select {attempt} as attempt" for attempt in range(MINT_ATTEMPTS))
    salted = "case when attempts.attempt = 0 then seeds.seed else seeds.seed || chr(30) || " \
             "cast(attempts.attempt as varchar) end"
    warehouse.temporary(_t("candidates"), f"""
        select seeds.cluster_key, attempts.attempt, 'UI-' || substr({warehouse.sha256_hex(salted)}, 1, 16) as uid
        from (
            select cluster_key, {seed} as seed from {_t('members')}
            where cluster_key not in (select cluster_key from {_t('kept')})
            group by cluster_key
        ) as seeds
        cross join ({attempts}) as attempts""")
    warehouse.temporary(_t("minted"), f"""
        select cluster_key, uid
        from (
            select cluster_key, uid, row_number() over (partition by cluster_key order by attempt) as free_rank
            from {_t('candidates')}
            where uid not in (select unified_individual_id from {_t('minted_of')})
        ) as free
        where free_rank = 1""")
    unminted, duplicated = warehouse.rows(f"""
        select
            (select count(distinct cluster_key) from {_t('candidates')})
                - (select count(*) from {_t('minted')}),
            (select count(*) - count(distinct uid) from {_t('minted')})""")[0]
    if unminted:
        raise MintError(f"{unminted} new cluster(s) found every one of {MINT_ATTEMPTS} seeds taken by an ID issued "
                        "before; no new unified ID was written (raise MINT_ATTEMPTS in cdp/identity/stable_ids_sql.py)")
    if duplicated:
        raise MintError(f"{duplicated} new unified ID(s) were minted for two clusters of this run (a SHA-256 prefix "
                        "collision); no new unified ID was written")
    # Every cluster's ID and when it was minted.
    warehouse.temporary(_t("assigned"), f"""
        select cluster_key, previous_id as uid, unified_id_minted_at from {_t('kept')} where age_rank = 1
        union all
        select cluster_key, uid, {stamp} as unified_id_minted_at from {_t('minted')}""")
    return f"""
        select
            members.identity_record_id, assigned.uid as unified_individual_id, assigned.unified_id_minted_at,
            members.previous_id as previous_unified_individual_id,
            case
                when members.previous_id is null then null
                when owners.cluster_key = members.cluster_key then 'merge'
                else 'split'
            end as id_change_type,
            true as is_current, {stamp} as assigned_at
        from {_t('members')} as members
        inner join {_t('assigned')} as assigned on assigned.cluster_key = members.cluster_key
        left join {_t('owners')} as owners on owners.previous_id = members.previous_id
        where members.previous_id is null or members.previous_id <> assigned.uid
        union all
        select
            gone.identity_record_id, gone.unified_individual_id, gone.unified_id_minted_at,
            gone.unified_individual_id as previous_unified_individual_id,
            case
                when gone.unified_individual_id not in (select uid from {_t('assigned')})
                     and gone.unified_individual_id not in (select previous_id from {_t('kept')} where age_rank > 1)
                    then 'retired'
            end as id_change_type,
            false as is_current, {stamp} as assigned_at
        from {_t('previous')} as gone
        where gone.is_current
            and gone.identity_record_id not in (select identity_record_id from {_t('members')})
        union all
        select
            '~retired:' || held.unified_individual_id as identity_record_id, held.unified_individual_id,
            minted_of.unified_id_minted_at, held.unified_individual_id as previous_unified_individual_id,
            cast(null as varchar) as id_change_type, false as is_current, {stamp} as assigned_at
        from (select distinct unified_individual_id from {_t('previous')} where is_current) as held
        inner join {_t('minted_of')} as minted_of on minted_of.unified_individual_id = held.unified_individual_id
        where held.unified_individual_id not in (select uid from {_t('assigned')})"""


def drop_id_tables(warehouse: Warehouse) -> None:
    warehouse.drop(*(_t(name) for name in TABLES))
