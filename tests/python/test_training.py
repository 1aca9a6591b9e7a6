"""Training on data it has never seen: EM without labels, labels as a check, neutral levels where there is no
evidence, provenance per level; the model-health checks; blocking recall against a known truth."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import logging
import math
import random
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pyarrow as pa
import pytest

from cdp.identity.evaluation import BLOCKING_SCHEMA, blocking_recall
from cdp.identity.health import HEALTH_SCHEMA, check
from cdp.identity.matching import INPUT_SCHEMA, PRIOR_PER_RECORD_KEY, TRAINING_KEY, load_model, model_bytes, predict
from cdp.identity.training import TrainingOptions, deterministic_labels, train
from cdp.identity.warehouse import Warehouse

MODELS = Path(__file__).resolve().parents[2] / "python_models" / "intermediate" / "identity"

FIRST = ["anna", "ben", "carla", "dmitri", "elena", "felix", "grace", "hugo", "ines", "jonas", "karin", "liam",
         "mara", "nils", "olga", "pavel", "quinn", "rosa", "sven", "tanja", "ulla", "viktor", "wanda", "yusuf"]
LAST = ["adler", "brandt", "costa", "dietz", "eriksen", "fuchs", "gallo", "haas", "iversen", "jansen", "keller",
        "lange", "moreau", "nowak", "olsen", "peters", "quast", "richter", "sauer", "thiel", "urban", "vogel",
        "weber", "zimmer", "albrecht", "berger", "conrad", "dorn", "engel", "frey"]


def _typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(len(name))
    return name[:i] + rng.choice("aeiourstln") + name[i + 1:]


def _world(people: int, seed: int, with_email: bool) -> tuple[pa.Table, list[str]]:
    """Matching inputs of `people` people, one to three records each, with typos, a mistyped or missing birth
    date, a move; emails only `with_email`. Returns the records and each record's person."""
    rng = random.Random(seed)
    rows, person_of = [], []
    for p in range(people):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(50 * 365))
        postal, number = f"{rng.randrange(1000, 9999)}", str(rng.randrange(1, 200))
        for r in range(rng.choice([1, 2, 2, 3])):
            f = _typo(first, rng) if rng.random() < 0.1 else first
            la = _typo(last, rng) if rng.random() < 0.1 else last
            dob = None if rng.random() < 0.1 else born
            if dob and rng.random() < 0.05:
                dob = dob.replace(year=dob.year + 1) if dob.month != 2 else dob
            moved = rng.random() < 0.1
            rows.append({
                "identity_record_id": f"crm:{p}-{r}", "first_name": f, "first_name_key": f, "first_name_variants": [f],
                "last_name": la, "full_name": f"{f} {la}", "first_initial": f[:1], "first_name_sound": None,
                "last_name_sound": None,
                "date_of_birth": dob, "email": f"{first}.{last}{p}@example.com" if with_email else None,
                "phone": None, "street_number": None if moved else number,
                "street_name": None if moved else "mainst", "postal_code": f"{rng.randrange(1000, 9999)}" if moved
                else postal, "city": None,
                **dict.fromkeys((c for c in INPUT_SCHEMA.names if c.endswith("_block")), None),
            })
            person_of.append(str(p))
    return pa.Table.from_pylist(rows, schema=INPUT_SCHEMA), person_of


@pytest.fixture(scope="module")
def unlabelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[pa.Table, list[str], dict, Path]:
    records, person = _world(600, 3, with_email=False)
    path = tmp_path_factory.mktemp("model") / "model.json"
    model = train(records, None, out_path=path, options=TrainingOptions(max_pairs_for_u=1e6))
    return records, person, model, path


def _levels(model: dict) -> dict[tuple[str, str], dict]:
    return {(level["comparison"], level["level"]): level for level in model[TRAINING_KEY]["levels"]}


def test_training_without_labels_estimates_m_by_em(unlabelled: tuple) -> None:
    _, _, model, _ = unlabelled
    levels = _levels(model)
    assert levels["full_name", "Exact match on full_name"]["m_source"] == "em"
    assert levels["date_of_birth", "Exact match on date_of_birth"]["m_source"] == "em"
    assert levels["address", "same street address and place"]["m_source"] == "em"
    assert model[TRAINING_KEY]["labels"] == {"labelled_pairs": 0, "used": False}
    sessions = {tuple(s["blocking_keys"]): s for s in model[TRAINING_KEY]["em_sessions"]}
    assert sessions["date_of_birth",]["status"] == "estimated"
    # Every level says how many matching pairs its m rests on.
    assert all(level["matching_pairs"] > 10 for level in levels.values() if level["m_source"] == "em")


