"""The benchmark's baseline: the project's matching as a plain Splink script, no dbt.

Usage: python -m cdp.bench_baseline MATCH_INPUTS.parquet OUT.json
Same trained model, blocking rules and threshold as the int_identity_edges__probabilistic model; writes the time
of Splink's predict, the pairs kept and the candidate pairs the blocking rules generate.
"""

from __future__ import annotations

import json
import sys
import time

import duckdb
import pyarrow.parquet as pq
from splink import DuckDBAPI, Linker
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from cdp.identity.matching import load_model, prediction_blocking_rules

REVIEW_BAND_LOWER_PROBABILITY = 0.2


def main(inputs: str, out: str) -> None:
    records = pq.read_table(inputs)
    start = time.perf_counter()
    db_api = DuckDBAPI(connection=duckdb.connect())
    model = load_model(record_count=records.num_rows)
    linker = Linker(db_api.register(records), model)
    kept = linker.inference.predict(threshold_match_probability=REVIEW_BAND_LOWER_PROBABILITY).as_duckdbpyrelation()
    kept_count = kept.count("*").fetchone()[0]
    predict_seconds = time.perf_counter() - start
    counts = count_comparisons_from_blocking_rules(
        db_api.register(records, dataset_display_name="blocking_analysis_inputs"),
        blocking_rules=prediction_blocking_rules(), link_type="dedupe_only",
        unique_id_column_name="identity_record_id", record_sample_proportion=1.0,
    )
    candidate_pairs = counts[-1]["cumulative_comparison_count"]
    with open(out, "w") as handle:
        json.dump({"records": records.num_rows, "predict_seconds": round(predict_seconds, 2),
                   "pairs_kept": kept_count, "candidate_pairs": candidate_pairs}, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
