"""Stable unified IDs: each run's clusters get the IDs of the previous run by the merge and split rules.

Incremental on purpose: the previous run's assignment is this model's own table. Every record the model
ever saw keeps a row (`is_current` false once the record is gone), and every retired ID keeps a tombstone row
(identity_record_id `~retired:<ID>`), so an ID is never issued twice. A run writes only the rows that change:
records new or back, records whose ID changed (with the ID before and the change type), records gone, and the
tombstones of the IDs it retired; the others keep their row, and `assigned_at` says when it was written.
Thin on purpose: the rules are `cdp.identity.stable_ids.assign_ids`, the same on both engines.
"""


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="identity_record_id", full_refresh=False)
    import datetime as dt

    import pyarrow as pa

    from cdp.identity.relations import query, read, result
    from cdp.identity.stable_ids import assign_ids

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    cluster_table = read(
        dbt.ref("int_identity_clusters"), pa.schema([("identity_record_id", pa.string()), ("cluster_key", pa.string())])
    )
    clusters = dict(zip(*(cluster_table.column(i).to_pylist() for i in range(2)), strict=True))

    previous_id_of: dict[str, str] = {}
    previous_minted_at: dict[str, str] = {}
    taken: set[str] = set()
    gone: list[tuple] = []
    if dbt.is_incremental:
        previous = query(session, f"select * from {dbt.this}", pa.schema([
            ("identity_record_id", pa.string()), ("unified_individual_id", pa.string()),
            ("unified_id_minted_at", pa.timestamp("us")), ("is_current", pa.bool_()),
        ]))
        rows = zip(*(previous.column(i).to_pylist() for i in range(4)), strict=True)
        for record, uid, minted_at, is_current in rows:
            taken.add(uid)
            previous_minted_at[uid] = min(previous_minted_at.get(uid, minted_at.isoformat()), minted_at.isoformat())
            if is_current:
                previous_id_of[record] = uid
                if record not in clusters:
                    gone.append((record, uid, minted_at))

    assignment = assign_ids(clusters, previous_id_of, previous_minted_at, now.isoformat(), taken)
    retired = sorted(set(previous_id_of.values()) - set(assignment.unified_id_of.values()))
    gone += [(f"~retired:{uid}", uid, dt.datetime.fromisoformat(previous_minted_at[uid])) for uid in retired]
    change_of: dict[tuple[str, str], str] = {(c.old_id, c.new_id): c.change_type for c in assignment.changes}

    records = [r for r in sorted(clusters) if previous_id_of.get(r) != assignment.unified_id_of[r]]
    ids = [assignment.unified_id_of[r] for r in records]
    previous = [previous_id_of.get(r) for r in records]
    current = {
        "identity_record_id": records,
        "unified_individual_id": ids,
        "unified_id_minted_at": [dt.datetime.fromisoformat(assignment.minted_at_of[u]) for u in ids],
        "previous_unified_individual_id": previous,
        "id_change_type": [
            change_of.get((p, u)) if p is not None and p != u else None for p, u in zip(previous, ids, strict=True)
        ],
        "is_current": [True] * len(records),
        "assigned_at": [now] * len(records),
    }
    for record, uid, minted_at in sorted(gone):
        current["identity_record_id"].append(record)
        current["unified_individual_id"].append(uid)
        current["unified_id_minted_at"].append(minted_at)
        current["previous_unified_individual_id"].append(previous_id_of.get(record, uid))
        current["id_change_type"].append(None)
        current["is_current"].append(False)
        current["assigned_at"].append(now)
    schema = pa.schema([
        ("identity_record_id", pa.string()),
        ("unified_individual_id", pa.string()),
        ("unified_id_minted_at", pa.timestamp("us")),
        ("previous_unified_individual_id", pa.string()),
        ("id_change_type", pa.string()),
        ("is_current", pa.bool_()),
        ("assigned_at", pa.timestamp("us")),
    ])
    return result(pa.table(current, schema=schema), session)
