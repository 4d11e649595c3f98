"""The workbench through AppTest: login, roles, upload, mapping, profile, run."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from hotpass.profile import load_profile
from hotpass.users import Users
from hotpass.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
from tests.conftest import ROOT
from workbench import nav

PASSWORD = "correct-horse-1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    """The three sample workbooks as (name, bytes, mime) uploads."""
    from hotpass.samples import generate_samples

    files = generate_samples(tmp_path_factory.mktemp("app-samples"), rows=300, seed=3).files
    return [(f.name, f.read_bytes(), XLSX) for f in files]


@pytest.fixture
def ws_dir(tmp_path, monkeypatch):
    """A fresh workspace with one user per role; the app's shared workspace is closed afterwards."""
    directory = tmp_path / "workspace"
    with Workspace(directory) as ws:
        users = Users(ws)
        for role in ("viewer", "operator", "reviewer", "admin"):
            users.add(role[:3] + "1", role, password=PASSWORD)
    monkeypatch.setenv("HOTPASS_WORKSPACE", str(directory))
    yield directory
    st.cache_resource.clear()  # closes the app's workspace (on_release)


def opened(directory):
    """The workspace as the test sees it, after the app let go of it."""
    st.cache_resource.clear()
    return Workspace(directory)


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()


def log_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click()
    return at.run()


def logged_in(username: str) -> AppTest:
    at = log_in(app(), username)
    assert not at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def pages(at: AppTest) -> set[str]:
    """The pages this session's navigation offers (switch_page refuses any other)."""
    found = set()
    for name, spec in nav.PAGES.items():
        try:
            at.switch_page(spec.path)
        except ValueError:
            continue
        found.add(name)
    return found


def uploaded(at: AppTest, files) -> AppTest:
    at.switch_page("app_pages/upload.py").run()
    return at.file_uploader(key="upload_files").set_value(files).run()


# --- login -------------------------------------------------------------------------------------


def test_first_start_creates_an_admin_and_prints_its_password_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOTPASS_WORKSPACE", str(tmp_path / "empty"))
    try:
        app()
        printed = capsys.readouterr().out
        assert "Hotpass: created user admin with password " in printed
        password = printed.split("with password ", 1)[1].split(" ")[0]
        app()
        assert "created user admin" not in capsys.readouterr().out
        with opened(tmp_path / "empty") as ws:
            assert Users(ws).verify("admin", password)
        key = tmp_path / "empty" / ".cookie_key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    finally:
        st.cache_resource.clear()


def test_login_with_the_right_password_shows_the_workbench(ws_dir):
    at = logged_in("ope1")
    assert [t.value for t in at.title] == ["Hotpass workbench"]
    assert "`ope1` · operator" in texts(at.sidebar.markdown)
    assert not at.text_input  # the login form is gone


def test_a_wrong_password_is_refused(ws_dir):
    at = log_in(app(), "ope1", "not-the-password")
    assert "Wrong username or password." in texts(at.error)
    assert at.text_input(key="login_username")  # still on the form
    with opened(ws_dir) as ws:
        assert Users(ws).get("ope1").failed_logins == 1


def test_too_many_failures_lock_the_account(ws_dir):
    at = app()
    for _ in range(Users.MAX_FAILURES):
        at = log_in(at, "ope1", "not-the-password")
    assert "locked after 5 failed logins" in texts(at.error)
    at = log_in(at, "ope1")  # the right password no longer helps
    assert "is locked" in texts(at.error)
    assert not at.sidebar.button
    with opened(ws_dir) as ws:
        assert ws.audit_log("login.locked", "ope1").shape[0] == 1


def test_logout_forgets_the_session(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks[:1])
    at.sidebar.button(key="logout_button").click().run()
    assert at.text_input(key="login_username")
    assert "hp.uploads" not in at.session_state and at.session_state["hp.user"] is None
    with opened(ws_dir) as ws:
        assert ws.audit_log("logout", "ope1").shape[0] == 1


def test_the_page_list_follows_the_role(ws_dir):
    viewer, operator, admin = (pages(logged_in(name)) for name in ("vie1", "ope1", "adm1"))
    assert "home" in viewer and not viewer & {"upload", "mapping", "run", "admin"}
    assert {"home", "upload", "mapping", "run"} <= operator and "admin" not in operator
    assert admin == set(nav.PAGES)
    assert len(viewer) < len(operator) < len(admin)


