"""The workbench through AppTest: login, roles, uploads and mapping kept per user, runs in the
background."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from hotpass import STAGES, Users, Workspace, load_profile
from tests.conftest import ROOT
from workbench import kept, nav, roles_ui, stored
from workbench.text import md

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


def drop_zone(at: AppTest):
    """The upload page's drop zone (a fresh one, with a new key, after each drop)."""
    (zone,) = [u for u in at.file_uploader if str(u.key).startswith("upload_files_")]
    return zone


def uploaded(at: AppTest, files) -> AppTest:
    at.switch_page("app_pages/upload.py").run()
    drop_zone(at).set_value(files).run()
    assert not at.exception
    return at


def role_boxes(at: AppTest, where: str) -> list:
    """The role select boxes of a page ("upload" or "map"), in sheet order."""
    return [s for s in at.selectbox
            if str(s.key).startswith(f"{where}_") and str(s.key).endswith("_role")]


def role_box(at: AppTest, where: str, file: str, sheet: str):
    """The role select box of one sheet on a page ("upload" or "map")."""
    start = f"{where}_{roles_ui.sheet_id(SimpleNamespace(file=file, sheet=sheet))}_"
    (box,) = [s for s in role_boxes(at, where) if str(s.key).startswith(start)]
    return box


def kept_names(directory, username: str = "ope1") -> list[str]:
    """The names of the user's kept uploads, as uploaded, in upload order."""
    with Workspace(directory) as ws:
        names = kept.names(ws, username)
        return [names.get(int(row["upload_id"]), row["name"]) for row in ws.uploads(username)]


def run_heading(at: AppTest) -> str:
    return next((h.value for h in at.subheader if str(h.value).startswith("Run ")), "")


def started(at: AppTest) -> AppTest:
    """Click Run on the Run page; the page comes back at once with the queued run."""
    at.switch_page("app_pages/run.py").run()
    began = time.monotonic()
    at.button(key="run_start").click().run()
    assert time.monotonic() - began < 10, "Run waited for the run"
    assert not at.exception
    return at


def finished(at: AppTest, timeout: float = 240) -> AppTest:
    """Draw the Run page again until the run is no longer queued or running."""
    deadline = time.monotonic() + timeout
    while run_heading(at).endswith(("waiting for its worker", "running")):
        assert time.monotonic() < deadline, f"the run did not finish in {timeout} s"
        time.sleep(0.5)
        at.run()
    assert not at.exception
    return at


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


def test_too_many_failures_hold_back_this_address_but_lock_nothing(ws_dir):
    at = app()
    for _ in range(5):
        at = log_in(at, "ope1", "not-the-password")
    at = log_in(at, "ope1")  # the right password waits too, from this address
    assert "Too many failed logins for this username from your address" in texts(at.error)
    assert not at.sidebar.button
    with opened(ws_dir) as ws:
        assert ws.audit_log("login.throttled", "ope1").shape[0] == 1
        assert ws.audit_log("login.locked").empty
        Users(ws).unlock("ope1", by="test")  # what `hotpass users unlock` does
    assert "`ope1` · operator" in texts(log_in(at, "ope1").sidebar.markdown)


def test_logout_forgets_the_session(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks[:1])
    at.sidebar.button(key="logout_button").click().run()
    assert at.text_input(key="login_username")
    assert "hp.books" not in at.session_state and at.session_state["hp.user"] is None
    with opened(ws_dir) as ws:
        assert ws.audit_log("logout", "ope1").shape[0] == 1
    assert kept_names(ws_dir) == [workbooks[0][0]]  # kept in the workspace for the next login


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
    assert texts(at.error).startswith("broken.xlsx: ")
    captions = texts(at.caption)
    assert "header in row 1 · 47 data rows" in captions
    assert "header in row 1 · 73 data rows" in captions
    assert [b.value for b in role_boxes(at, "upload")] == ["organisation", "contact"]
    assert at.tabs and [t.label for t in at.tabs] == ["Organisation", "Contact Info"]
    assert kept_names(ws_dir) == ["broken.xlsx", "crm_export.xlsx"]  # both kept, one unreadable
    with opened(ws_dir) as ws:
        log = ws.audit_log("upload.add", "ope1")
    assert len(log) == 2 and {"upload_id", "size"} <= set(json.loads(log.iloc[0]["detail"]))


