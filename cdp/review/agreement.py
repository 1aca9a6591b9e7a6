"""Reviewer agreement: the decisions in force become labels, and each says whether the reviewer agreed with the
model's call on that pair. Per score band, the share of agreement says where the threshold policy is right and where
it is not (many force_link decisions just under the threshold: it is too high; force_separate above it: too low).

The model's call on a scored pair is the merge policy's: link when the match probability reaches the threshold and
the policy admits the pair (a record lacking a name needs an exact birth date, email or phone). A decision on a pair
the model never scored has no call to agree with: it is counted in the band 'unscored' and left out of the rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cdp.identity.matching import MERGE_POLICY_ADMITS_SQL
from cdp.project import BuiltDatabase
from cdp.review.desk import score_band


@dataclass(frozen=True)
class BandAgreement:
    band: str
    decisions: int
    links: int
    agreed: int | None  # None: no model call to agree with (unscored pairs)

    @property
    def rate(self) -> float | None:
        return None if self.agreed is None or not self.decisions else self.agreed / self.decisions


def agreement_by_band(decisions: Iterable[tuple[str, float | None, bool | None]],
                      threshold: float) -> list[BandAgreement]:
    """Decisions as (override action, match probability or None, whether the merge policy admits the pair) ->
    per score band: decisions, force_link decisions, and how many agreed with the model's call."""
    bands: dict[str, list[int | None]] = {}
    for action, probability, admitted in decisions:
        band = score_band(probability)
        counts = bands.setdefault(band, [0, 0, None if probability is None else 0])
        is_link = action == "force_link"
        counts[0] += 1
        counts[1] += int(is_link)
        if probability is not None:
            model_links = probability >= threshold and bool(admitted)
            counts[2] = (counts[2] or 0) + int(model_links == is_link)
    return [BandAgreement(band, n, links, agreed) for band, (n, links, agreed) in sorted(bands.items())]


def read_decisions(db: BuiltDatabase) -> list[tuple[Any, ...]]:
    """The overrides in force (int_identity_overrides__resolved, status applied) with the model's score of their
    pair (int_identity_edges__probabilistic), when it scored it."""
    if not (db.exists("int_identity_overrides__resolved") and db.exists("int_identity_edges__probabilistic")):
        return []
    pairs = db.table("int_identity_edges__probabilistic")
    columns = {row[0] for row in db.con.execute(f"describe {pairs}").fetchall()}
    current = "and pairs.is_current" if "is_current" in columns else ""
    admits = MERGE_POLICY_ADMITS_SQL.replace("is_partial_name", "pairs.is_partial_name").replace(
        "has_exact_identifier", "pairs.has_exact_identifier")
    return db.con.execute(f"""
        select overrides.override_action, pairs.match_probability, {admits} as is_admitted
        from {db.table('int_identity_overrides__resolved')} as overrides
        left outer join {pairs} as pairs
            on least(pairs.identity_record_id_l, pairs.identity_record_id_r) = overrides.identity_record_id_l
            and greatest(pairs.identity_record_id_l, pairs.identity_record_id_r) = overrides.identity_record_id_r
            {current}
        where overrides.override_status = 'applied'
        order by overrides.override_id""").fetchall()