# --- upload ------------------------------------------------------------------------------------


def test_a_bad_file_shows_its_error_and_the_good_one_its_sheets(ws_dir, workbooks):
    bad = ("broken.xlsx", b"this is not a workbook", XLSX)
    at = uploaded(logged_in("ope1"), [bad, workbooks[1]])
    assert not at.exception
    assert texts(at.error).startswith("broken.xlsx: ")
    captions = texts(at.caption)
    assert "header in row 1 · 47 data rows · role **organisation**" in captions
    assert "header in row 1 · 73 data rows · role **contact**" in captions
    assert at.tabs and [t.label for t in at.tabs] == ["Organisation", "Contact Info"]
    with opened(ws_dir) as ws:
        log = ws.audit_log("upload", "ope1")
    assert json.loads(log.iloc[0]["detail"]) == {"files": 2, "unreadable": 1}


def test_uploads_stay_when_the_page_is_left_and_go_when_removed(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks)
    at.switch_page("app_pages/home.py").run()
    at.switch_page("app_pages/upload.py").run()
    assert len(at.tabs) == 4  # four sheets in three files, although the uploader is empty again
    at.button(key=next(b.key for b in at.button if str(b.key).startswith("remove_"))).click().run()
    names = lambda: [u.name for u in at.session_state["hp.uploads"].values()]  # noqa: E731
    assert names() == ["crm_export.xlsx", "legacy_contacts.xlsx"]
    at.file_uploader(key="upload_files").set_value(workbooks[0]).run()  # added back
    assert names() == ["crm_export.xlsx", "legacy_contacts.xlsx", "regulator_register.xlsx"]
    at.file_uploader(key="upload_files").set_value(None).run()  # taken out of the uploader again
    assert names() == ["crm_export.xlsx", "legacy_contacts.xlsx"]


# --- profile and mapping ----------------------------------------------------------------------


