"""Sessions and the role check at the moment of each action, through AppTest (issue 17).

A page drawn for one role stays in the browser after the role changes; each
click is checked again against the workspace: a refused click changes
nothing, is audited as ``denied`` and says why.
"""

from __future__ import annotations

from hotpass import ProposalStore, Users, review
from tests import test_app_pages as pages
from tests.test_app_pages import PASSWORD, logged_in, opened, texts

master, ws_dir = pages.master, pages.ws_dir  # the fixtures: a workspace with two runs, copied


def _stale_role(directory, username: str, role: str) -> None:
    """Change a role behind the session's back (as if the change had not ended it yet)."""
    with opened(directory) as ws, ws.transaction():
        ws.execute("UPDATE users SET role = ? WHERE username = ?", [role, username])


def _denied(directory, username: str | None = None):
    with opened(directory) as ws:
        return ws.audit_log("denied", username)


def test_a_reviewer_made_viewer_cannot_decide_from_the_open_page(ws_dir):
    at = logged_in("rev1", "review")
    _stale_role(ws_dir, "rev1", "viewer")
    at.button(key="review_same").click().run()
    assert "Not done: your role viewer may not review" in texts(at.error)
    with opened(ws_dir) as ws:
        assert ws.decisions().empty
    denied = _denied(ws_dir, "rev1")
    assert len(denied) == 1 and '"needs": "review"' in denied.iloc[0]["detail"]
    assert "_decide" in denied.iloc[0]["detail"]


def test_a_viewer_cannot_undo_or_approve_from_a_page_drawn_for_a_reviewer(ws_dir):
    at = logged_in("rev1", "review")
    at.button(key="review_same").click().run()  # one action ("same for all"), still a reviewer
    with opened(ws_dir) as ws:
        made = len(ws.decisions())
    assert made >= 1
    _stale_role(ws_dir, "rev1", "viewer")
    at.button(key="review_undo").click().run()
    with opened(ws_dir) as ws:
        assert len(ws.decisions()) == made, "the undo was refused"
        ws.execute("UPDATE users SET role = 'reviewer' WHERE username = 'rev1'")
    at = logged_in("rev1", "enrichment")
    at.button(key="enrich_all_approved").click().run()  # asks first
    _stale_role(ws_dir, "rev1", "viewer")
    at.button(key="enrich_all_yes").click().run()
    with opened(ws_dir) as ws:
        assert ProposalStore(ws).frame(status="approved").empty
    assert len(_denied(ws_dir, "rev1")) == 2


def test_a_demoted_reviewer_is_logged_out_and_the_click_is_refused(ws_dir):
    at = logged_in("rev1", "review")
    with opened(ws_dir) as ws:
        Users(ws).set_role("rev1", "viewer", by="adm1")  # ends rev1's sessions
        pending = len(review.queue(ws))
    at.button(key="review_same").click().run()
    assert at.text_input(key="login_username"), "back to the login form"
    assert "session has ended" in texts(at.warning)
    with opened(ws_dir) as ws:
        assert ws.decisions().empty and len(review.queue(ws)) == pending
    denied = _denied(ws_dir, "rev1")
    assert len(denied) == 1 and "session ended" in denied.iloc[0]["detail"]


def test_a_removed_admin_cannot_add_an_admin_from_the_open_page(ws_dir):
    with opened(ws_dir) as ws:
        Users(ws).add("adm2", "admin", password=PASSWORD)
    at = logged_in("adm2", "admin")
    with opened(ws_dir) as ws:
        Users(ws).remove("adm2", by="adm1")
    at.text_input(key="admin_new_username").input("mallory")
    at.selectbox(key="admin_new_role").select("admin")
    at.button(key="admin_add_submit").click().run()
    assert at.text_input(key="login_username")
    with opened(ws_dir) as ws:
        assert Users(ws).get("mallory") is None
    assert len(_denied(ws_dir, "adm2")) == 1


def test_an_admin_made_viewer_cannot_change_roles(ws_dir):
    with opened(ws_dir) as ws:
        Users(ws).add("adm2", "admin", password=PASSWORD)
    at = logged_in("adm2", "admin")
    at.selectbox(key="admin_user").select("vie1").run()
    at.selectbox(key="admin_role_vie1").select("admin").run()
    _stale_role(ws_dir, "adm2", "viewer")
    at.button(key="admin_set_role").click().run()
    with opened(ws_dir) as ws:
        assert Users(ws).get("vie1").role == "viewer"
    assert len(_denied(ws_dir, "adm2")) >= 1
    assert "Not done: your role viewer may not admin" in texts(at.error)


def test_a_password_change_ends_the_open_session(ws_dir):
    at = logged_in("vie1", "home")
    with opened(ws_dir) as ws:
        Users(ws).set_password("vie1", "Brand-New-Secret-1", by="adm1")
    at.run()
    assert at.text_input(key="login_username") and not at.sidebar.button


def test_unknown_user_and_wrong_password_get_the_same_message(ws_dir):
    one = logged_in_fails("nobody-here", PASSWORD)
    two = logged_in_fails("vie1", "not-the-password")
    assert texts(one.error) == texts(two.error) == "Wrong username or password."


def logged_in_fails(username: str, password: str):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button(key="login_submit").click().run()


def test_being_held_back_says_nothing_about_whether_the_account_exists(ws_dir):
    said = []
    for username in ("nobody-here", "vie1"):
        for _ in range(5):
            logged_in_fails(username, "not-the-password")
        said.append(texts(logged_in_fails(username, "not-the-password").error))
    assert said[0] == said[1] and "Too many failed logins for this username" in said[0]
    with opened(ws_dir) as ws:
        assert "nobody-here" not in ws.audit_log().to_json()


def test_an_idle_session_ends_and_each_page_load_keeps_a_used_one_open(ws_dir, monkeypatch):
    from datetime import timedelta

    from hotpass.workspace.database import now

    monkeypatch.setenv("HOTPASS_SESSION_IDLE_MINUTES", "5")
    at = logged_in("vie1", "home")

    def expiry():
        with opened(ws_dir) as ws:
            return ws.query("SELECT expires_at FROM sessions WHERE username = 'vie1' "
                            "AND ended_at IS NULL")[0][0]

    assert timedelta(minutes=4) < expiry() - now() <= timedelta(minutes=5), "the setting is used"
    with opened(ws_dir) as ws, ws.transaction():  # two minutes pass without a click
        ws.execute("UPDATE sessions SET expires_at = ? WHERE username = 'vie1'", [now() + timedelta(minutes=3)])
    at.run()
    assert expiry() - now() > timedelta(minutes=4), "a page load is use"
    with opened(ws_dir) as ws, ws.transaction():  # left idle past its time
        ws.execute("UPDATE sessions SET expires_at = ? WHERE username = 'vie1'", [now() - timedelta(seconds=1)])
    at.run()
    assert at.text_input(key="login_username") and not at.sidebar.button
    assert "Your session has ended" in texts(at.info) + texts(at.warning) + texts(at.error)


def test_the_login_cookie_is_secure_when_the_workbench_is_reached_over_https():
    from workbench.auth import secure_cookie

    assert secure_cookie("https://hotpass.example.org/review")
    assert secure_cookie("HTTPS://hotpass.example.org")
    assert not secure_cookie("http://localhost:8501/")
    assert not secure_cookie(None) and not secure_cookie("")
