"""Synthetic multi-system source data with ground truth, for the identity layer's demo and tests.

``generate(out_dir, people, seed, as_of)`` writes one Parquet file per raw source table (the contract is
the dbt source YAML under ``models/staging``), the ground truth mapping every person-bearing record to
its person, the log of every record-level noise applied, and a people table for debugging.
See ``docs/synthetic_data.md``.
"""

from cdp.generator.core import generate

__all__ = ["generate"]
