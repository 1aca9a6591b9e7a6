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
export DBT_PROFILES_DIR := $(CURDIR)
export CDP_RAW_DIR ?= $(CURDIR)/$(DATA)/raw
export CDP_DUCKDB_PATH ?= $(CURDIR)/$(DATA)/cdp.duckdb
export CDP_TRUTH_DIR ?= $(CURDIR)/$(DATA)/truth

DBT := $(BIN)/dbt

.PHONY: help demo test install data build train bench summary lint clean

help:
	@echo "make demo   - install pinned dependencies, generate demo data, build everything on DuckDB, print a summary"
	@echo "make test   - pytest, dbt build on fresh demo data (data + unit tests), sqlfluff and ruff"
	@echo "make data   - (re)generate the demo data only (PEOPLE=$(PEOPLE) SEED=$(SEED))"
	@echo "make build  - dbt build on the current data"
	@echo "make train  - re-estimate the matching model from the current data (review and commit the diff)"
	@echo "make bench  - time the generator (>=1M records) and the identity layer (~100k records); writes BENCHMARKS.md"
	@echo "make lint   - sqlfluff and ruff"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed profiles.yml

profiles.yml: profiles.example.yml
	cp -n profiles.example.yml profiles.yml || true
	touch profiles.yml

data: install
	$(BIN)/cdp generate --people $(PEOPLE) --seed $(SEED) --out $(DATA)

build: install
	$(DBT) build --fail-fast

# Retraining is governance: it rewrites cdp/identity/splink_model.json, a reviewed diff.
train: install
	$(DBT) build --select +int_identity_match_inputs +int_identity_edges__deterministic
	$(BIN)/cdp train --database $(CDP_DUCKDB_PATH)

bench: install
	$(BIN)/cdp bench

summary: install
	$(BIN)/cdp summary --database $(CDP_DUCKDB_PATH)

demo: data build summary

# make test: everything on fresh data, in its own folder so a demo database is never touched.
test: export CDP_RAW_DIR := $(CURDIR)/$(TEST_DATA)/raw
test: export CDP_DUCKDB_PATH := $(CURDIR)/$(TEST_DATA)/cdp.duckdb
test: export CDP_TRUTH_DIR := $(CURDIR)/$(TEST_DATA)/truth
test: install
	rm -rf $(TEST_DATA)
	$(BIN)/cdp generate --people $(PEOPLE) --seed $(SEED) --out $(TEST_DATA)
	$(DBT) build
	CDP_TEST_DATA=$(CURDIR)/$(TEST_DATA) $(BIN)/pytest
	$(MAKE) --no-print-directory lint

lint: install
	$(BIN)/sqlfluff lint models tests/dbt
	$(BIN)/ruff check cdp tests python_models

clean:
	rm -rf target logs $(DATA)