def test_uploads_are_kept_for_the_user_across_sessions_and_go_when_removed(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks)
    assert not drop_zone(at).value  # an empty drop zone: the kept list below is what counts
    at.switch_page("app_pages/home.py").run()
    at.switch_page("app_pages/upload.py").run()
    assert len(at.tabs) == 4  # four sheets in three files
    again = logged_in("ope1")  # a reload, or a new tab: a new session of the same user
    again.switch_page("app_pages/upload.py").run()
    assert len(again.tabs) == 4 and not again.exception
    assert len(logged_in("adm1").switch_page("app_pages/upload.py").run().tabs) == 0  # not shared
    first = next(b for b in again.button if str(b.key).startswith("remove_"))
    first.click().run()
    assert kept_names(ws_dir) == ["crm_export.xlsx", "legacy_contacts.xlsx"]
    assert len(again.tabs) == 3
    drop_zone(again).set_value(workbooks[0]).run()  # added back
    assert kept_names(ws_dir) == ["crm_export.xlsx", "legacy_contacts.xlsx",
                                  "regulator_register.xlsx"]
    at.switch_page("app_pages/upload.py").run()  # the first session sees the same files
    assert len(at.tabs) == 4


def test_a_parsed_workbook_is_read_once_per_session(ws_dir, workbooks, monkeypatch):
    from workbench import sources

    at = uploaded(logged_in("ope1"), workbooks[:1])
    reads = []
    original = sources.read_upload
    monkeypatch.setattr(sources, "read_upload", lambda *a: reads.append(a) or original(*a))
    for page in ("home", "upload", "mapping", "upload"):
        at.switch_page(f"app_pages/{page}.py").run()
    assert reads == [] and len(at.tabs) == 1
    assert list(at.session_state["hp.books"]) == ["reading", (
        kept_sha(ws_dir), "regulator_register.xlsx")]


def kept_sha(directory) -> str:
    with Workspace(directory) as ws:
        return ws.uploads("ope1")[0]["sha256"]


def test_a_hostile_file_name_is_shown_as_typed_and_kept_safely(ws_dir, workbooks):
    hostile = "../../[click](javascript:alert(1)) <b>x</b>.xlsx"
    at = uploaded(logged_in("ope1"), [(hostile, workbooks[1][1], XLSX)])
    shown = texts(at.markdown)
    assert r"\[click\](javascript:alert(1)) \<b\>x\</b\>.xlsx" in shown  # escaped: plain text
    assert kept_names(ws_dir) == [hostile]
    with Workspace(ws_dir) as ws:
        (row,) = ws.uploads("ope1")
    assert row["path"].resolve().is_relative_to((ws_dir / "uploads" / "ope1").resolve())
    assert "/" not in row["name"] and ".." not in row["path"].relative_to(ws_dir).parts
    assert [t.label for t in at.tabs] == ["Organisation", "Contact Info"]


def test_a_different_file_under_a_name_already_kept_is_refused(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks[:1])
    drop_zone(at).set_value((workbooks[0][0], workbooks[1][1], XLSX)).run()
    assert "already loaded; remove it first" in texts(at.error)
    assert kept_names(ws_dir) == ["regulator_register.xlsx"]


# --- profile and mapping ----------------------------------------------------------------------


def sheet_mapping(at: AppTest, file: str, sheet: str):
    return at.session_state["hp.mapped"].mapping_of(file, sheet)


