"""`cdp` command line: generate demo data, print a build summary (more commands join as stages land)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


def _cmd_generate(args: argparse.Namespace) -> int:
    from cdp.generator import generate

    stats = generate(
        out_dir=Path(args.out),
        people=args.people,
        seed=args.seed,
        as_of=dt.date.fromisoformat(args.as_of),
        progress=not args.quiet,
    )
    if not args.quiet:
        total = sum(stats["person_records"].values())
        print(f"generated {total:,} person-bearing records for {args.people:,} people in {args.out}")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    import duckdb

    from cdp.identity.matching import deterministic_labels, train

    con = duckdb.connect(args.database, read_only=True)
    try:
        records = con.sql(
            "select * from intermediate.int_identity_match_inputs order by identity_record_id"
        ).to_arrow_table()
        edges = con.sql(
            "select identity_record_id_l, identity_record_id_r from intermediate.int_identity_edges__deterministic"
        ).fetchall()
    except duckdb.CatalogException:
        print(f"{args.database} lacks the matching inputs: run `dbt build --select "
              "+int_identity_match_inputs +int_identity_edges__deterministic` first (`make train` does).")
        return 1
    finally:
        con.close()
    print(f"training the matching model on {records.num_rows:,} records ...", flush=True)
    labels = deterministic_labels(records.column("identity_record_id").to_pylist(), edges)
    model = train(records, labels, out_path=Path(args.out), max_pairs_for_u=args.max_pairs, seed=args.seed)
    prior = model["probability_two_random_records_match"]
    print(f"wrote {args.out} (prior match probability {prior:.3g}, {len(model['comparisons'])} comparisons); "
          "review the diff and commit it")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from cdp.bench import run

    run(args.generate_people, args.resolve_people, args.seed, Path(args.workdir), Path(args.out))
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from cdp.summary import print_summary

    return print_summary(Path(args.database))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write deterministic synthetic source data plus ground truth")
    gen.add_argument("--people", type=int, default=3000, help="number of real people behind the records")
    gen.add_argument("--seed", type=int, default=42, help="random seed: same seed, same files")
    gen.add_argument("--out", default="data", help="output folder: raw/<system>/<table>.parquet and truth/")
    gen.add_argument("--as-of", default="2026-11-01", help="the day the extracts were taken (YYYY-MM-DD)")
    gen.add_argument("--quiet", action="store_true", help="no progress output")
    gen.set_defaults(func=_cmd_generate)

    tr = sub.add_parser("train", help="estimate the matching model from the records in a built database")
    tr.add_argument("--database", default="data/cdp.duckdb")
    tr.add_argument("--out", default=str(Path(__file__).parent / "identity" / "splink_model.json"))
    tr.add_argument("--max-pairs", type=float, default=5e6, help="record pairs sampled to estimate u")
    tr.add_argument("--seed", type=int, default=1)
    tr.set_defaults(func=_cmd_train)

    bench = sub.add_parser("bench", help="time the generator and the identity layer; write BENCHMARKS.md")
    bench.add_argument("--generate-people", type=int, default=250_000, help="people for the generator timing")
    bench.add_argument("--resolve-people", type=int, default=24_000, help="people for the resolution run")
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument("--workdir", default="data/bench")
    bench.add_argument("--out", default="bench/results.json")
    bench.set_defaults(func=_cmd_bench)

    summ = sub.add_parser("summary", help="print a short summary of a built DuckDB database")
    summ.add_argument("--database", default="data/cdp.duckdb")
    summ.set_defaults(func=_cmd_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
