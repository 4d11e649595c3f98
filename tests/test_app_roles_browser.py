"""The operator confirms, in a real Chromium: one sheet marked "ignore" on Upload and one column
pointed nowhere on Profile & mapping change what the run makes; screenshots of both pages and the
run are saved (test-artifacts/roles-*.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from hotpass.samples import generate_samples
from hotpass.users import Users
from hotpass.workspace import Workspace
from tests.test_app_browser import (
    PASSWORD,
    browser_page,
    full_screenshot,
    log_in,
    open_page,
    pick,
    running_app,
    settle,
    upload,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
IGNORED = ("legacy_contacts.xlsx", "Contacts DB")
REMAPPED = ("ATO Register", "Accountable Manager")  # a contact's name on the regulator's sheet
TARGET_FIELD = 3  # the editor's columns: source column, looks like, sample values, target


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app over a fresh workspace holding one operator."""
    root = tmp_path_factory.mktemp("app-roles")
    with Workspace(root / "workspace") as ws:
        Users(ws).add("olga", "operator", password=PASSWORD, name="Olga Operator")
    with running_app(root / "workspace", root / "server.log") as url:
        yield url, root


def shoot(page, name: str) -> None:
    """Save test-artifacts/roles-NAME.png of the whole page, after checking it shows no error."""
    errors = page.locator(ERRORS)
    assert errors.count() == 0, f"{name}: {errors.first.inner_text()}"
    full_screenshot(page, f"roles-{name}.png")


def file_box(page, name: str):
    """The bordered box of one kept file on Upload."""
    return page.get_by_test_id("stVerticalBlock").filter(
        has=page.locator("strong", has_text=name)).filter(has=page.get_by_test_id("stTabs")).last


def sheet_box(page, sheet: str):
    """The expander of one sheet on Profile & mapping, opened."""
    box = page.get_by_test_id("stExpander").filter(has_text=f"· {sheet} ·").first
    if not box.get_by_test_id("stDataFrame").first.is_visible():
        box.locator("summary").click()
        settle(page)
    return box


def point_nowhere(page, box, row: int) -> None:
    """Set the target of the ``row``-th column of a sheet's mapping editor to (ignore), with the
    keyboard as an operator would: select the first cell, move to the target, open its list.
    The grid is a canvas, so the first cell is found by position once the grid has stopped moving
    (an expander still opening moves it); a click that did not take is tried again."""
    grid = box.get_by_test_id("stDataFrame").first
    grid.locator("canvas").first.wait_for()
    for attempt in range(3):
        grid.scroll_into_view_if_needed()
        bounds = steady_box(page, grid)
        page.mouse.click(bounds["x"] + 30, bounds["y"] + 35 + 17)  # the first data cell
        page.wait_for_timeout(200)
        for _ in range(TARGET_FIELD):
            page.keyboard.press("ArrowRight")
        for _ in range(row):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        option = page.get_by_role("option", name="(ignore)", exact=True)
        try:
            option.wait_for(timeout=10_000)
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            settle(page)
            continue
        option.click()
        break
    page.keyboard.press("Escape")
    settle(page)


def steady_box(page, element) -> dict:
    """The element's bounding box once two looks 250 ms apart agree."""
    before = element.bounding_box()
    for _ in range(40):
        page.wait_for_timeout(250)
        now = element.bounding_box()
        if now == before:
            return now
        before = now
    return before


def summary_value(page, measure: str) -> str:
    """One line of the run's summary (the Run summary expander's table)."""
    return page.evaluate(
        """(measure) => {
            const cells = [...document.querySelectorAll('[data-testid=stExpander] td, '
                + '[data-testid=stExpander] [role=gridcell]')].map(c => c.innerText.trim());
            const at = cells.indexOf(measure);
            return at < 0 ? null : cells[at + 1];
        }""", measure)


def test_a_sheet_ignored_and_a_column_unmapped_change_what_the_run_makes(server, tmp_path):
    url, root = server
    files = generate_samples(root / "samples", rows=300, seed=3).files
    with browser_page() as page:
        log_in(page, url, "olga", password=PASSWORD)
        upload(page, files, [f.name for f in files], exact=False)
        page.get_by_text("aviation was chosen for your files").wait_for()

        # Upload: the legacy sheet, detected as mixed, is marked "ignore"
        legacy = file_box(page, IGNORED[0])
        assert any("Detected" in text for text in legacy.get_by_test_id("stCaptionContainer").all_inner_texts())
        pick(page, legacy.get_by_test_id("stSelectbox").first, "Ignore: not read")
        file_box(page, IGNORED[0]).get_by_text("Chosen by hand: detected as mixed").wait_for()
        shoot(page, "upload")

        # Profile & mapping: the regulator's "Accountable Manager" column is pointed nowhere
        open_page(page, "Profile & mapping")
        page.get_by_text(f"{IGNORED[0]} · {IGNORED[1]} · ignore").wait_for()
        box = sheet_box(page, REMAPPED[0])
        point_nowhere(page, box, row=6)
        shoot(page, "mapping")

        open_page(page, "Run")
        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_text("Run 1 finished and published.").wait_for(timeout=300_000)
        settle(page)
        page.get_by_text("Run summary").click()
        settle(page)
        shoot(page, "run")
        counts = {m: summary_value(page, m) for m in
                  ("Mixed sheets", "Organisation records", "Contact records")}

    # ATO Register (75 rows, mixed) and Organisation (47) make the organisations; only the CRM's
    # Contact Info (73) makes contacts: not the ignored sheet, nor the column pointed nowhere
    assert counts == {"Mixed sheets": "1", "Organisation records": "122", "Contact records": "73"}
    with Workspace(root / "workspace") as ws:
        from hotpass import open_run

        with open_run(ws, 1) as result:
            used = {m.sheet: m for m in result.mappings}
    assert (used[IGNORED[1]].role, used[IGNORED[1]].role_method) == ("ignore", "manual")
    manager = next(c for c in used[REMAPPED[0]].columns if c.source == REMAPPED[1])
    assert (manager.target, manager.method) == (None, "unmapped")
