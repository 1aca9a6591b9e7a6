"""`cdp report` on the database `make test` built: a self-contained HTML file that a real browser (Debian's
Chromium, headless) renders offline without errors, charts drawn; Splink's dashboards open offline too.

Without Chromium the browser tests skip (install it with `apt-get install chromium`), unless
CDP_REQUIRE_BROWSER=1 (CI), where they fail."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from cdp.report import (
    EXTERNAL_REFERENCE,
    Report,
    accuracy_by_threshold,
    probability_to_weight,
    read_policy,
    write_report,
)
from cdp.report_charts import Series, axis_ticks, bar_chart

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "target"
# Flags for a headless Chromium run as root in a container, with nothing fetched in the background.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SECTIONS = ["systems", "clusters", "weights", "model", "accuracy", "review", "guards", "churn", "insights",
            "dashboards"]


def chromium_path() -> str:
    """Debian's Chromium; never a downloaded browser."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    message = "no Chromium for the browser test: install Debian's package (`apt-get install chromium`)"
    if os.environ.get("CDP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message}; CDP_REQUIRE_BROWSER=1 requires it")
    pytest.skip(message)


@pytest.fixture(scope="module")
def report(built_data: Path) -> Report:
    return write_report(built_data / "cdp.duckdb", TARGET / "identity_report.html", read_policy(ROOT))


def test_report_is_self_contained(report: Report) -> None:
    html = report.path.read_text()
    assert not EXTERNAL_REFERENCE.search(html)
    assert "<script" not in html  # inline SVG only: nothing to run
    for anchor in SECTIONS:
        assert f'<section id="{anchor}">' in html, anchor
    assert "No ground truth" not in html  # make test's data is synthetic: the accuracy section has numbers
    insights = html.split('<section id="insights">', 1)[1].split("</section>", 1)[0]
    assert "trained model" in insights and "fixed formula" in insights  # the back-test, not its placeholder
    assert len(report.dashboards) == 2 and len(report.sampled_clusters) == 10
    for dashboard in report.dashboards:
        text = dashboard.read_text()
        assert not EXTERNAL_REFERENCE.search(text), f"{dashboard.name} loads something from the network"
        assert "vega" in text  # Splink inlines vega, vega-lite and vega-embed


def test_offline_check_catches_external_references() -> None:
    for html in ('<script src="https://cdn.example.org/vega.js"></script>',
                 '<link rel="stylesheet" href="//fonts.example.org/css">',
                 "<style>@import 'x.css'; body { background: url(https://example.org/a.png) }</style>"):
        assert EXTERNAL_REFERENCE.search(html), html
    chart = bar_chart(["a", "b"], [Series("n", [1, 2], "#000")], title="t")
    assert not EXTERNAL_REFERENCE.search(chart)


def test_accuracy_by_threshold_follows_the_merge_policy() -> None:
    records = ["a", "b", "c", "d", "e"]
    truth = {"a": "p1", "b": "p1", "c": "p1", "d": "p2", "e": "p3"}
    pairs = [("b", "c", 0.9, True), ("c", "d", 0.5, True), ("a", "e", 0.95, False)]
    strict, loose = accuracy_by_threshold(records, [("a", "b")], pairs, truth, [0.6, 0.4])
    # at 0.6: {a, b, c} {d} {e}: every pair of p1 found, none wrong (a-e is not admitted by the policy)
    assert (strict.precision, strict.recall, strict.unified_individuals) == (1.0, 1.0, 3)
    # at 0.4: {a, b, c, d}: 3 of its 6 pairs are one person
    assert (loose.precision, loose.recall, loose.unified_individuals) == (0.5, 1.0, 2)
    assert loose.f1 == pytest.approx(2 / 3)


def test_axis_ticks_are_round() -> None:
    assert axis_ticks(0, 2686, 4) == [0, 1000, 2000]
    assert axis_ticks(0.95, 1.0, 5) == [0.95, 0.96, 0.97, 0.98, 0.99, 1.0]
    assert probability_to_weight(0.5) == 0


def _open(path: Path) -> tuple[Any, Any, Any, list[str], list[str]]:
    """A headless Chromium page on `path`: (playwright, browser, page, console errors, attempted requests)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: None if request.url.startswith(("file:", "data:", "blob:"))
            else requests.append(request.url))
    page.route("http*://**/*", lambda route: route.abort())  # offline: nothing may load from a network
    page.goto(path.as_uri(), wait_until="load")
    return playwright, browser, page, errors, requests


def test_report_renders_in_chromium(report: Report) -> None:
    playwright, browser, page, errors, requests = _open(report.path)
    try:
        charts = page.eval_on_selector_all("svg.chart", """charts => charts.map(chart => {
            const box = chart.getBoundingClientRect();
            return {label: chart.getAttribute('aria-label'), width: box.width, height: box.height,
                    shapes: chart.querySelectorAll('rect, polyline, circle').length};
        })""")
        page.screenshot(path=str(TARGET / "identity_report.png"), full_page=True)
    finally:
        browser.close()
        playwright.stop()
    assert not errors, errors
    assert not requests, requests
    labels = {chart["label"] for chart in charts}
    assert {"cluster-size histogram", "match-weight histogram", "precision, recall and F1 by threshold"} <= labels
    assert len(charts) >= 6
    for chart in charts:
        assert chart["width"] > 300 and chart["height"] > 150, chart
        assert chart["shapes"] > 0, chart
    assert (TARGET / "identity_report.png").stat().st_size > 50_000


@pytest.mark.parametrize("which", ["comparison_viewer", "cluster_studio"])
def test_splink_dashboard_renders_offline(report: Report, which: str) -> None:
    dashboard = next(path for path in report.dashboards if path.stem.endswith(which))
    playwright, browser, page, errors, requests = _open(dashboard)
    try:
        page.wait_for_selector("canvas, svg.marks", timeout=60_000)
        drawn = page.eval_on_selector_all("canvas, svg.marks", """marks => marks.map(mark => {
            const box = mark.getBoundingClientRect(); return box.width * box.height; })""")
    finally:
        browser.close()
        playwright.stop()
    assert not errors, errors
    assert not requests, requests
    assert max(drawn) > 10_000
