"""The workbench in a real Chromium: log in, upload, map, run; a screenshot per page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from hotpass.users import Users
from hotpass.workspace import Workspace
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "correct-horse-1"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(workspace: Path, log_path: Path):
    """`streamlit run app.py` on a free port over ``workspace``; yields its URL, stops it after."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port),
               "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "HOTPASS_WORKSPACE": str(workspace)},
                                   stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app over a fresh workspace holding one operator."""
    root = tmp_path_factory.mktemp("app-browser")
    with Workspace(root / "workspace") as ws:
        Users(ws).add("olga", "operator", password=PASSWORD, name="Olga Operator")
    with running_app(root / "workspace", root / "server.log") as url:
        yield url, root


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not become healthy in {timeout} s")


@contextmanager
def browser_page():
    """A page in the system Chromium (skips the test when Chromium is missing)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: the browser tests need a system Chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def page(server):
    with browser_page() as opened:
        yield opened


def settle(page, timeout: float = 120_000) -> None:
    """Wait until the script has finished: idle, and still idle 200 ms later."""
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        page.wait_for_selector(IDLE, state="attached", timeout=timeout)
        page.wait_for_timeout(200)
        if page.locator(IDLE).count():
            return
    raise TimeoutError("the app kept running")


def log_in(page, url: str, username: str, shown: str | None = None, password: str = PASSWORD) -> None:
    """Open ``url`` and log in through the form as ``username``; then wait for ``shown`` (the
    user's name in the sidebar) when given, and for the script to finish."""
    page.goto(url)
    settle(page)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    if shown:
        page.get_by_text(shown).first.wait_for(timeout=30_000)
    settle(page)


TALLEST = "() => document.querySelector('[data-testid=stMain]').scrollHeight + 40"


def full_screenshot(page, file_name: str) -> None:
    """Save test-artifacts/FILE_NAME of the whole page (the window grows: Streamlit scrolls
    inside it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size(
        {"width": size["width"], "height": min(max(page.evaluate(TALLEST), 900), 6000)}
    )
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / file_name), full_page=True)
    page.set_viewport_size(size)


def shoot(page, name: str) -> None:
    """Save test-artifacts/app-NAME.png of the whole page."""
    full_screenshot(page, f"app-{name}.png")


def open_page(page, title: str) -> None:
    """Open a page through its sidebar link (a section may share a page's title: Admin)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    settle(page)


def upload(page, files: list, shown: list[str], exact: bool = True) -> None:
    """Upload ``files`` through the real file input; wait until each text in ``shown`` appears."""
    open_page(page, "Upload")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([str(p) for p in files])
    for text in shown:
        page.get_by_text(text, exact=exact).first.wait_for(timeout=60_000)
    settle(page)
    assert page.get_by_test_id("stAlertContentError").count() == 0


def pick(page, selectbox, option: str, tries: int = 3) -> None:
    """Choose ``option`` in a select box (a click that lands while the page redraws is tried
    again)."""
    for attempt in range(tries):
        selectbox.click()
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.wait_for(timeout=5_000)
        except Exception:  # playwright's TimeoutError: the list did not open
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")
            settle(page)
            continue
        choice.click()
        settle(page)
        return


def choose_profile(page, name: str) -> None:
    """Pick a shipped profile on Profile & mapping and wait for the mappings to show."""
    open_page(page, "Profile & mapping")
    pick(page, page.get_by_test_id("stSelectbox").first, name)
    page.get_by_text("crm_export.xlsx · Organisation").first.wait_for()


def test_operator_uploads_maps_and_runs_in_one_session(server, page):
    url, root = server
    page.goto(url)
    settle(page)
    shoot(page, "login")
    page.get_by_role("textbox", name="Username").fill("olga")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    settle(page)
    page.get_by_role("heading", name="Hotpass workbench").wait_for()
    assert page.get_by_text("Olga Operator").count()
    shoot(page, "home")

    upload(page, _samples(root), ["Contacts DB"])
    shoot(page, "upload")

    choose_profile(page, "aviation")
    shoot(page, "mapping")

    open_page(page, "Run")
    page.get_by_role("button", name="Run").click()
    settle(page, timeout=240_000)
    page.get_by_text("Run 1 finished and published.").wait_for(timeout=240_000)
    assert page.get_by_text("profile aviation", exact=False).count()
    shoot(page, "run")

    open_page(page, "Home")
    page.get_by_text("Runs over time").wait_for()
    shoot(page, "home-after-run")

    page.reload()  # a new session: the login cookie logs it in again
    settle(page)
    page.get_by_text("Olga Operator").wait_for()
    page.get_by_role("button", name="Log out").click()
    settle(page)
    page.get_by_role("button", name="Log in").wait_for()
    page.wait_for_timeout(500)  # the cookie component deletes the cookie
    page.reload()  # logged out for good: the cookie is gone
    settle(page)
    page.get_by_role("button", name="Log in").wait_for()
    assert not page.get_by_text("Olga Operator").count()


def _samples(root: Path) -> list[Path]:
    from hotpass.samples import generate_samples

    return generate_samples(root / "samples", rows=300, seed=3).files