def test_a_mapping_edit_changes_the_target(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks)
    at.switch_page("app_pages/mapping.py").run()
    editor = at.data_editor[1]  # crm_export.xlsx, sheet Organisation
    table = editor.value
    row = int(table.index[table["check"] == "⚠ check"][0])
    source = table.loc[row, "source column"]
    at.session_state[editor.key] = {
        "edited_rows": {row: {"target field": "(ignore)"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    mapping = at.session_state["hp.mapped"].mapping_of("crm_export.xlsx", "Organisation")
    column = next(c for c in mapping.columns if c.source == source)
    assert (column.target, column.method) == (None, "unmapped")
    at.selectbox(key="profile_choice").select("aviation").run()  # mapped again: the hand edit stays
    mapping = at.session_state["hp.mapped"].mapping_of("crm_export.xlsx", "Organisation")
    assert next(c for c in mapping.columns if c.source == source).target is None


def test_tuning_shows_each_problem_beside_its_setting(ws_dir):
    at = logged_in("ope1")
    at.switch_page("app_pages/mapping.py").run()
    version = at.session_state["hp.chosen"].version
    at.number_input(key=f"tune_resolution_review_threshold_{version}").set_value(0.95)
    at.button(key="tune_submit").click().run()
    assert "review_threshold must be below match_threshold" in texts(at.error)
    at.number_input(key=f"tune_resolution_review_threshold_{version}").set_value(0.6)
    at.button(key="tune_submit").click().run()
    assert not at.error
    chosen = at.session_state["hp.chosen"]
    assert chosen.label == "generic (tuned)" and chosen.profile.resolution.review_threshold == 0.6


def test_a_profile_is_saved_into_the_workspace(ws_dir):
    at = logged_in("ope1")
    at.switch_page("app_pages/mapping.py").run()
    at.text_input(key="save_name").input("generic")
    at.button(key="save_submit").click().run()
    assert "is a shipped profile" in texts(at.error)
    at.text_input(key="save_name").input("my-crm")
    at.button(key="save_submit").click().run()
    saved = ws_dir / "profiles" / "my-crm.yaml"
    assert saved.exists() and load_profile(saved).name == "my-crm"
    assert at.session_state["hp.chosen"].label == "my-crm (saved)"


def test_an_uploaded_profile_with_problems_lists_them_all(ws_dir):
    at = logged_in("ope1")
    at.switch_page("app_pages/mapping.py").run()
    bad = yaml.safe_dump(
        {"name": "x", "resolution": {"match_threshold": 2}, "colour": "blue"}
    ).encode()
    at.file_uploader(key="profile_yaml").set_value(("bad.yaml", bad, "application/x-yaml")).run()
    shown = texts(at.error)
    assert "bad.yaml: 2 problem(s)" in shown
    assert "resolution.match_threshold" in shown and "colour: unknown setting" in shown


# --- run ---------------------------------------------------------------------------------------


def test_a_run_finishes_and_is_stored_in_the_workspace(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks)
    at.switch_page("app_pages/run.py").run()
    at.button(key="run_start").click().run(timeout=180)
    assert not at.exception
    assert "Run 1 finished and published." in texts(at.success)
    assert [s.state for s in at.status] == ["complete"]
    assert "Find duplicates" in at.dataframe[-1].value["stage"].tolist()  # the stage timings
    assert at.session_state["hp.result"].refined.run_id == 1
    with opened(ws_dir) as ws:
        runs = ws.runs()
        assert (runs.iloc[0]["status"], runs.iloc[0]["username"]) == ("ok", "ope1")
        assert len(ws.table(1, "organisations"))


def test_a_blocked_run_can_be_published_with_a_reason(ws_dir, workbooks):
    profile = load_profile("aviation").to_dict()
    profile["validation"]["blocking"].append("organisations.phone_e164")
    at = logged_in("ope1")
    at.switch_page("app_pages/mapping.py").run()
    at.file_uploader(key="profile_yaml").set_value(
        ("strict.yaml", yaml.safe_dump(profile).encode(), "text/yaml")
    )
    at = uploaded(at.run(), workbooks)
    at.switch_page("app_pages/run.py").run()
    at.button(key="run_start").click().run(timeout=180)
    assert "Not published" in texts(at.error)
    assert "organisations.phone_e164" in at.dataframe[0].value["id"].tolist()
    at.button(key="override_submit").click().run()
    assert "A reason is required." in texts(at.error)
    at.text_area(key="override_reason").input("phones are checked by hand this month")
    at.button(key="override_submit").click().run()
    assert "(blocking checks overridden)" in texts(at.success)
    with opened(ws_dir) as ws:
        assert ws.runs().iloc[0]["status"] == "ok"
        detail = json.loads(ws.audit_log("publish.override", "ope1").iloc[0]["detail"])
    assert detail["reason"] == "phones are checked by hand this month"


def test_a_failed_stage_says_why_and_keeps_the_session(ws_dir, workbooks, monkeypatch):
    from hotpass import session
    from hotpass.errors import HotpassError

    def broken(*args, **kwargs):
        raise HotpassError("crm_export.xlsx, sheet 'Organisation': column 'Phone' cannot be read")

    monkeypatch.setattr(session, "refine_sheets", broken)
    at = uploaded(logged_in("ope1"), workbooks)
    at.switch_page("app_pages/run.py").run()
    at.button(key="run_start").click().run()
    assert "column 'Phone' cannot be read" in texts(at.error)
    assert [s.state for s in at.status] == ["error"]
    assert len(at.session_state["hp.uploads"]) == 3
    with opened(ws_dir) as ws:
        assert ws.runs().iloc[0]["status"] == "failed"


def test_home_shows_runs_and_what_waits(ws_dir, workbooks):
    at = logged_in("vie1")
    assert "No finished runs yet" in texts(at.info)
    assert not [
        link for link in at.get("page_link")
    ]  # a viewer is not sent to pages they cannot open


def test_the_login_run_does_not_import_pandas_or_the_profile_model():
    """The first page is drawn sooner when the modules app.py imports leave pandas and pydantic models for later."""
    code = ("import sys, streamlit, hotpass.users, workbench.auth, workbench.nav, workbench.services, "
            "workbench.state\nheavy = [m for m in ('pandas', 'hotpass.profile') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
