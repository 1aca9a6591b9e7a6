"""Stable unified IDs across runs.

Rules (the promise made to systems that store the IDs, such as Marketing Cloud and the CRM):

- a cluster whose records carried one previous ID keeps it;
- merge: a cluster whose records carried several previous IDs keeps the oldest (earliest minted, then
  the smallest ID); the others are retired into it;
- split: when a previous ID's records now sit in several clusters, the part holding most of them keeps
  the ID (ties: the part with the smallest cluster key) and the other parts get new IDs;
- a cluster with no previous ID gets a new ID, derived from its members so that minting is deterministic,
  and never one that was ever used before (`taken`: IDs current or retired).

Every retirement and every ID minted out of a split is reported as a change: a merge names the ID that
survives; an ID whose records are all gone (deleted at the source, a system's feed removed, erased) is
`retired`, marked on the rows of its gone records, so that the change log says it ended.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Change:
    """One ID change: `old_id` merged into, or split off to, `new_id`."""

    old_id: str
    new_id: str
    change_type: str  # merge | split (retirements are marked by `id_updates`)
    records_moved: int


@dataclass
class Assignment:
    unified_id_of: dict[str, str]  # record -> unified ID
    minted_at_of: dict[str, str]  # unified ID -> when it was minted (ISO timestamp)
    changes: list[Change]


def mint_id(members: list[str], taken: Set[str] = frozenset()) -> str:
    """A new unified ID, derived from the cluster's member records, skipping any ID in `taken`."""
    seed = "\x1f".join(sorted(members))
    attempt = 0
    while True:
        salted = seed if attempt == 0 else f"{seed}\x1e{attempt}"
        uid = f"UI-{hashlib.sha256(salted.encode()).hexdigest()[:16]}"
        if uid not in taken:
            return uid
        attempt += 1


def assign_ids(
    cluster_of: Mapping[str, str],
    previous_id_of: Mapping[str, str],
    previous_minted_at: Mapping[str, str],
    now: str,
    taken: Set[str] = frozenset(),
) -> Assignment:
    """Assign unified IDs to the clusters in `cluster_of` (record -> cluster key), given the previous run's
    record -> ID map and ID -> minted-at map. `now` (ISO timestamp) is the minted-at of new IDs; `taken`
    holds every ID ever issued, which new IDs must avoid."""
    members: dict[str, list[str]] = defaultdict(list)
    for record, key in cluster_of.items():
        members[key].append(record)

    # Where did each previous ID's (surviving) records land?
    landing: dict[str, Counter[str]] = defaultdict(Counter)
    for record, key in cluster_of.items():
        old = previous_id_of.get(record)
        if old is not None:
            landing[old][key] += 1
    owner = {
        old: min(counts.items(), key=lambda item: (-item[1], item[0]))[0] for old, counts in landing.items()
    }
    claims: dict[str, list[str]] = defaultdict(list)
    for old, key in owner.items():
        claims[key].append(old)

    def age(uid: str) -> tuple[str, str]:
        return (previous_minted_at.get(uid, now), uid)

    used = set(taken) | set(previous_id_of.values())
    id_of_cluster: dict[str, str] = {}
    minted_at = {}
    changes: list[Change] = []
    for key in sorted(members):
        kept = sorted(claims.get(key, []), key=age)
        if kept:
            uid = kept[0]
            minted_at[uid] = previous_minted_at.get(uid, now)
            for retired in kept[1:]:
                changes.append(Change(retired, uid, "merge", landing[retired][key]))
        else:
            uid = mint_id(members[key], used)
            used.add(uid)
            minted_at[uid] = now
        id_of_cluster[key] = uid

    # Split-offs: records whose previous ID is kept by another cluster.
    for key in sorted(members):
        uid = id_of_cluster[key]
        for old, count in sorted(Counter(previous_id_of[r] for r in members[key] if r in previous_id_of).items()):
            if old != uid and owner[old] != key:
                changes.append(Change(old, uid, "split", count))

    unified_id_of = {record: id_of_cluster[key] for record, key in cluster_of.items()}
    changes.sort(key=lambda c: (c.change_type, c.old_id, c.new_id))
    return Assignment(unified_id_of=unified_id_of, minted_at_of=minted_at, changes=changes)


UPDATE_SCHEMA = pa.schema([
    ("identity_record_id", pa.string()),
    ("unified_individual_id", pa.string()),
    ("unified_id_minted_at", pa.timestamp("us")),
    ("previous_unified_individual_id", pa.string()),
    ("id_change_type", pa.string()),
    ("is_current", pa.bool_()),
    ("assigned_at", pa.timestamp("us")),
])
PREVIOUS_SCHEMA = pa.schema([
    ("identity_record_id", pa.string()),
    ("unified_individual_id", pa.string()),
    ("unified_id_minted_at", pa.timestamp("us")),
    ("is_current", pa.bool_()),
])


