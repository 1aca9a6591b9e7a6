"""The review desk in headless Chromium (Debian's package, as the report test), keyboard only: `cdp review` serves a
small built world (test_review.built_world, copied); a reviewer links a possible match, rebuilds and sees the two
records under one unified ID; keeps apart two records the model joined, rebuilds and sees them split; an empty reason
and a decision on an item another reviewer just decided get a clear message and write nothing. The screenshot of
the item page in README.md (docs/review_desk.png) is written here.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import ROOT
from test_report import CHROMIUM_FLAGS, chromium_path
from test_review import REVIEWER, world_copy

from cdp.project import BuiltDatabase, merge_policy, relations
from cdp.review.agreement import agreement_by_band, read_decisions

SCREENSHOT = ROOT / "docs" / "review_desk.png"
REBUILD_TIMEOUT_MS = 600_000  # a generous bound on a rebuild, so a hung one fails instead of hanging the run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`cdp review` on a copy of the built world: (its address, the project)."""
    chromium_path()  # skips (or fails under CDP_REQUIRE_BROWSER=1) before any build without Chromium
    project = world_copy(tmp_path_factory.mktemp("review_browser"))
    port = _free_port()
    env = {**os.environ, "CDP_RAW_DIR": str(project / "data" / "raw"), "CDP_TRUTH_DIR": str(project / "data" / "truth"),
           "DBT_PROFILES_DIR": str(ROOT), "CDP_REVIEWER": REVIEWER, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("cdp")), "review", "--project-dir", str(project),
         "--database", str(project / "cdp.duckdb"), "--port", str(port)],
        env=env, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # wait until it answers (it has nothing to load first but the manifest)
            if server.poll() is not None:
                pytest.fail(f"cdp review exited: {server.stdout.read()}")
            try:
                with urllib.request.urlopen(base + "/", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("cdp review did not answer")
        yield base, project
    finally:
        server.terminate()
        server.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


def _page(browser: Any, base: str) -> tuple[Any, list[str]]:
    """A page that may talk to the desk and nothing else: any other request is recorded and refused."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []

    def route(route: Any) -> None:
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return page, elsewhere


def _overrides(project: Path) -> list[dict[str, str]]:
    with (project / "seeds" / "identity_overrides.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _unified_ids(page: Any) -> dict[str, str]:
    rows = page.locator("#after tbody tr")
    return {rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td.uid").inner_text()
            for i in range(rows.count())}


def _rebuild_by_keyboard(page: Any) -> None:
    page.keyboard.press("q")
    page.wait_for_selector("#queue")
    page.keyboard.press("Shift+R")
    page.wait_for_selector("#rebuild-summary", timeout=REBUILD_TIMEOUT_MS)
    summary = page.inner_text("#rebuild-summary")
    assert summary.startswith("Rebuilt"), summary + page.content()[-3000:]


def test_reviewer_links_and_splits_by_keyboard(served: tuple[str, Path], browser: Any) -> None:
    base, project = served
    page, elsewhere = _page(browser, base)
    other, _ = _page(browser, base)

    # the queue, possible matches first in worth order; Enter opens the selected (first) row
    page.goto(base + "/?group=possible_match")
    first = page.locator("tr.selected")
    item_id = first.get_attribute("data-item")
    open_before = int(page.inner_text("#open-count"))
    page.keyboard.press("Enter")
    page.wait_for_selector("#records")
    records = page.locator("#records thead th").all_inner_texts()[1:3]
    assert page.locator("#waterfall .bar-row").count() >= 2
    other.goto(page.url)  # a second reviewer has the same item open

    # a decision without a reason is refused and writes nothing
    page.keyboard.press("l")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error")
    assert "a reason is required" in page.inner_text("#error")
    assert _overrides(project) == []

    # link by keyboard: l chooses, the reason is typed, Enter records
    page.goto(f"{base}/item/{item_id}")  # the item afresh (the screenshot shows no error)
    page.wait_for_selector("#records")
    page.keyboard.press("l")
    page.keyboard.type("same person: same name, the email changed after a move")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash")
    assert "Recorded" in page.inner_text(".flash")
    (row,) = _overrides(project)
    assert row["action"] == "force_link" and row["decided_by"] == REVIEWER
    assert row["reason"] == "same person: same name, the email changed after a move"
    assert {f"{row['left_source_system']}:{row['left_source_record_id']}",
            f"{row['right_source_system']}:{row['right_source_record_id']}"} == set(records)

    # the other reviewer decides the same item the other way: a clear message, nothing written
    other.keyboard.press("s")
    other.keyboard.type("looks like two people")
    other.keyboard.press("Enter")
    other.wait_for_selector("#error")
    assert "already decided" in other.inner_text("#error")
    assert len(_overrides(project)) == 1

    # rebuild: the two records are one unified individual, and the item has left the queue
    _rebuild_by_keyboard(page)
    after = _unified_ids(page)
    assert after[records[0]] == after[records[1]]
    page.goto(base + "/?group=possible_match")
    assert page.locator(f'tr[data-item="{item_id}"]').count() == 0
    # (pairs between the two merged individuals' other records leave with it)
    assert int(page.inner_text("#open-count")) <= open_before - 1

    # a link the model made (a used probabilistic edge between other records), decided the other way
    with duckdb.connect(str(project / "cdp.duckdb"), read_only=True) as con:
        db = BuiltDatabase(con, relations(project))
        left, right = con.execute(f"""
            select identity_record_id_l, identity_record_id_r from {db.table('identity_edges')}
            where match_method = 'probabilistic' and is_used
                and identity_record_id_l not in (?, ?) and identity_record_id_r not in (?, ?)
            order by match_probability, identity_record_id_l, identity_record_id_r limit 1""",
                                  [*records, *records]).fetchone()
    # a possible match kept apart leaves the queue too (its decision is the answer), once rebuilt
    page.keyboard.press("Enter")
    page.wait_for_selector("#records")
    kept_apart = page.url.rsplit("/", 1)[-1]
    kept_apart_records = page.locator("#records thead th").all_inner_texts()[1:3]
    page.keyboard.press("s")
    page.keyboard.type("different people: another first name")
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash")
    page.goto(base + "/")
    page.focus("#left")
    page.keyboard.type(left)
    page.keyboard.press("Tab")
    page.keyboard.type(right)
    page.keyboard.press("Enter")
    page.wait_for_selector("#records")
    assert "already one unified individual" in page.inner_text("#impact")
    page.keyboard.press("s")
    page.keyboard.type("two people sharing a family email")
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash")
    assert [r["action"] for r in _overrides(project)] == ["force_link", "force_separate", "force_separate"]
    _rebuild_by_keyboard(page)
    after = _unified_ids(page)
    assert after[left] != after[right]
    assert after[records[0]] == after[records[1]]  # the first decision still holds
    page.goto(base + "/")
    assert page.locator(f'tr[data-item="{kept_apart}"]').count() == 0

    # the decisions are labels: agreement with the model per score band
    with duckdb.connect(str(project / "cdp.duckdb"), read_only=True) as con:
        db = BuiltDatabase(con, relations(project))
        decisions = read_decisions(db)
        # the pair kept apart is in no item of the queue any more (whatever its item's ID)
        assert con.execute(f"""
            select count(*) from {db.table('identity_review_queue')}
            where identity_record_id_l in (?, ?) and identity_record_id_r in (?, ?)""",
                           [*kept_apart_records, *kept_apart_records]).fetchone()[0] == 0
    bands = agreement_by_band(decisions, merge_policy(project).threshold)
    assert sum(band.decisions for band in bands) == 3
    # the link under the threshold and the separation of a used edge went against the model's call; keeping a
    # possible match (under the threshold) apart agreed with it
    assert sum(band.agreed or 0 for band in bands) == 1
    assert elsewhere == []
    page.close()
    other.close()
