"""The HTML report in a real, offline Chromium: every chart draws, nothing is fetched."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from hotpass.report import write_report
from tests.test_report import example_report

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ALL_DRAWN = """() => {
  const divs = [...document.querySelectorAll('.plotly-graph-div')];
  return divs.length > 0 && divs.every(d => d.querySelector('.main-svg'));
}"""
PAYLOAD = '<img src=x onerror="window.__pwned = 1">'


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: the browser tests need a system Chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_offline(browser):
    """Open a local file with every non-file request aborted; yields (page, requests, errors)."""
    contexts = []

    def open_page(path: Path):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        attempted: list[str] = []
        errors: list[str] = []
        context.route("**/*", lambda route: _only_files(route, attempted))
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        page.wait_for_function(ALL_DRAWN, timeout=30_000)
        return page, attempted, errors

    yield open_page
    for context in contexts:
        context.close()


def _only_files(route, attempted: list[str]) -> None:
    if route.request.url.startswith("file://"):
        route.continue_()
    else:
        attempted.append(route.request.url)
        route.abort()


def test_report_draws_every_chart_offline(open_offline, tmp_path):
    paths = write_report(example_report(), tmp_path)
    page, attempted, errors = open_offline(paths["html"])

    chart_divs = page.locator(".plotly-graph-div").count()
    drawn = page.locator(".js-plotly-plot .main-svg").evaluate_all(
        "svgs => new Set(svgs.map(s => s.closest('.plotly-graph-div').id)).size")
    assert chart_divs >= 5 and drawn == chart_divs
    assert page.locator(".plotly .bars path").count() > 0
    assert page.locator(".banner-blocked").is_visible()
    assert attempted == [] and errors == []

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "quality-report.png"), full_page=True)


def test_hostile_labels_stay_text_in_the_browser(open_offline, tmp_path):
    report = copy.deepcopy(example_report())
    report["completeness"].append({"table": "organisations", "field": PAYLOAD, "filled": 0.4})
    report["findings"][0]["examples"][0]["message"] = PAYLOAD
    paths = write_report(report, tmp_path)
    page, attempted, errors = open_offline(paths["html"])

    assert page.evaluate("window.__pwned") is None
    assert page.locator("main img").count() == 0
    ticks = page.locator("#chart-completeness .ytick text").all_text_contents()
    assert PAYLOAD in ticks  # plotly.js shows the label literally
    assert page.get_by_text(PAYLOAD, exact=True).count() >= 1  # so does the findings table
    assert attempted == [] and errors == []
