"""The review desk (`cdp review`) server-side, through Flask's test client, over a small world of its own.

A copy of the project (its seeds included, so no decision ever reaches the repository's seed) is built once on 300
generated people; each test works on its own copy of that build. The browser tests (test_review_browser.py) drive
the same app in Chromium, with rebuilds.
"""

from __future__ import annotations

import atexit
import csv
import functools
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from conftest import DBT, ROOT, run_dbt

from cdp.report import EXTERNAL_REFERENCE
from cdp.review.agreement import agreement_by_band
from cdp.review.app import create_app
from cdp.review.desk import OVERRIDE_COLUMNS, DecisionError, Desk, pair_item_id, score_band

PEOPLE, SEED = 300, 42
PROJECT_PARTS = ("dbt_project.yml", "macros", "models", "python_models", "seeds", "tests/dbt")
REVIEWER = "test-steward"


@functools.lru_cache(maxsize=1)
def built_world() -> Path:
    """A copy of the project with generated data, built once (project/cdp.duckdb, project/target)."""
    root = Path(tempfile.mkdtemp(prefix="cdp_review_"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # the copies the tests make are pytest's tmp_path
    project = root / "project"
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, project / part)
        else:
            project.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, project / part)
    # The reviewers' decisions in these tests are arbitrary, not right: the accuracy the project demands of a
    # build against ground truth (its own test, on make test's data) is not this world's concern.
    settings = project / "dbt_project.yml"
    text = settings.read_text()
    for var in ("accuracy_min_pairwise_precision", "accuracy_min_pairwise_recall"):
        text, found = re.subn(rf"^(  {var}:) .*$", r"\1 0", text, flags=re.MULTILINE)
        assert found == 1, f"dbt_project.yml has no var {var}"
    settings.write_text(text)
    generated = subprocess.run([str(DBT.with_name("cdp")), "generate", "--people", str(PEOPLE), "--seed", str(SEED),
                                "--out", str(project / "data"), "--quiet"], capture_output=True, text=True, check=False)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    result = run_dbt(["build", "--project-dir", str(project)], project / "data" / "raw", project / "cdp.duckdb")
    assert result.returncode == 0, result.stdout[-3000:]
    return project


def world_copy(destination: Path) -> Path:
    """A private copy of the built world (project, data, database, manifest) under `destination`."""
    project = destination / "project"
    shutil.copytree(built_world(), project, ignore=shutil.ignore_patterns("logs", "*.wal"))
    return project


def make_desk(project: Path, reviewer: str | None = REVIEWER) -> Desk:
    env = {"CDP_RAW_DIR": str(project / "data" / "raw"), "CDP_TRUTH_DIR": str(project / "data" / "truth"),
           "DBT_PROFILES_DIR": str(ROOT)}
    return Desk(project, project / "cdp.duckdb", reviewer, dbt=str(DBT), env=env)