def test_a_comparison_empty_in_training_stays_neutral(unlabelled: tuple) -> None:
    _, _, model, _ = unlabelled
    for (comparison, _), level in _levels(model).items():
        if comparison in ("email", "phone"):
            assert level["m_source"] == "default" and level["match_weight"] == 0
    for comparison in model["comparisons"]:
        if comparison["output_column_name"] in ("email", "phone"):
            for level in comparison["comparison_levels"]:
                if not level.get("is_null_level"):
                    assert level["m_probability"] == level["u_probability"]


def test_no_level_gets_a_penalty_without_evidence(unlabelled: tuple) -> None:
    """A level never seen among N matching pairs gets m = 0.5 / (N + K / 2), never a floor that vetoes a match."""
    _, _, model, _ = unlabelled
    for level in _levels(model).values():
        if level["m_source"] == "em":
            assert level["m"] >= 0.5 / (level["matching_pairs"] + 20)
            assert level["match_weight"] > math.log2(0.5 / (level["matching_pairs"] + 20) / level["u"]) - 1e-6


def test_the_prior_is_close_to_the_truth(unlabelled: tuple) -> None:
    records, person, model, _ = unlabelled
    n = records.num_rows
    true_pairs = sum(c * (c - 1) // 2 for c in __import__("collections").Counter(person).values())
    truth_per_record = 2 * true_pairs / n
    assert model[TRAINING_KEY]["prior"]["method"] == "deterministic rules"
    assert truth_per_record / 2 < model[PRIOR_PER_RECORD_KEY] < truth_per_record * 2


def test_the_trained_model_scores_without_untrained_parameters(unlabelled: tuple,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    records, person, _, path = unlabelled
    with caplog.at_level(logging.WARNING):
        pairs = predict(records, 0.5, model_path=path)
    assert not [r for r in caplog.records if "not trained" in r.getMessage() or "untrained" in r.getMessage()]
    settings = load_model(path, records.num_rows)
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert isinstance(level["m_probability"], float) and isinstance(level["u_probability"], float)
    ids = records.column("identity_record_id").to_pylist()
    of = dict(zip(ids, person, strict=True))
    kept = pairs.to_pylist()
    precision = sum(of[p["identity_record_id_l"]] == of[p["identity_record_id_r"]] for p in kept) / len(kept)
    assert precision > 0.95


def test_labels_start_em_and_are_kept_as_a_check(tmp_path: Path) -> None:
    records, person = _world(400, 5, with_email=True)
    ids = records.column("identity_record_id").to_pylist()
    # Exact identifiers join the records of every other person.
    edges = [(a, b) for a, b in zip(ids, ids[1:], strict=False)
             if person[ids.index(a)] == person[ids.index(b)] and int(person[ids.index(a)]) % 2 == 0]
    labels = deterministic_labels(ids, edges)
    model = train(records, labels, out_path=tmp_path / "model.json", options=TrainingOptions(max_pairs_for_u=1e6))
    training = model[TRAINING_KEY]
    assert training["labels"]["used"] and training["labels"]["labelled_pairs"] >= 100
    exact = _levels(model)["full_name", "Exact match on full_name"]
    assert exact["m_source"] == "em" and "m_from_labels" in exact and "labels_disagree" in exact
    # The email is where the labels come from: no label estimate is kept for it.
    assert "m_from_labels" not in _levels(model)["email", "Exact match on email"]
    assert json.loads((tmp_path / "model.json").read_text())[TRAINING_KEY]["records"] == records.num_rows


def _check(records: pa.Table, pairs: pa.Table, model: dict, warehouse: type[Warehouse] = Warehouse) -> list[dict]:
    """The health rows of `records` and `pairs`, counted in an in-memory DuckDB as a model's session."""
    con = duckdb.connect()
    con.register("records", records)
    con.register("pairs", pairs)
    return check(warehouse(con), "select * from records", "select explanation from pairs", model).to_pylist()


def test_health_warns_on_a_model_that_does_not_fit(unlabelled: tuple) -> None:
    records, _, model, _ = unlabelled
    no_pairs = pa.table({"explanation": pa.array([], pa.string())})
    fits = _check(records, no_pairs, model)
    assert not [row for row in fits if row["status"] == "warn"], fits
    # The same model on records that now carry emails it never saw: the comparison is neutral in the model.
    with_email, _ = _world(600, 3, with_email=True)
    neutral = [row for row in _check(with_email, no_pairs, model) if row["status"] == "warn"]
    assert [row["check_name"] for row in neutral] == ["comparison_neutral_here"]
    assert neutral[0]["comparison_name"] == "email"
    # A model that weighs the date of birth, on records without one.
    bare = records.set_column(records.schema.get_field_index("date_of_birth"), "date_of_birth",
                              pa.nulls(records.num_rows, pa.date32()))
    warned = {(row["check_name"], row["comparison_name"]) for row in _check(bare, no_pairs, model)
              if row["status"] == "warn"}
    assert warned == {("comparison_empty_here", "date_of_birth")}
    # A model expecting ten times the duplicates these records have.
    skewed = {**model, PRIOR_PER_RECORD_KEY: model[PRIOR_PER_RECORD_KEY] * 10}
    prior = next(row for row in _check(records, no_pairs, skewed) if row["check_name"] == "prior")
    assert prior["status"] == "warn" and prior["expected_value"] > 5 * prior["observed_value"]


def test_health_counts_pairs_on_default_levels(unlabelled: tuple) -> None:
    records, _, model, _ = unlabelled
    on_default = json.dumps({"email": {"level": "Exact match on email", "match_weight": 0.0}})
    elsewhere = json.dumps({"email": {"level": "email is NULL", "match_weight": 0.0}})
    pairs = pa.table({"explanation": [on_default] * 2 + [elsewhere] * 8})
    rows = _check(records, pairs, model)
    share = next(row for row in rows if row["check_name"] == "pairs_on_default_levels" and row["level_label"] is None)
    assert share["observed_value"] == pytest.approx(0.2) and share["status"] == "warn"


class _CountsOnly(Warehouse):
    """A warehouse that records every statement and fails one that brings back more than a row of counts."""

    def __init__(self, session: object) -> None:
        super().__init__(session)
        self.statements: list[str] = []

    def rows(self, sql: str) -> list[tuple]:
        self.statements.append(sql)
        rows = super().rows(sql)
        assert len(rows) == 1 and all(isinstance(value, int | float) for value in rows[0]), (sql, rows)
        return rows

    def arrow(self, sql: str, schema: pa.Schema) -> pa.Table:
        raise AssertionError(f"the health check read a table: {sql}")


def test_health_brings_back_only_counts(unlabelled: tuple) -> None:
    """Every check is counted in the warehouse: each statement returns one row of numbers, whatever the size of the
    records and pairs."""
    records, _, model, _ = unlabelled
    default = next(level for level in model[TRAINING_KEY]["levels"] if level["m_source"] == "default")
    on_default = json.dumps({default["comparison"]: {"level": default["level"], "match_weight": 0.0}})
    pairs = pa.table({"explanation": [on_default] * 3 + [json.dumps({})] * 5})
    counted = _check(records, pairs, model, _CountsOnly)
    assert counted == _check(records, pairs, model)
    hits = [row for row in counted if row["check_name"] == "pairs_on_default_levels" and row["level_label"]]
    assert [(row["comparison_name"], row["level_label"], row["observed_value"]) for row in hits] == [
        (default["comparison"], default["level"], 3.0)]


def _model_file(name: str, refs: dict[str, object], session: object) -> pa.Table:
    """The Python model `name`'s own code, run as dbt-duckdb runs it, with `refs` as its dbt.ref relations."""
    class Config:
        def __call__(self, **_settings: object) -> None:
            pass

        def meta_get(self, key: str) -> str:
            return ""  # matching_model_path: the committed model

    dbt = SimpleNamespace(config=Config(), ref=lambda model: refs[model])
    spec = importlib.util.spec_from_file_location(name, MODELS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.model(dbt, session)


class _QueryOnly:
    """A relation whose rows the model must not read: only its SQL, to run in the warehouse."""

    def __init__(self, sql: str) -> None:
        self.sql = sql

    def sql_query(self) -> str:
        return self.sql


class _Unreadable:
    """A relation the model must not touch at all."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"read a relation it does not need ({name})")


def test_the_health_model_reads_neither_records_nor_pairs(unlabelled: tuple) -> None:
    records, _, _, _ = unlabelled
    explanation = json.dumps({"email": {"level": "email is NULL", "match_weight": 0.0}})
    con = duckdb.connect()
    con.register("records", records)
    con.register("edges", pa.table({"explanation": [explanation] * 3, "is_current": [True, True, False]}))
    returned = _model_file("int_identity_model_health", {
        "int_identity_match_inputs": _QueryOnly("select * from records"),
        "int_identity_edges__probabilistic": _QueryOnly("select * from edges")}, con)
    assert returned.schema == HEALTH_SCHEMA
    model = json.loads(model_bytes(None))
    assert returned.to_pylist() == _check(records, pa.table({"explanation": [explanation] * 2}), model)


def test_blocking_recall_without_truth_reads_no_inputs() -> None:
    con = duckdb.connect()
    no_truth = con.sql("select 'r' as identity_record_id, 'p' as person_id where false")
    returned = _model_file("int_identity_blocking_recall", {
        "stg_evaluation__truth_records": no_truth, "int_identity_match_inputs": _Unreadable(),
        "int_identity_edges__deterministic": _Unreadable()}, con)
    assert returned.schema == BLOCKING_SCHEMA and returned.to_pylist() == [dict.fromkeys(BLOCKING_SCHEMA.names)]


def test_blocking_recall_counts_direct_and_reachable_true_pairs() -> None:
    records, _ = _world(1, 1, with_email=False)
    base = records.to_pylist()[0]

    def record(rid: str, **values: object) -> dict:
        return {**base, "identity_record_id": rid, **values}

    rows = [  # a and b share a birth date and postal code; c shares nothing with them; d is not a matching input
        record("a", date_of_birth=dt.date(1980, 1, 1), postal_code="1000", first_name="x", last_name="y"),
        record("b", date_of_birth=dt.date(1980, 1, 1), postal_code="1000", first_name="q", last_name="r"),
        record("c", date_of_birth=None, postal_code="2000", first_name="s", last_name="t", street_number=None,
               street_name=None),
    ]
    inputs = pa.Table.from_pylist(rows, schema=INPUT_SCHEMA)
    truth = pa.table({"identity_record_id": ["a", "b", "c", "d"], "person_id": ["p", "p", "p", "p"]})
    edges = pa.table({"identity_record_id_l": ["c"], "identity_record_id_r": ["d"]})
    row = blocking_recall(inputs, truth, edges).to_pylist()[0]
    assert (row["true_pair_count"], row["true_pairs_in_matching_inputs"], row["candidate_true_pair_count"]) == (6, 3, 1)
    assert row["blocking_recall"] == pytest.approx(1 / 3)
    # {a, b} and {c, d}: two of the six pairs are reachable.
    assert row["reachable_true_pair_count"] == 2 and row["reachable_recall"] == pytest.approx(2 / 6)
    empty = blocking_recall(inputs, truth.slice(0, 0), edges).to_pylist()[0]
    assert empty["blocking_recall"] is None


def test_the_build_warns_when_fed_a_model_that_does_not_fit(built_data: Path, tmp_path: Path) -> None:
    """The committed model, altered as if trained where no record had an email and people had ten times the
    duplicates, on the test database: the build goes on, warns in dbt's log and says why in identity_model_health."""
    import shutil

    import duckdb
    from conftest import run_dbt

    from cdp.identity.matching import model_bytes

    model = json.loads(model_bytes(None))
    for comparison in model["comparisons"]:
        if comparison["output_column_name"] == "email":
            for level in comparison["comparison_levels"]:
                if not level.get("is_null_level"):
                    level["m_probability"] = level["u_probability"]
    for level in model[TRAINING_KEY]["levels"]:
        if level["comparison"] == "email":
            level["m_source"] = "default"
    model[PRIOR_PER_RECORD_KEY] *= 10
    mismatched = tmp_path / "mismatched_model.json"
    mismatched.write_text(json.dumps(model))
    database = tmp_path / "cdp.duckdb"
    shutil.copy(built_data / "cdp.duckdb", database)
    done = run_dbt(["build", "--select", "int_identity_model_health+", "--vars",
                    json.dumps({"matching_model_path": str(mismatched)})], built_data / "raw", database)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Warning in test assert_matching_model_fits_the_data" in done.stdout
    with duckdb.connect(str(database), read_only=True) as con:
        warned = set(con.execute("select check_name, comparison_name from main.identity_model_health "
                                 "where status = 'warn'").fetchall())
    # Email is on most records, and most scored pairs land on an email level the altered model left at a default.
    assert warned == {("comparison_neutral_here", "email"), ("pairs_on_default_levels", None), ("prior", None)}


def test_training_runs_on_a_fresh_database(built_data: Path, tmp_path: Path) -> None:
    """What `make train` runs, on a database nothing was built in: the training inputs with only the tests whose
    every parent they include, then `cdp train` into a file of its own."""
    import subprocess

    from conftest import ROOT, run_dbt

    database = tmp_path / "fresh.duckdb"
    done = run_dbt(["build", "--select", "+int_identity_match_inputs", "+int_identity_edges__deterministic",
                    "--indirect-selection", "cautious"], built_data / "raw", database)
    assert done.returncode == 0, done.stdout[-3000:]
    out = tmp_path / "model.json"
    trained = subprocess.run([str(ROOT / ".venv" / "bin" / "cdp"), "train", "--database", str(database),
                              "--out", str(out)], capture_output=True, text=True, check=False)
    assert trained.returncode == 0, trained.stdout[-3000:] + trained.stderr[-3000:]
    assert "m from" in trained.stdout and "EM blocked on date_of_birth" in trained.stdout
    model = json.loads(out.read_text())
    assert model[TRAINING_KEY]["labels"]["used"]
    assert {level["m_source"] for level in model[TRAINING_KEY]["levels"]} <= {"em", "labels", "default"}