def ignore_an_unsure_column(at: AppTest) -> str:
    """On Profile & mapping, point the first "check" column of crm_export/Organisation nowhere."""
    editor = at.data_editor[1]  # crm_export.xlsx, sheet Organisation
    table = editor.value
    row = int(table.index[table["check"] == "⚠ check"][0])
    at.session_state[editor.key] = {"edited_rows": {row: {"target field": "(ignore)"}},
                                    "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    return table.loc[row, "source column"]


def test_a_mapping_edit_changes_the_target_and_is_kept(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks)
    at.switch_page("app_pages/mapping.py").run()
    source = ignore_an_unsure_column(at)
    column = next(c for c in sheet_mapping(at, "crm_export.xlsx", "Organisation").columns
                  if c.source == source)
    assert (column.target, column.method) == (None, "unmapped")
    at.selectbox(key="profile_choice").select("aviation").run()  # mapped again: the hand edit stays
    mapping = sheet_mapping(at, "crm_export.xlsx", "Organisation")
    assert next(c for c in mapping.columns if c.source == source).target is None
    with opened(ws_dir) as ws:
        assert kept.edits(ws, "ope1") == {("crm_export.xlsx", "Organisation", source): None}
        assert kept.profile_choice(ws, "ope1") == {"label": "aviation", "yaml": None}


def test_a_reload_restores_the_profile_roles_and_edits(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks)
    at.switch_page("app_pages/mapping.py").run()
    at.selectbox(key="profile_choice").select("aviation").run()
    source = ignore_an_unsure_column(at)
    role_box(at, "map", "legacy_contacts.xlsx", "Contacts DB").select("contact").run()
    again = logged_in("ope1")  # a new session: nothing of the first one's memory
    again.switch_page("app_pages/mapping.py").run()
    assert again.selectbox(key="profile_choice").value == "aviation"
    assert sheet_mapping(again, "legacy_contacts.xlsx", "Contacts DB").role == "contact"
    assert sheet_mapping(again, "legacy_contacts.xlsx", "Contacts DB").role_method == "manual"
    column = next(c for c in sheet_mapping(again, "crm_export.xlsx", "Organisation").columns
                  if c.source == source)
    assert column.target is None


def tune_input(at: AppTest, name: str):
    return next(n for n in at.number_input if str(n.key).startswith(f"tune_resolution_{name}_"))


def test_tuning_shows_each_problem_beside_its_setting_and_is_kept(ws_dir):
    at = logged_in("ope1")
    at.switch_page("app_pages/mapping.py").run()
    tune_input(at, "review_threshold").set_value(0.95)
    at.button(key="tune_submit").click().run()
    assert "review_threshold must be below match_threshold" in texts(at.error)
    tune_input(at, "review_threshold").set_value(0.6)
    at.button(key="tune_submit").click().run()
    assert not at.error
    with opened(ws_dir) as ws:
        choice = kept.profile_choice(ws, "ope1")
    assert choice["label"] == "generic (tuned)"
    assert yaml.safe_load(choice["yaml"])["entities"]["organisation"]["resolution"]["review_threshold"] == 0.6
    again = logged_in("ope1")
    again.switch_page("app_pages/mapping.py").run()
    assert tune_input(again, "review_threshold").value == 0.6


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
    assert at.selectbox(key="profile_choice").value == "my-crm (saved)"
    with opened(ws_dir) as ws:
        assert kept.profile_choice(ws, "ope1") == {"label": "my-crm (saved)", "yaml": None}


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


def test_a_run_goes_on_in_the_background_and_is_stored(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks)
    at.switch_page("app_pages/mapping.py").run()
    source = ignore_an_unsure_column(at)
    at = started(at)
    assert run_heading(at) in ("Run 1: waiting for its worker", "Run 1: running")
    assert at.button(key="run_start").disabled  # one active run per user
    assert len(at.get("progress")) == len(STAGES)  # one bar per stage
    other = logged_in("adm1")  # another user is never held up by it
    other.switch_page("app_pages/review.py").run()
    assert "No finished run yet" in texts(other.info)
    finished(at)
    assert run_heading(at) == "Run 1: finished"
    assert "Run 1 finished and published." in texts(at.success)
    assert not at.button(key="run_start").disabled
    assert "Finding duplicates" in at.dataframe[-1].value["stage"].tolist()  # timings
    with opened(ws_dir) as ws:
        runs = ws.runs()
        assert (runs.iloc[0]["status"], runs.iloc[0]["username"]) == ("ok", "ope1")
        assert kept.current_run(ws, "ope1") == 1
        with stored.opened(ws, 1) as result:  # the worker may be letting go of it
            assert len(result.organisations)
            assert set(result.files) == {name for name, _, _ in workbooks}
            used = next(m for m in result.mappings if m.sheet == "Organisation")
    column = next(c for c in used.columns if c.source == source)
    assert (column.target, column.method) == (None, "unmapped")  # the mapping as it was edited
    again = logged_in("ope1")  # a reload shows the same run
    again.switch_page("app_pages/run.py").run()
    assert run_heading(again) == "Run 1: finished"


def test_another_users_active_run_blocks_nobody(ws_dir, workbooks):
    with Workspace(ws_dir) as ws:
        ws.start_run("generic", ["x.xlsx"], "adm1", status="queued")  # never picked up
        kept.set_current_run(ws, "adm1", 1)
    at = uploaded(logged_in("ope1"), workbooks[:1])
    at.switch_page("app_pages/run.py").run()
    assert not at.button(key="run_start").disabled
    admin = logged_in("adm1")
    admin.switch_page("app_pages/upload.py").run()
    drop_zone(admin).set_value(workbooks[:1]).run()
    admin.switch_page("app_pages/run.py").run()
    assert admin.button(key="run_start").disabled
    assert run_heading(admin) == "Run 1: waiting for its worker"


def test_a_blocked_run_can_be_published_with_a_reason(ws_dir, workbooks):
    profile = load_profile("aviation").to_dict()
    profile["validation"]["blocking"].append("organisations.phone_e164")
    at = logged_in("ope1")
    at.switch_page("app_pages/mapping.py").run()
    at.file_uploader(key="profile_yaml").set_value(
        ("strict.yaml", yaml.safe_dump(profile).encode(), "text/yaml")
    )
    at = finished(started(uploaded(at.run(), workbooks)))
    assert "Not published" in texts(at.error)
    assert "organisations.phone_e164" in at.dataframe[0].value["id"].tolist()
    at.button(key="override_submit").click().run()
    assert "A reason is required" in texts(at.error)
    at.text_area(key="override_reason").input("phones are checked by hand this month")
    at.button(key="override_submit").click().run()
    assert "published with your reason" in texts(at.success)
    assert "(blocking checks overridden)" in texts(at.success)
    with opened(ws_dir) as ws:
        assert ws.runs().iloc[0]["status"] == "ok"
        detail = json.loads(ws.audit_log("publish.override", "ope1").iloc[0]["detail"])
        with stored.opened(ws, 1) as result:  # the worker may be letting go of it
            assert result.published and "workbook" in result.outputs
    assert detail["reason"] == "phones are checked by hand this month"


def test_a_failed_run_says_why_and_keeps_the_uploads_and_mapping(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks)
    with Workspace(ws_dir) as ws:  # the kept file is damaged after it was read
        row = next(r for r in ws.uploads("ope1") if r["name"] == "crm_export.xlsx")
    row["path"].write_bytes(b"no longer a workbook")
    at = finished(started(at))
    assert run_heading(at) == "Run 1: failed"
    shown = texts(at.error)
    assert "The run failed at “Reading files”" in shown and md("crm_export.xlsx") in shown
    assert "your uploads and mapping are kept" in shown
    assert len(kept_names(ws_dir)) == 3 and not at.button(key="run_start").disabled
    with opened(ws_dir) as ws:
        assert ws.runs().iloc[0]["status"] == "failed"


def test_home_shows_runs_and_what_waits(ws_dir, workbooks):
    at = logged_in("vie1")
    assert "No finished runs yet" in texts(at.info)
    assert not [
        link for link in at.get("page_link")
    ]  # a viewer is not sent to pages they cannot open


def test_the_login_run_does_not_import_pandas_or_the_profile_model():
    """The first page is drawn sooner when the modules app.py imports leave pandas and pydantic
    models for later."""
    code = ("import sys, streamlit, hotpass.users, workbench.auth, workbench.nav, "
            "workbench.services, workbench.state\n"
            "heavy = [m for m in ('pandas', 'hotpass.profile') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
