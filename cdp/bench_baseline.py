"""The benchmark's baseline: the project's matching as a plain Splink script, no dbt.

Usage: python -m cdp.bench_baseline MATCH_INPUTS.parquet OUT.json
Same trained model, blocking rules and threshold as the int_identity_edges__probabilistic model. The job is what
a script doing that model's work without dbt would do: import Splink, read the matching inputs, score the
candidate pairs, and store the pairs kept as a table in a DuckDB database file (OUT.duckdb). Writes the time of
the whole job, the time of Splink's predict alone, the pairs kept and the candidate pairs the blocking rules
generate.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REVIEW_BAND_LOWER_PROBABILITY = 0.2


def main(inputs: str, out: str) -> None:
    start = time.perf_counter()
    import duckdb
    import pyarrow.parquet as pq
    from splink import DuckDBAPI, Linker
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from cdp.identity.matching import load_model, prediction_blocking_rules

    records = pq.read_table(inputs)
    database = Path(out).with_suffix(".duckdb")
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register(records), load_model(record_count=records.num_rows))
    predict_start = time.perf_counter()
    kept = linker.inference.predict(threshold_match_probability=REVIEW_BAND_LOWER_PROBABILITY)
    predict_seconds = time.perf_counter() - predict_start
    con.execute(f"create table probabilistic_pairs as select * from {kept.physical_name}")
    kept_count = con.execute("select count(*) from probabilistic_pairs").fetchone()[0]
    job_seconds = time.perf_counter() - start
    counts = count_comparisons_from_blocking_rules(
        db_api.register(records, dataset_display_name="blocking_analysis_inputs"),
        blocking_rules=prediction_blocking_rules(), link_type="dedupe_only",
        unique_id_column_name="identity_record_id", record_sample_proportion=1.0,
    )
    candidate_pairs = counts[-1]["cumulative_comparison_count"]
    con.close()
    with open(out, "w") as handle:
        json.dump({"records": records.num_rows, "job_seconds": round(job_seconds, 2),
                   "predict_seconds": round(predict_seconds, 2), "pairs_kept": kept_count,
                   "candidate_pairs": candidate_pairs}, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