def _settled(clusters: pa.Table, current: pa.Table) -> pa.Table:
    """The clusters whose records are exactly the present records of one previous ID (cluster_key, ID): the
    rules give each its ID back with no change, so only the other clusters need the rules at all."""
    joined = clusters.join(current, "identity_record_id", join_type="left outer")
    per_cluster = joined.group_by("cluster_key").aggregate([
        ("identity_record_id", "count"), ("unified_individual_id", "count"),
        ("unified_individual_id", "count_distinct"), ("unified_individual_id", "min"),
    ])
    held = joined.filter(pc.is_valid(joined["unified_individual_id"])).group_by("unified_individual_id").aggregate(
        [("identity_record_id", "count")]).rename_columns({"identity_record_id_count": "present_count"})
    per_cluster = per_cluster.rename_columns({
        "identity_record_id_count": "records", "unified_individual_id_count": "with_id",
        "unified_individual_id_count_distinct": "distinct_ids", "unified_individual_id_min": "unified_individual_id",
    }).join(held, "unified_individual_id", join_type="left outer")
    whole = pc.and_(
        pc.and_(pc.equal(per_cluster["with_id"], per_cluster["records"]), pc.equal(per_cluster["distinct_ids"], 1)),
        pc.equal(per_cluster["present_count"], per_cluster["records"]),
    )
    return per_cluster.filter(pc.fill_null(whole, False)).select(["cluster_key", "unified_individual_id"])


def id_updates(clusters: pa.Table, previous: pa.Table | None, now: datetime) -> pa.Table:
    """The rows the unified-ID table must write this run (`UPDATE_SCHEMA`), by the rules of `assign_ids`.

    `clusters` holds (identity_record_id, cluster_key) for every present record; `previous` is the table as the
    last run left it (`PREVIOUS_SCHEMA`: every record ever seen, `is_current` false once gone, plus the
    `~retired:<ID>` tombstones), or None on the first run. Rows: records new or back, records whose ID changed
    (with the ID before and the change type), records gone (change type `retired` when their ID ended with them),
    and the tombstones of IDs retired now.

    Vectorized first: a cluster that is exactly the present records of one previous ID keeps it untouched, so
    only the other clusters (and the previous IDs their records held, which no settled cluster shares) go through
    `assign_ids`; that gives the same IDs as running the rules over everything."""
    clusters = clusters.select(["identity_record_id", "cluster_key"])
    if previous is None:
        previous = PREVIOUS_SCHEMA.empty_table()
    previous = previous.select(PREVIOUS_SCHEMA.names).cast(PREVIOUS_SCHEMA)
    current = previous.filter(previous["is_current"]).select(["identity_record_id", "unified_individual_id"])
    settled = _settled(clusters, current)
    open_records = clusters.filter(pc.invert(pc.is_in(clusters["cluster_key"], value_set=settled["cluster_key"])))
    open_records = open_records.join(current, "identity_record_id", join_type="left outer")

    open_ids = open_records["identity_record_id"].to_pylist()
    cluster_of = dict(zip(open_ids, open_records["cluster_key"].to_pylist(), strict=True))
    previous_id_of = {record: uid for record, uid in zip(open_ids, open_records["unified_individual_id"].to_pylist(),
                                                         strict=True) if uid is not None}
    gone = previous.filter(pc.and_(previous["is_current"], pc.invert(
        pc.is_in(previous["identity_record_id"], value_set=clusters["identity_record_id"]))))
    # The minted-at of the IDs the rules may keep or retire: those the open and the gone records held.
    involved = pa.concat_arrays([open_records["unified_individual_id"].combine_chunks(),
                                 gone["unified_individual_id"].combine_chunks()])
    first_minted = previous.filter(pc.is_in(previous["unified_individual_id"], value_set=involved)).group_by(
        "unified_individual_id").aggregate([("unified_id_minted_at", "min")])
    minted_of = dict(zip(first_minted["unified_individual_id"].to_pylist(),
                         (t.isoformat() for t in first_minted["unified_id_minted_at_min"].to_pylist()), strict=True))
    stamp = now.isoformat()
    taken = set(pc.unique(previous["unified_individual_id"]).to_pylist())
    assignment = assign_ids(cluster_of, previous_id_of, minted_of, stamp, taken=taken)
    change_of = {(c.old_id, c.new_id): c.change_type for c in assignment.changes}

    rows: dict[str, list] = {name: [] for name in UPDATE_SCHEMA.names}

    def add(record: str, uid: str, minted_at: str, before: str | None, change: str | None, is_current: bool) -> None:
        for name, value in zip(UPDATE_SCHEMA.names, (record, uid, datetime.fromisoformat(minted_at), before, change,
                                                     is_current, now), strict=True):
            rows[name].append(value)

    for record in sorted(cluster_of):
        before, uid = previous_id_of.get(record), assignment.unified_id_of[record]
        if before != uid:
            change = change_of.get((before, uid)) if before is not None else None
            add(record, uid, assignment.minted_at_of[uid], before, change, True)
    # An ID is retired when no cluster keeps it: only an ID of an open or a gone record can be. One merged into
    # another is logged as that merge; one that no cluster holds any record of any more ended with its records.
    kept = set(assignment.unified_id_of.values()) | set(settled["unified_individual_id"].to_pylist())
    merged = {c.old_id for c in assignment.changes if c.change_type == "merge"}
    ended = set(minted_of) - kept - merged
    for record, uid, minted_at in sorted(zip(*(gone[name].to_pylist() for name in PREVIOUS_SCHEMA.names[:3]),
                                             strict=True)):
        add(record, uid, minted_at.isoformat(), uid, "retired" if uid in ended else None, False)
    for uid in sorted(set(minted_of) - kept):
        add(f"~retired:{uid}", uid, minted_of[uid], uid, None, False)
    return pa.table(rows, schema=UPDATE_SCHEMA)
