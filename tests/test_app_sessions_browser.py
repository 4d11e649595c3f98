"""A copied login cookie is worth nothing after logout, in a real Chromium (issue 17).

Log in, copy the ``hotpass_login`` cookie, log out, then put the cookie into a
fresh browser context: the login form, not the workbench. Screenshots in
test-artifacts/sessions-*.png.
"""

from __future__ import annotations

import pytest

from hotpass import Users, Workspace
from tests.test_app_browser import ARTIFACTS, full_screenshot, running_app, settle
from tests.test_app_multiuser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "correct-horse-7"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("app-sessions")
    with Workspace(root / "workspace") as ws:
        Users(ws).add("ada", "admin", password=PASSWORD, name="Ada Admin")
    with running_app(root / "workspace", root / "server.log") as url:
        yield url, root


def fresh(browser):
    return browser.new_context(viewport={"width": 1400, "height": 900})


def login_form(page):
    return page.get_by_role("textbox", name="Username")


def test_a_cookie_replayed_after_logout_gets_the_login_form(server):
    url, root = server
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        first = fresh(browser)
        page = first.new_page()
        page.goto(url)
        settle(page)
        login_form(page).fill("ada")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_text("Ada Admin").first.wait_for(timeout=30_000)
        settle(page)
        page.wait_for_function("document.cookie.includes('hotpass_login=')", timeout=15_000)
        cookie = next(c for c in first.cookies() if c["name"] == "hotpass_login")

        # the cookie alone logs in, in another browser, while the session is open
        second = fresh(browser)
        second.add_cookies([cookie])
        other = second.new_page()
        other.goto(url)
        settle(other)
        other.get_by_text("Ada Admin").first.wait_for(timeout=30_000)
        second.close()

        page.get_by_role("button", name="Log out").click()
        login_form(page).wait_for(timeout=30_000)
        settle(page)
        with Workspace(root / "workspace") as ws:
            assert ws.query("SELECT count(*) FROM sessions WHERE ended_reason = 'logout'")[0][0] == 1

        third = fresh(browser)
        third.add_cookies([cookie])
        replay = third.new_page()
        replay.goto(url)
        settle(replay)
        login_form(replay).wait_for(timeout=30_000)
        settle(replay)
        full_screenshot(replay, "sessions-cookie-replayed-after-logout.png")
        assert replay.get_by_text("Ada Admin").count() == 0
        assert replay.get_by_role("button", name="Log out").count() == 0
        third.close()
        first.close()
