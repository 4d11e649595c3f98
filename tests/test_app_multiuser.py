"""Several people on one workbench at once, in a real Chromium with one browser context each.

An operator (A) uploads the three sample workbooks, changes a sheet's role and starts a run,
which goes on in a worker process. While it runs, a reviewer (B) logs in and opens Review
duplicates within seconds; A reloads and still has their uploads and mapping. When the run has
ended, a viewer (C) downloads its workbook. A full-page screenshot of each step is saved in
test-artifacts/.
"""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager

import pytest
from openpyxl import load_workbook

from hotpass import Users, Workspace, generate_samples, open_run
from tests.test_app_browser import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    choose_profile,
    full_screenshot,
    log_in,
    open_page,
    pick,
    running_app,
    settle,
    upload,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "correct-horse-3"
PEOPLE = {"olga": ("operator", "Olga Operator"), "rita": ("reviewer", "Rita Reviewer"),
          "vic": ("viewer", "Victor Viewer")}
ROWS, SEED = 4000, 5  # a run of these lasts about half a minute on two cores
ERROR_BOX = "[data-testid='stException']"
ACTIVE = ("queued", "running")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app over a fresh workspace holding an operator, a reviewer and a viewer."""
    root = tmp_path_factory.mktemp("app-multiuser")
    with Workspace(root / "workspace") as ws:
        for username, (role, name) in PEOPLE.items():
            Users(ws).add(username, role, password=PASSWORD, name=name)
    with running_app(root / "workspace", root / "server.log") as url:
        yield url, root


@contextmanager
def chromium():
    """The system Chromium (skips the test when it is missing)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: the browser tests need a system Chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def person(browser, url: str, username: str):
    """A page in a browser context of its own (its own cookies: its own session), logged in."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    log_in(page, url, username, PEOPLE[username][1], password=PASSWORD)
    return page


def shoot(page, name: str) -> None:
    errors = page.locator(ERROR_BOX)
    assert errors.count() == 0, f"{name}: {errors.first.inner_text()}"
    full_screenshot(page, f"multiuser-{name}.png")


def status(root) -> str:
    with Workspace(root / "workspace") as ws:
        return ws.run(1)["status"]


def ato_register(page):
    """The expander of the regulator's sheet on Profile & mapping."""
    return page.get_by_test_id("stExpander").filter(has_text="ATO Register").first


ROLE_LABELS = {"mixed": "Mixed: one organisation per row with its contacts",
               "organisation": "Organisation: one per row"}


def set_role(page, role: str) -> None:
    box = ato_register(page)
    if not box.get_by_test_id("stSelectbox").is_visible():
        box.locator("summary").click()
    pick(page, box.get_by_test_id("stSelectbox"), ROLE_LABELS[role])
    ato_register(page).filter(has_text=f"ATO Register · {role}").wait_for(timeout=30_000)


@contextmanager
def evidence(browser):
    """On a failure, a screenshot of every open page (test-artifacts/multiuser-failed-N.png)."""
    try:
        yield
    except BaseException:
        pages = [page for context in browser.contexts for page in context.pages]
        for number, page in enumerate(pages):
            page.screenshot(path=str(ARTIFACTS / f"multiuser-failed-{number}.png"), full_page=True)
        raise


def test_one_runs_while_another_reviews_and_a_viewer_downloads(server, tmp_path):
    url, root = server
    samples = generate_samples(root / "samples", rows=ROWS, seed=SEED).files
    names = [sample.name for sample in samples]
    timings = {}
    with chromium() as browser, evidence(browser):
        # A: upload, profile, one sheet's role by hand, then Run (which returns at once)
        a = person(browser, url, "olga")
        upload(a, samples, names, exact=False)
        choose_profile(a, "aviation")
        detected = ato_register(a).locator("summary").inner_text()
        role = "mixed" if "· organisation" in detected else "organisation"
        set_role(a, role)
        shoot(a, "a-mapping")
        open_page(a, "Run")
        began = time.monotonic()
        a.get_by_role("button", name="Run", exact=True).click()
        a.get_by_text("Run 1: ").first.wait_for(timeout=15_000)
        timings["run button"] = time.monotonic() - began
        assert status(root) in ACTIVE
        shoot(a, "a-running")

        # B: logs in and opens Review duplicates while the run goes on
        began = time.monotonic()
        b = person(browser, url, "rita")
        timings["B login"] = time.monotonic() - began
        began = time.monotonic()
        open_page(b, "Review duplicates")
        b.get_by_text("No finished run yet").wait_for(timeout=10_000)
        timings["B review"] = time.monotonic() - began
        assert status(root) in ACTIVE, "the run ended before B had seen Review: use more rows"
        shoot(b, "b-review-during-run")
        a.get_by_text(" done in ").first.wait_for(timeout=30_000)  # A's bars have moved meanwhile
        shoot(a, "a-progress")

        # A: a reload is a new session; the uploads, profile and role are still there
        a.reload()
        settle(a)
        a.get_by_text(PEOPLE["olga"][1]).first.wait_for(timeout=30_000)
        open_page(a, "Upload")
        for name in names:
            a.locator("strong", has_text=name).first.wait_for(timeout=60_000)
        a.get_by_test_id("stFileUploader").wait_for()
        shoot(a, "a-upload-after-reload")
        open_page(a, "Profile & mapping")
        ato_register(a).filter(has_text=f"ATO Register · {role}").wait_for(timeout=30_000)
        picker = a.get_by_test_id("stSelectbox").first.locator("input")
        assert picker.input_value() == "aviation"
        reloaded_while = status(root)
        shoot(a, "a-mapping-after-reload")

        # A: the Run page follows the run to its end
        open_page(a, "Run")
        a.get_by_text("Run 1 finished and published.").wait_for(timeout=300_000)
        settle(a)
        shoot(a, "a-run-finished")

        # C: a viewer downloads the stored run's workbook
        c = person(browser, url, "vic")
        open_page(c, "Downloads")
        c.get_by_text("Run 1 · profile aviation").first.wait_for()
        c.get_by_role("button", name="Styled workbook (Excel)").wait_for()
        shoot(c, "c-downloads")
        with c.expect_download(timeout=120_000) as caught:
            c.get_by_role("button", name="Styled workbook (Excel)").click()
        download = caught.value
        assert download.suggested_filename == "hotpass-run-1.xlsx"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)

    print("timings (s):", {k: round(v, 2) for k, v in timings.items()},  # noqa: T201
          "A reloaded while the run was", reloaded_while)
    assert timings["run button"] < 10 and timings["B review"] < 10
    with Workspace(root / "workspace") as ws:
        run = ws.run(1)
        (line,) = ws.audit_log("download", "vic").itertuples(index=False)
        with open_run(ws, 1) as result:
            used = next(m for m in result.mappings if m.sheet == "ATO Register")
    assert (run["status"], run["username"]) == ("ok", "olga")
    assert (used.role, used.role_method) == (role, "manual")  # the run used A's kept mapping
    data = saved.read_bytes()
    assert json.loads(line.detail) == {"run_id": 1, "kind": "workbook", "bytes": len(data),
                                       "sha256": hashlib.sha256(data).hexdigest()}
    book = load_workbook(saved, read_only=True)
    try:
        assert {"Organisations", "Contacts", "Summary"} <= set(book.sheetnames)
        organisations = sum(1 for _ in book["Organisations"].iter_rows(min_row=2))
    finally:
        book.close()
    assert organisations == json.loads(run["summary"])["Output organisations"]
