"""The acceptance test of the workbench in a real Chromium: log in, upload the three sample
workbooks, run, keep one record of an uncertain cluster apart, run again, download the workbook and find the
decision in it; a full-page screenshot of every page is saved as a test artefact."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hotpass.users import Users
from hotpass.workspace import Workspace
from tests.test_app_browser import (
    browser_page,
    choose_profile,
    full_screenshot,
    log_in,
    open_page,
    running_app,
    settle,
    upload,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERNAME, PASSWORD, FULL_NAME = "ada", "correct-horse-2", "Ada Admin"
ERROR_BOX = "[data-testid='stException']"
# rows=600, seed=7 leaves 6 pairs waiting for review under the aviation profile
SAMPLE_ROWS, SAMPLE_SEED = 600, 7


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app over a fresh workspace holding one admin."""
    root = tmp_path_factory.mktemp("app-e2e")
    with Workspace(root / "workspace") as ws:  # closed before the server opens it
        Users(ws).add(USERNAME, "admin", password=PASSWORD, name=FULL_NAME)
    with running_app(root / "workspace", root / "server.log") as url:
        yield url, root


@pytest.fixture(scope="module")
def page(server):
    with browser_page() as opened:
        yield opened


def shoot(page, name: str) -> None:
    """Check the page shows no Streamlit exception, then save test-artifacts/e2e-NAME.png of
    all of it (the window grows: Streamlit scrolls inside it)."""
    errors = page.locator(ERROR_BOX)
    assert errors.count() == 0, f"{name}: {errors.first.inner_text()}"
    full_screenshot(page, f"e2e-{name}.png")


def metric(page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return box.get_by_test_id("stMetricValue").inner_text().strip()


def run(page, number: int) -> None:
    open_page(page, "Run")
    page.get_by_role("button", name="Run", exact=True).click()
    settle(page, timeout=240_000)
    page.get_by_text(f"Run {number} finished and published.").wait_for(timeout=240_000)


def test_log_in_upload_run_review_and_download(server, page, tmp_path):
    url, root = server

    # 1. log in through the form
    log_in(page, url, USERNAME, password=PASSWORD)
    page.get_by_role("heading", name="Hotpass workbench").wait_for()
    assert page.get_by_text(FULL_NAME).count()
    shoot(page, "home")

    # 2. upload the three sample workbooks through the real file input
    from hotpass.samples import generate_samples

    samples = generate_samples(root / "samples", rows=SAMPLE_ROWS, seed=SAMPLE_SEED).files
    assert len(samples) == 3
    upload(page, samples, [sample.name for sample in samples], exact=False)
    shoot(page, "upload")

    # 3. the aviation profile, then run
    choose_profile(page, "aviation")
    shoot(page, "mapping")
    run(page, 1)
    pending = int(metric(page, "Pairs to review").replace(",", ""))
    assert pending >= 2, f"the samples left only {pending} pair(s) to review"

    # 4. the first uncertain cluster: its first member kept apart from the others (D)
    open_page(page, "Review duplicates")
    page.get_by_text("Cluster 1 of").wait_for()
    clusters = int(metric(page, "Clusters to review").replace(",", ""))
    assert metric(page, "Clusters reviewed") == "0" and 1 <= clusters <= pending
    page.get_by_role("button", name=re.compile("^(Different organisations|Split this member out)")).click()
    settle(page)
    page.get_by_text("saved:").first.wait_for()
    assert metric(page, "Clusters reviewed") == "1"
    with Workspace(root / "workspace") as ws:
        decision = ws.decisions().iloc[-1]
    key_a = decision["record_key"]
    others = [decision["other_key"]] if decision["kind"] == "different" else \
        [k for k in json.loads(decision["members"]) if k != key_a]
    shoot(page, "review")

    # 5. run again: decisions take effect on the next run
    run(page, 2)
    shoot(page, "run")

    # 6. download the styled workbook
    open_page(page, "Downloads")
    page.get_by_text("Run 2 ·").first.wait_for()
    shoot(page, "downloads")
    with page.expect_download(timeout=120_000) as caught:
        page.get_by_role("button", name="Styled workbook (Excel)").click()
    download = caught.value
    assert download.suggested_filename == "hotpass-run-2.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    # 7. the decision is in the workbook's Clusters sheet
    rows = _sheet(saved, "Clusters")
    by_key = {row["record_key"]: row for row in rows}
    assert key_a in by_key and all(k in by_key for k in others), (key_a, others)
    assert all(by_key[key_a]["organisation_id"] != by_key[k]["organisation_id"] for k in others)
    assert by_key[key_a]["decision"] == decision["kind"] and by_key[key_a]["reviewer"] == USERNAME

    # 8. every other page, each free of exceptions
    for title, name, ready in [
        ("Home", "home-after-run", "Runs over time"),
        ("Upload", "upload-after-run", "Upload workbooks"),
        ("Profile & mapping", "mapping-after-run", "Column mapping"),
        ("Review duplicates", "review-after-run", "Review duplicates"),
        ("Enrichment", "enrichment", "Enrichment"),
        ("Quality", "quality", "Quality"),
        ("Admin", "admin", "Admin"),
    ]:
        open_page(page, title)
        page.get_by_text(ready).first.wait_for()
        shoot(page, name)


def _sheet(path: Path, name: str) -> list[dict]:
    """The rows of one sheet as dicts, under the first row that names organisation_id."""
    book = load_workbook(path, read_only=True)
    try:
        values = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    start = next(i for i, row in enumerate(values) if "organisation_id" in row)
    header = values[start]
    return [
        dict(zip(header, row, strict=True))
        for row in values[start + 1 :]
        if any(v is not None for v in row)
    ]
