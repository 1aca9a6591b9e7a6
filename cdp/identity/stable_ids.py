"""Stable unified IDs across runs.

Rules (the promise made to systems that store the IDs, such as Marketing Cloud and the CRM):

- a cluster whose records carried one previous ID keeps it;
- merge: a cluster whose records carried several previous IDs keeps the oldest (earliest minted, then
  the smallest ID); the others are retired into it;
- split: when a previous ID's records now sit in several clusters, the part holding most of them keeps
  the ID (ties: the part with the smallest cluster key) and the other parts get new IDs;
- a cluster with no previous ID gets a new ID, derived from its members so that minting is deterministic,
  and never one that was ever used before (`taken`: IDs current or retired).

Every retirement and every ID minted out of a split is reported as a change.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Set
from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """One ID change: `old_id` merged into, or split off to, `new_id`."""

    old_id: str
    new_id: str
    change_type: str  # merge | split
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
