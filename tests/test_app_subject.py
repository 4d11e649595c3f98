"""The Data-subject requests page through AppTest: search, export, erase; refusals audited."""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from hotpass import Users, Workspace, load_profile, refine
from tests.test_app_pages import PASSWORD, ROLES, logged_in, opened, texts, workspace_copy
from workbench import nav

EMAIL = "zanele.mokoena@example.org"


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    """A workspace with an admin and a viewer, and one refine of an uploaded members list."""
    root = tmp_path_factory.mktemp("subject")
    members = root / "members.xlsx"
    pd.DataFrame({"Full Name": ["Zanele Mokoena", "Pieter van der Merwe", "Thandi Nkosi"],
                  "Email": [EMAIL.upper(), "pieter.vdm@example.net", "thandi.nkosi@example.com"],
                  "Mobile": ["083 555 0199", "083 555 0202", "084 555 0303"]}).to_excel(
        members, index=False, sheet_name="Members")
    with Workspace(root / "workspace") as ws:
        Users(ws).add("adm1", "admin", password=PASSWORD)
        Users(ws).add("vie1", "viewer", password=PASSWORD)
        upload = ws.add_upload("adm1", members.name, members.read_bytes())
        refine([upload["path"]], load_profile("person"), workspace=ws, username="adm1").close()
    return root


@pytest.fixture
def ws_dir(master, tmp_path, monkeypatch):
    yield from workspace_copy(master / "workspace", tmp_path, monkeypatch)


def _search(at, email: str = EMAIL):
    at.text_input(key="subject_email").input(email)
    return at.button(key="subject_search_submit").click().run()


def test_an_admin_finds_exports_and_erases_a_person(ws_dir):
    at = _search(logged_in("adm1", "subject"))
    assert not at.exception
    places = at.dataframe[0].value
    assert {"golden_person", "person_records", "out_people"} <= set(places["location"])
    assert "members.xlsx" in " ".join(places["location"])
    assert EMAIL not in " ".join(str(v).lower() for v in places.to_numpy().ravel())
    at.button(key="subject_export_prepare").click().run()
    assert "Export ready" in texts(at.success)
    assert any(getattr(b, "key", None) == "subject_export_download" for b in at.get("download_button"))
    at.text_input(key="subject_reason").input("request 42")
    at.checkbox(key="subject_sure").check().run()
    at.button(key="subject_erase").click().run()
    assert not at.exception
    assert "A new search finds nothing" in texts(at.success), texts(at.warning)
    at = _search(at)  # only the file the original workspace's run read is left (this is a copy of it)
    left = at.dataframe[0].value
    assert set(left["area"]) == {"source file"} and not any(p.startswith(str(ws_dir)) for p in left["location"])
    with opened(ws_dir) as ws:
        log = ws.audit_log()
    actions = list(log["action"])
    assert {"subject.search", "subject.export", "subject.erase"} <= set(actions)
    for detail in log["detail"].dropna():
        assert "zanele" not in detail.lower() and "5550199" not in detail


def test_the_page_is_offered_to_admins_only(ws_dir):
    offered = {role: [p.path for pages in nav.allowed(role).values() for p in pages] for role in ROLES}
    assert [r for r, paths in offered.items() if "app_pages/subject.py" in paths] == ["admin"]
    at = logged_in("vie1")
    with pytest.raises(ValueError):
        at.switch_page("app_pages/subject.py").run()


@pytest.mark.parametrize("button", ["subject_search_submit", "subject_export_prepare", "subject_erase"])
def test_an_admin_made_viewer_is_refused_at_each_click_and_audited(ws_dir, button):
    at = _search(logged_in("adm1", "subject"))
    at.text_input(key="subject_reason").input("request 42")
    at.checkbox(key="subject_sure").check().run()
    with opened(ws_dir) as ws, ws.transaction():  # the role changes behind the open page
        ws.execute("UPDATE users SET role = 'viewer' WHERE username = 'adm1'")
        searches = len(ws.audit_log("subject.search"))
    at.button(key=button).click().run()
    assert "Not done: your role viewer may not admin" in texts(at.error)
    with opened(ws_dir) as ws:
        assert len(ws.audit_log("subject.search")) == searches
        assert not len(ws.audit_log("subject.export")) and not len(ws.audit_log("subject.erase"))
        assert ws.query("SELECT count(*) FROM suppression")[0][0] == 0
        denied = [json.loads(d) for d in ws.audit_log("denied", "adm1")["detail"]]
    assert denied and denied[0]["needs"] == "admin" and denied[0]["reason"] == "role viewer"


def test_an_admin_demoted_while_the_page_is_open_is_logged_out_at_the_click(ws_dir):
    at = logged_in("adm1", "subject")
    with Workspace(ws_dir) as ws:
        Users(ws).add("adm2", "admin", password=PASSWORD)
        Users(ws).set_role("adm1", "viewer", by="adm2")  # ends adm1's sessions
    at = _search(at)
    assert at.text_input(key="login_username"), "back to the login form"
    with opened(ws_dir) as ws:
        denied = [json.loads(d) for d in ws.audit_log("denied", "adm1")["detail"]]
        assert not len(ws.audit_log("subject.search"))
    assert any(d["what"].endswith("_search") and d["reason"] == "session ended" for d in denied)


@pytest.mark.browser
@pytest.mark.slow
def test_in_a_browser_an_admin_searches_exports_and_erases(master, tmp_path):
    """The page in a real Chromium; screenshots in test-artifacts/subject-*.png."""
    import shutil

    from tests.test_app_browser import full_screenshot, log_in, running_app, settle
    from tests.test_app_multiuser import chromium

    shutil.copytree(master / "workspace", tmp_path / "workspace")
    with running_app(tmp_path / "workspace", tmp_path / "server.log") as url, chromium() as browser:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
        log_in(page, url, "adm1", password=PASSWORD)
        page.get_by_role("link", name="Data-subject requests").click()
        settle(page)
        page.get_by_role("textbox", name="Email").fill(EMAIL.upper())
        page.get_by_role("button", name="Search everywhere").click()
        page.get_by_text("Places holding them").wait_for(timeout=120_000)
        settle(page)
        full_screenshot(page, "subject-search.png")
        page.get_by_role("button", name="Prepare the export (zip)").click()
        settle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the export").click()
        with zipfile.ZipFile(download.value.path()) as archive:
            assert EMAIL in archive.read("subject.json").decode().lower()
        page.get_by_role("textbox", name="Reason (the request this answers; required, audited)").fill("request 7")
        page.get_by_text("I understand").click()
        settle(page)
        page.get_by_role("button", name="Erase this person everywhere").click()
        page.get_by_text("A new search finds nothing").wait_for(timeout=300_000)
        settle(page)
        full_screenshot(page, "subject-erased.png")
