"""Synthetic multi-system source data with ground truth, for the identity layer's demo and tests.

``generate(out_dir, people, seed, as_of)`` writes one Parquet file per raw source table (the contract is
the dbt source YAML under ``models/staging``), the ground truth mapping every person-bearing record to
its person, the log of every record-level noise applied, and a people table for debugging.
See ``docs/synthetic_data.md``.

People also behave in ways the predictive insights can learn (``cdp.generator.behaviour``): a latent commitment,
drawn from a random stream of its own, decides who lapses (no store order after a day in the last 18 months), how
a person's order dates crowd towards the present or the past, and which active club members below the top tier
upgrade one tier (more likely the more committed; 7 to 75 days after a certification when there is one, their orders
crowding before it). It changes dates and tiers only: identity records stay byte-identical.
"""

from cdp.generator.core import generate

__all__ = ["generate"]
