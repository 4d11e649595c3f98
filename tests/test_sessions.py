"""Sessions kept in the workspace and login throttling without lock-out (issue 17)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import typer
from typer.testing import CliRunner

import hotpass.users as users_module
from hotpass.cli_users import users_app
from hotpass.logins import PER_ACCOUNT, PER_CLIENT, PER_USERNAME, WINDOW_MINUTES
from hotpass.sessions import HOURS, IDLE_MINUTES, Sessions
from hotpass.users import Users
from hotpass.workspace import Workspace
from hotpass.workspace.database import now

T0 = datetime(2026, 11, 1, 9, 0)
SECRET = "Correct-Horse-42"


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setattr(users_module, "ROUNDS", 4)
    with Workspace(tmp_path / "ws") as workspace:
        Users(workspace).add("ann", "reviewer", SECRET)
        Users(workspace).add("root", "admin", "Root-Secret-123")
        yield workspace


# --- sessions -------------------------------------------------------------------------------------

def test_a_session_lasts_until_logout_and_never_past_its_hours(ws):
    sessions = Sessions(ws)
    token = sessions.start("ann", "client-a")
    assert sessions.username(token) == "ann" and sessions.open_count("ann") == 1
    assert sessions.username(token, now=datetime.now() + timedelta(hours=HOURS + 1)) is None
    assert sessions.end(token, "logout") and sessions.username(token) is None
    assert not sessions.end(token), "ended once"
    assert ws.query("SELECT count(*) FROM sessions WHERE token_hash = ?", [token])[0][0] == 0, \
        "only the token's hash is kept"
    for odd in (None, "", "made-up-token"):
        assert sessions.username(odd) is None


def test_an_idle_session_expires_and_use_keeps_it_open_but_never_past_its_hours(ws):
    sessions, start = Sessions(ws), now()
    token = sessions.start("ann", "client-a", now=start)
    idle = timedelta(minutes=IDLE_MINUTES)
    assert sessions.username(token, now=start + idle - timedelta(seconds=1)) == "ann"
    assert sessions.username(token, now=start + idle + timedelta(seconds=1)) is None, "left idle"

    token = sessions.start("ann", "client-a", now=start)
    at = start
    while at < start + timedelta(hours=HOURS) - idle:  # in use every three quarters of the idle time
        at += idle * 0.75
        assert sessions.username(token, now=at) == "ann", at
        sessions.seen(token, now=at)
    assert sessions.username(token, now=start + timedelta(hours=HOURS, seconds=1)) is None, "12 hours"
    sessions.seen(token, now=start + timedelta(hours=HOURS, seconds=1))
    assert sessions.username(token, now=start + timedelta(hours=HOURS, seconds=2)) is None, "not revived"


def test_the_idle_time_is_a_setting_and_use_within_a_minute_writes_nothing(ws):
    sessions, start = Sessions(ws, idle_minutes=5), now()
    token = sessions.start("ann", "client-a", now=start)
    assert sessions.username(token, now=start + timedelta(minutes=6)) is None
    token = sessions.start("ann", "client-a", now=start)
    sessions.seen(token, now=start + timedelta(seconds=30))
    expires = ws.query("SELECT expires_at FROM sessions ORDER BY session_id DESC LIMIT 1")[0][0]
    assert expires == start + timedelta(minutes=5), "moved on at most once a minute"
    sessions.end(token)
    sessions.seen(token, now=start + timedelta(minutes=2))
    assert sessions.username(token, now=start + timedelta(minutes=3)) is None, "an ended session stays ended"


@pytest.mark.parametrize("change", [
    lambda users: users.set_password("ann", "Another-Secret-7", by="root"),
    lambda users: users.set_role("ann", "viewer", by="root"),
    lambda users: users.remove("ann", by="root"),
])
def test_password_role_and_removal_end_every_session_of_the_account(ws, change):
    sessions = Sessions(ws)
    tokens = [sessions.start("ann", client) for client in ("a", "b")]
    other = sessions.start("root", "a")
    change(Users(ws))
    assert [sessions.username(t) for t in tokens] == [None, None]
    assert sessions.username(other) == "root", "other accounts keep theirs"


def test_a_token_from_before_a_password_change_is_refused(ws):
    ws.execute("UPDATE users SET password_changed_at = ? WHERE username = 'ann'",
               [T0 - timedelta(days=1)])
    token = Sessions(ws).start("ann", "a", now=T0)
    later = T0 + timedelta(minutes=5)
    assert Sessions(ws).username(token, now=later) == "ann"
    # the password changed (by any means: even a direct write that ends no session)
    ws.execute("UPDATE users SET password_changed_at = ? WHERE username = 'ann'",
               [T0 + timedelta(minutes=1)])
    assert Sessions(ws).username(token, now=later) is None


# --- throttling ---------------------------------------------------------------------------------

def test_bad_passwords_from_one_client_never_lock_out_the_owner_elsewhere(ws):
    users = Users(ws)
    for round_ in range(10):  # an attacker keeps going, every few minutes, for hours
        now = T0 + timedelta(minutes=4 * round_)
        for attempt in range(PER_ACCOUNT + 2):
            assert not users.login("ann", f"guess-{round_}-{attempt}", "attacker", now=now).ok
        assert users.login("ann", SECRET, "attacker", now=now).throttled, "the attacker waits"
        assert users.login("ann", SECRET, "owner", now=now).ok, "the owner logs in"
    assert ws.audit_log("login.locked").empty


def test_a_throttled_client_waits_out_the_window_only(ws):
    users = Users(ws)
    for attempt in range(PER_ACCOUNT):
        users.login("ann", f"guess-{attempt}", "a", now=T0)
    refused = users.login("ann", SECRET, "a", now=T0 + timedelta(minutes=1))
    assert not refused.ok and refused.throttled == WINDOW_MINUTES - 1
    assert users.login("ann", SECRET, "a", now=T0 + timedelta(minutes=WINDOW_MINUTES, seconds=1)).ok


def test_one_client_guessing_many_names_is_throttled_for_all(ws):
    users = Users(ws)
    for attempt in range(PER_CLIENT):
        users.login(f"name-{attempt % 7}", "guess-guess", "a", now=T0)
    assert users.login("ann", SECRET, "a", now=T0).throttled
    assert users.login("ann", SECRET, "b", now=T0).ok


def test_guessing_from_many_clients_holds_back_new_clients_but_not_the_owners(ws):
    users = Users(ws)
    assert users.login("ann", SECRET, "owner-laptop", now=T0 - timedelta(days=3)).ok
    for attempt in range(PER_USERNAME):  # a botnet: few guesses from each of many addresses
        users.login("ann", f"guess-{attempt}", f"bot-{attempt // 3}", now=T0)
    assert users.login("ann", SECRET, "new-bot", now=T0).throttled, "a new client waits"
    assert users.login("ann", SECRET, "owner-laptop", now=T0).ok, "the owner's browser gets in"
    assert not users.login("bob", "guess", "new-bot", now=T0).throttled, "other names are free"
    users.unlock("ann", by="root")
    assert users.login("ann", SECRET, "new-bot", now=T0).ok


def test_unknown_and_known_usernames_are_answered_alike(ws):
    users = Users(ws)
    known = [users.login("ann", "wrong-guess", "a", now=T0) for _ in range(PER_ACCOUNT + 1)]
    unknown = [users.login("nobody", "wrong-guess", "a", now=T0) for _ in range(PER_ACCOUNT + 1)]
    assert known == unknown, "the same answers, throttling included"
    log = ws.audit_log()
    assert "nobody" not in log.to_json()
    assert ws.query("SELECT count(*) FROM login_attempts WHERE account LIKE '%nobody%'")[0][0] == 0


# --- hotpass users unlock while the workbench runs -------------------------------------------------

def test_unlock_works_while_the_workbench_holds_the_workspace(ws, monkeypatch):
    users = Users(ws)
    for attempt in range(PER_ACCOUNT):
        users.login("ann", f"guess-{attempt}", "a")
    assert users.login("ann", SECRET, "a").throttled
    token = Sessions(ws).start("root", "b")  # the workbench: a session open, a connection open
    app = typer.Typer()
    app.add_typer(users_app, name="users")
    monkeypatch.setenv("HOTPASS_WORKSPACE", str(ws.directory))  # as `hotpass app` sets it
    result = CliRunner().invoke(app, ["users", "unlock", "ann"])
    assert result.exit_code == 0 and result.output == "unlocked ann\n"
    assert users.login("ann", SECRET, "a").ok
    assert Sessions(ws).username(token) == "root", "unlocking ends nobody's session"