def overrides(project: Path) -> list[dict[str, str]]:
    with (project / "seeds" / "identity_overrides.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return world_copy(tmp_path)


@pytest.fixture()
def desk(project: Path) -> Desk:
    return make_desk(project)


def _first(desk: Desk, group: str = "possible_match") -> dict:
    items = [item for item in desk.queue(group=group)["items"] if item["is_pair"]]
    assert items, f"the small world has no {group} item to review"
    return items[0]


# ---------------------------------------------------------------- plain functions


def test_score_bands_are_tenths() -> None:
    assert score_band(0.537) == "0.5-0.6"
    assert score_band(0.2) == "0.2-0.3"
    assert score_band(1.0) == "0.9-1.0"
    assert score_band(None) == "unscored"


def test_agreement_by_band_compares_with_the_merge_policy() -> None:
    decisions = [("force_link", 0.65, True), ("force_separate", 0.62, True), ("force_link", 0.91, True),
                 ("force_separate", 0.93, False), ("force_link", None, None)]
    bands = {band.band: band for band in agreement_by_band(decisions, threshold=0.7)}
    # under the threshold the model keeps pairs apart: the link disagrees, the separation agrees
    assert (bands["0.6-0.7"].decisions, bands["0.6-0.7"].links, bands["0.6-0.7"].agreed) == (2, 1, 1)
    # above it the model links what the policy admits; a pair it does not admit it keeps apart
    assert bands["0.9-1.0"].agreed == 2 and bands["0.9-1.0"].rate == 1.0
    assert bands["unscored"].agreed is None and bands["unscored"].rate is None


# ---------------------------------------------------------------- the queue and an item


def test_queue_sorted_by_worth_and_filtered(desk: Desk) -> None:
    queue = desk.queue()
    worth = [item["records_affected"] + item["segments_affected"] for item in queue["items"]]
    assert worth == sorted(worth, reverse=True) and worth[0] > 0
    assert queue["open_count"] == len(queue["items"]) and queue["decided_count"] == 0
    assert "possible_match" in queue["choices"]["groups"]
    system = queue["choices"]["systems"][0]
    filtered = desk.queue(system=system)["items"]
    assert filtered and all(system in (i["source_system_l"], i["source_system_r"]) for i in filtered)
    band = queue["choices"]["bands"][0]
    assert all(item["band"] == band for item in desk.queue(band=band)["items"])


def test_item_page_shows_records_waterfall_and_impact(desk: Desk) -> None:
    chosen = _first(desk)
    page = create_app(desk).test_client().get(f"/item/{chosen['review_item_id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert chosen["identity_record_id_l"] in html and chosen["identity_record_id_r"] in html
    assert 'class="diff"' in html  # at least one field differs: the pair is uncertain
    assert 'id="waterfall"' in html and "prior (two random records)" in html
    assert "merges UI-" in html  # the pair is in two unified individuals: linking merges them
    item = desk.item(chosen["review_item_id"])
    # the waterfall adds up to the pair's match weight (probability -> weight)
    import math
    p = chosen["match_probability"]
    assert item["waterfall"]["total"] == pytest.approx(math.log2(p / (1 - p)), abs=0.01)
    # no network: nothing in the page refers outside it, and the browser is told so
    assert not EXTERNAL_REFERENCE.search(html)
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- deciding


def test_decision_is_appended_with_who_why_and_when(project: Path, desk: Desk) -> None:
    chosen = _first(desk)
    client = create_app(desk).test_client()
    token = token_of(client.get("/").get_data(as_text=True))
    answer = client.post(f"/item/{chosen['review_item_id']}/decide",
                         data={"token": token, "decision": "separate", "reason": "different people,\n same street"})
    assert answer.status_code == 302
    (row,) = overrides(project)
    assert row["action"] == "force_separate" and row["decided_by"] == REVIEWER
    assert row["reason"] == "different people, same street"  # one line; the comma survives (quoted)
    assert f"{row['left_source_system']}:{row['left_source_record_id']}" == chosen["identity_record_id_l"]
    assert f"{row['right_source_system']}:{row['right_source_record_id']}" == chosen["identity_record_id_r"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["decided_at"])
    queue = desk.queue()
    assert queue["decided_count"] == 1
    assert next(i for i in queue["items"] if i["review_item_id"] == chosen["review_item_id"])["decision"]


@pytest.mark.parametrize(("form", "status", "message"), [
    ({"decision": "merge", "reason": "x"}, 400, "unknown decision"),
    ({"decision": "link", "reason": "   \n "}, 400, "a reason is required"),
    ({"decision": "link", "reason": "x" * 501}, 400, "keep it within 500"),
])
def test_malformed_decisions_are_refused_and_write_nothing(project: Path, desk: Desk, form: dict, status: int,
                                                           message: str) -> None:
    chosen = _first(desk)
    client = create_app(desk).test_client()
    token = token_of(client.get("/").get_data(as_text=True))
    answer = client.post(f"/item/{chosen['review_item_id']}/decide", data={"token": token, **form})
    assert answer.status_code == status
    assert message in answer.get_data(as_text=True)
    assert overrides(project) == []


def test_unknown_items_single_records_and_forged_requests_write_nothing(project: Path, desk: Desk) -> None:
    client = create_app(desk).test_client()
    token = token_of(client.get("/").get_data(as_text=True))
    answer = client.post("/item/not-an-item/decide", data={"token": token, "decision": "link", "reason": "x"})
    assert answer.status_code == 404 and "no review item" in answer.get_data(as_text=True)
    guard = [i for i in desk.queue()["items"] if not i["is_pair"]]
    if guard:
        answer = client.post(f"/item/{guard[0]['review_item_id']}/decide",
                             data={"token": token, "decision": "link", "reason": "x"})
        assert answer.status_code == 400 and "needs two" in answer.get_data(as_text=True)
    chosen = _first(desk)
    # a post without the page's token (another site's form) and a request for another host name are refused
    forged = client.post(f"/item/{chosen['review_item_id']}/decide", data={"decision": "link", "reason": "x"})
    assert forged.status_code == 400
    assert client.get("/", headers={"Host": "attacker.example:8050"}).status_code == 400
    # a pair naming a record that does not exist
    assert client.get("/pair", query_string={"left": "crm:nope", "right": chosen["identity_record_id_l"]}
                      ).status_code == 404
    assert overrides(project) == []


def test_no_reviewer_means_read_only(project: Path) -> None:
    desk = make_desk(project, reviewer=None)
    client = create_app(desk).test_client()
    chosen = _first(desk)
    html = client.get(f"/item/{chosen['review_item_id']}").get_data(as_text=True)
    assert "No reviewer configured" in html and 'id="decide-form"' not in html
    with pytest.raises(DecisionError, match="no reviewer configured"):
        desk.decide(chosen["review_item_id"], "link", "x")
    assert overrides(project) == []


def test_second_decision_on_an_item_gets_a_clear_message(project: Path, desk: Desk) -> None:
    chosen = _first(desk)
    desk.decide(chosen["review_item_id"], "link", "same person")
    client = create_app(desk).test_client()
    token = token_of(client.get("/").get_data(as_text=True))
    answer = client.post(f"/item/{chosen['review_item_id']}/decide",
                         data={"token": token, "decision": "separate", "reason": "no"})
    assert answer.status_code == 409
    assert "already decided" in answer.get_data(as_text=True)
    assert [row["action"] for row in overrides(project)] == ["force_link"]
    # the same pair opened outside the queue is the same decision
    with pytest.raises(DecisionError, match="already decided"):
        left, right = chosen["identity_record_id_l"], chosen["identity_record_id_r"]
        desk.decide(pair_item_id(left, right), "separate", "no", pair=(left, right))


def test_concurrent_decisions_on_one_item_do_not_both_apply(project: Path) -> None:
    # two desks (two reviewers' processes) on one seed file: the file lock and the re-read decide
    desks = [make_desk(project, reviewer=name) for name in ("ana", "ben")]
    chosen = _first(desks[0])
    barrier, outcomes = threading.Barrier(len(desks)), []

    def decide(desk: Desk, choice: str) -> None:
        barrier.wait()
        try:
            outcomes.append(desk.decide(chosen["review_item_id"], choice, f"{desk.reviewer} says {choice}"))
        except DecisionError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=decide, args=(d, c)) for d, c in zip(desks, ("link", "separate"),
                                                                                strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Decision", "DecisionError"]
    assert len(overrides(project)) == 1


def test_a_seed_file_of_another_shape_is_left_alone(project: Path, desk: Desk) -> None:
    seed = project / "seeds" / "identity_overrides.csv"
    seed.write_text("id,what\n1,x\n")
    with pytest.raises(DecisionError, match="columns"):
        desk.decide(_first(desk)["review_item_id"], "link", "x")
    assert seed.read_text() == "id,what\n1,x\n"


def test_overrides_path_is_configurable_and_must_exist(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "decisions.csv"
    with pytest.raises(FileNotFoundError, match="no overrides file"):
        Desk(project, project / "cdp.duckdb", REVIEWER, overrides=elsewhere)
    elsewhere.write_text(",".join(OVERRIDE_COLUMNS) + "\n")
    desk = Desk(project, project / "cdp.duckdb", REVIEWER, overrides=elsewhere)
    desk.decide(_first(desk)["review_item_id"], "link", "same person")
    assert len(elsewhere.read_text().splitlines()) == 2 and overrides(project) == []


def test_the_desk_refuses_while_the_database_is_written(project: Path, desk: Desk) -> None:
    # another process holds the write lock, as a rebuild does, until told to let go
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
                               "sys.stdin.readline(); con.close()", str(project / "cdp.duckdb")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        answer = create_app(desk).test_client().get("/")
        assert answer.status_code == 503 and "being written" in answer.get_data(as_text=True)
    finally:
        holder.communicate("\n")
    assert create_app(desk).test_client().get("/").status_code == 200
