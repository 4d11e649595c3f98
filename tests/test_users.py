"""Workbench users: roles, bcrypt passwords, failed logins, the audit trail,
streamlit-authenticator's credentials, and ``hotpass users`` on the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest
import typer
from typer.testing import CliRunner

import hotpass.users as users_module
from hotpass.cli_users import users_app
from hotpass.errors import HotpassError, UserError
from hotpass.users import PERMISSIONS, ROLES, Users, can
from hotpass.workspace import Workspace

T0 = datetime(2026, 11, 1, 9, 0)
SECRET = "Correct-Horse-42"


@pytest.fixture
def fast_bcrypt(monkeypatch):
    """Real bcrypt at cost 4, so the tests run fast; one test checks the default cost of 12."""
    monkeypatch.setattr(users_module, "ROUNDS", 4)


@pytest.fixture
def ws(tmp_path, fast_bcrypt):
    with Workspace(tmp_path / "ws") as workspace:
        yield workspace


@pytest.fixture
def users(ws):
    return Users(ws)


def _hashes(ws) -> list[str]:
    return [row[0] for row in ws.query("SELECT password_hash FROM users")]


# --- roles ------------------------------------------------------------------------------------

def test_roles_and_permissions():
    assert ROLES == ("viewer", "operator", "reviewer", "admin")
    assert all(can("admin", action) for actions in PERMISSIONS.values() for action in actions)
    assert can("viewer", "download") and not can("viewer", "upload")
    assert can("operator", "run") and not can("operator", "review")
    assert can("reviewer", "review") and not can("reviewer", "tune")
    assert not can("intruder", "read") and not can("operator", "admin")


# --- adding and verifying ---------------------------------------------------------------------

def test_add_stores_only_a_bcrypt_hash_and_verify_checks_it(users, ws):
    assert users.add("Alice", "reviewer", SECRET, name="Alice Example", by="root") == SECRET
    user = users.get("alice")
    assert (user.username, user.name, user.role, user.failed_logins, user.locked_until) == (
        "alice", "Alice Example", "reviewer", 0, None)
    assert users.get("ALICE") == user and users.get("nobody") is None
    (digest,) = _hashes(ws)
    assert digest.startswith("$2b$") and SECRET not in digest
    assert users.verify("alice", SECRET) and users.verify("Alice", SECRET)
    assert not users.verify("alice", "Wrong-Horse-42")
    assert users.get("alice").failed_logins == 1
    assert users.verify("alice", SECRET)
    assert users.get("alice").failed_logins == 0, "a good login resets the count"
    assert not users.verify("alice", "x" * 200), "bcrypt 5 raises past 72 bytes; verify says no"
    assert [u.username for u in users.list()] == ["alice"]


def test_the_default_bcrypt_cost_is_12(tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        Users(ws).add("bob", "viewer", SECRET)
        assert _hashes(ws)[0].startswith("$2b$12$")


def test_a_random_password_is_returned_when_none_is_given(users):
    first, second = users.add("ann", "viewer"), users.add("ben", "operator")
    assert len(first) >= 16 and first != second
    assert users.verify("ann", first) and users.verify("ben", second)


def test_duplicate_and_odd_usernames_and_unknown_roles_are_refused(users):
    users.add("alice", "viewer", SECRET)
    for duplicate in ("alice", "ALICE"):
        with pytest.raises(UserError, match="already exists"):
            users.add(duplicate, "viewer", SECRET)
    for bad in ("", " ", "a b", " alice2", "-rf", ".hidden", "a" * 65, "zoë", "a/b", "x\n", "a;b"):
        with pytest.raises(UserError, match="invalid username"):
            users.add(bad, "viewer", SECRET)
    users.add("a.b_c-1", "viewer", SECRET)
    users.add("a" * 64, "viewer", SECRET)
    with pytest.raises(UserError, match="unknown role 'boss'; use one of viewer, operator"):
        users.add("carol", "boss", SECRET)
    with pytest.raises(UserError, match="invalid name"):
        users.add("carol", "viewer", SECRET, name="  ")
    assert isinstance(UserError("x"), HotpassError)
    assert len(users.list()) == 3


def test_passwords_too_short_too_long_or_untypable_are_refused(users):
    for bad, message in [("Shrt-pw-9", "too short"), ("x" * 73, "73 bytes long"),
                         ("é" * 37, "74 bytes long"), (" leading-space", "space"),
                         ("trailing-space ", "space"), ("tab\there-x", "control")]:
        with pytest.raises(UserError, match=message) as caught:
            users.add("alice", "viewer", bad)
        assert bad not in str(caught.value), "an error never shows the password"
    users.add("alice", "viewer", "x" * 72)
    assert users.verify("alice", "x" * 72)
    with pytest.raises(UserError, match="73 bytes"):
        users.set_password("alice", "y" * 73, by="root")
    assert users.verify("alice", "x" * 72), "a refused change keeps the old password"


# --- changing users ---------------------------------------------------------------------------

def test_the_last_admin_cannot_be_removed_or_demoted(users):
    users.add("root", "admin", SECRET)
    users.add("ann", "viewer", SECRET)
    with pytest.raises(UserError, match="last admin"):
        users.remove("root", by="root")
    with pytest.raises(UserError, match="last admin"):
        users.set_role("root", "operator", by="root")
    users.set_role("ann", "admin", by="root")
    users.set_role("root", "operator", by="ann")
    assert users.get("root").role == "operator"
    with pytest.raises(UserError, match="last admin"):
        users.remove("ann", by="ann")
    users.remove("root", by="ann")
    assert [u.username for u in users.list()] == ["ann"]
    with pytest.raises(UserError, match="no user 'root'"):
        users.remove("root", by="ann")
    with pytest.raises(UserError, match="unknown role"):
        users.set_role("ann", "superuser", by="ann")


def test_set_password_replaces_the_old_one(users):
    users.add("ann", "viewer", SECRET)
    users.set_password("ann", "Another-Secret-7", by="root")
    assert users.verify("ann", "Another-Secret-7") and not users.verify("ann", SECRET)
    with pytest.raises(UserError, match="no user"):
        users.set_password("nobody", "Another-Secret-7", by="root")


# --- throttling (no lock-out: see tests/test_sessions.py) -----------------------------------

def test_failures_are_counted_and_a_success_or_unlock_forgets_them(users, ws):
    users.add("ann", "operator", SECRET)
    for attempt in range(4):
        assert not users.verify("ann", f"wrong-guess-{attempt}", now=T0)
    assert users.get("ann").failed_logins == 4
    assert users.verify("ann", SECRET, now=T0) and users.get("ann").failed_logins == 0
    for attempt in range(5):
        assert not users.verify("ann", f"wrong-guess-{attempt}", now=T0)
    assert users.login("ann", SECRET, now=T0).throttled, "this client waits"
    users.unlock("ann", by="root")
    assert users.verify("ann", SECRET, now=T0)
    actions = ws.audit_log()["action"].tolist()
    assert actions.count("login.failed") == 9 and actions.count("login.throttled") == 1
    assert actions[0] == "login.ok" and "login.locked" not in actions


def test_record_login_counts_like_verify(users):
    users.add("ann", "operator", SECRET)
    assert users.record_login("ann", True, now=T0)
    for _ in range(5):
        assert not users.record_login("ann", False, now=T0)
    assert not users.record_login("ann", True, now=T0), "a throttled client cannot log in"
    assert users.record_login("ann", True, client="elsewhere", now=T0)
    assert not users.record_login("ghost", True) and not users.verify("ghost", SECRET)


def test_set_password_also_forgets_the_failures(users):
    users.add("ann", "operator", SECRET)
    for _ in range(5):
        users.verify("ann", "wrong-guess", now=T0)
    users.set_password("ann", "Fresh-Secret-99", by="root")
    assert users.verify("ann", "Fresh-Secret-99", now=T0)


# --- ensure_admin -----------------------------------------------------------------------------

def test_ensure_admin_only_when_there_are_no_users(users, tmp_path):
    password = users.ensure_admin()
    assert password and users.get("admin").role == "admin"
    assert users.verify("admin", password)
    assert users.ensure_admin() is None
    with Workspace(tmp_path / "other") as other:
        others = Users(other)
        others.add("ann", "viewer", SECRET)
        assert others.ensure_admin() is None and others.get("admin") is None


def test_users_survive_reopening_the_workspace(tmp_path, fast_bcrypt):
    with Workspace(tmp_path / "ws") as ws:
        Users(ws).add("ann", "viewer", SECRET)
    with Workspace(tmp_path / "ws") as ws:
        assert Users(ws).verify("ann", SECRET)


# --- streamlit-authenticator ------------------------------------------------------------------

def test_credentials_have_the_shape_streamlit_authenticator_takes(users, ws):
    hasher = pytest.importorskip("streamlit_authenticator.utilities.hasher").Hasher
    users.add("ann", "reviewer", SECRET, name="Ann Example")
    users.add("bob", "admin", "Bobs-Secret-123")
    credentials = users.credentials()
    assert sorted(credentials["usernames"]) == ["ann", "bob"]
    ann = credentials["usernames"]["ann"]
    assert ann == {"name": "Ann Example", "password": _hash_of(ws, "ann"), "roles": ["reviewer"],
                   "email": "ann@localhost", "failed_login_attempts": 0, "logged_in": False}
    assert hasher.is_hash(ann["password"]), "else Authenticate(auto_hash=True) would re-hash it"
    assert hasher.check_pw(SECRET, ann["password"])
    assert not hasher.check_pw("nope-nope-1", ann["password"])
    text = json.dumps(credentials)
    assert SECRET not in text and "Bobs-Secret-123" not in text
    assert users.credentials() is not credentials, "a fresh dict each time: the library mutates it"


def _hash_of(ws, username):
    return ws.query("SELECT password_hash FROM users WHERE username = ?", [username])[0][0]


def _login_page(credentials):
    import streamlit as st
    import streamlit_authenticator as stauth

    authenticator = stauth.Authenticate(credentials, "hotpass_test", "k" * 32, login_sleep_time=0)
    authenticator.login()
    st.write(f"status={st.session_state.get('authentication_status')} "
             f"user={st.session_state.get('username')} roles={st.session_state.get('roles')}")


def _log_in(credentials, username, password) -> str:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_login_page, kwargs={"credentials": credentials}, default_timeout=60)
    at.run()
    at.text_input[0].set_value(username)
    at.text_input[1].set_value(password)
    at.button[0].click()
    at.run()
    assert not at.exception
    return [m.value for m in at.markdown if m.value.startswith("status=")][0]


def test_a_user_logs_in_through_streamlit_authenticator(users):
    pytest.importorskip("streamlit_authenticator")
    users.add("ann", "reviewer", SECRET)
    users.add("root", "admin", "Root-Secret-123")
    assert _log_in(users.credentials(), "Ann", SECRET) == "status=True user=ann roles=['reviewer']"
    assert _log_in(users.credentials(), "ann", "Wrong-Horse-42").startswith("status=False")


# --- audit --------------------------------------------------------------------------------------

def test_the_audit_log_names_accounts_but_never_passwords_or_names(users, ws):
    users.add("ann", "operator", SECRET, name="Ann Example", by="root")
    for attempt in range(5):
        users.verify("ann", f"Wrong-Guess-{attempt}", now=T0)
    users.verify("Mistyped-Password-In-The-Name-Box", SECRET, now=T0)
    users.set_password("ann", "Fresh-Secret-99", by="root")
    users.set_role("ann", "viewer", by="root")
    users.unlock("ann", by="root")
    log = ws.audit_log()
    actions = set(log["action"])
    assert {"user.add", "login.failed", "user.password", "user.role", "user.unlock"} <= actions
    added = log[log["action"] == "user.add"].iloc[0]
    assert added["username"] == "root" and json.loads(added["detail"]) == {"role": "operator",
                                                                          "user": "ann"}
    failed = log[log["action"] == "login.failed"].iloc[1]
    assert failed["username"] == "ann" and json.loads(failed["detail"])["failures"] == 5
    text = log.to_json()
    for secret in (SECRET, "Fresh-Secret-99", "Wrong-Guess", "Mistyped-Password", "Ann Example",
                   "$2b$"):
        assert secret not in text


# --- the command line ---------------------------------------------------------------------------

@pytest.fixture
def cli(tmp_path, fast_bcrypt):
    app = typer.Typer()
    app.add_typer(users_app, name="users")
    runner = CliRunner()
    folder = str(tmp_path / "ws")

    def run(*args, input=None):
        return runner.invoke(app, ["users", *args, "--workspace", folder], input=input)

    run.folder = folder
    return run


def _open(folder):
    return Workspace(folder)


def test_cli_add_prints_a_random_password_once(cli):
    result = cli("add", "Root", "--role", "admin", "--name", "Rita Root")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "added root (admin)"
    assert lines[1].startswith("password for root: ") and "shown once" in lines[2]
    password = lines[1].split(": ", 1)[1]
    assert result.output.count(password) == 1
    with _open(cli.folder) as ws:
        assert Users(ws).verify("root", password) and Users(ws).get("root").name == "Rita Root"
    listed = cli("list")
    assert password not in listed.output and "$2b$" not in listed.output


def test_cli_add_reads_the_password_from_stdin(cli):
    result = cli("add", "ann", "--role", "viewer", "--password-stdin", input=SECRET + "\n")
    assert result.exit_code == 0 and result.output == "added ann (viewer)\n"
    with _open(cli.folder) as ws:
        assert Users(ws).verify("ann", SECRET)
    empty = cli("add", "bob", "--role", "viewer", "--password-stdin", input="")
    assert empty.exit_code == 1 and "error: --password-stdin" in empty.output
    long = cli("add", "bob", "--role", "viewer", "--password-stdin", input="x" * 73 + "\n")
    assert long.exit_code == 1 and "error: the password is 73 bytes long" in long.output


def test_cli_list_role_password_remove_unlock(cli):
    assert cli("list").output.startswith("no users")
    cli("add", "root", "--role", "admin")
    cli("add", "ann", "--role", "operator", "--name", "Ann Example")
    with _open(cli.folder) as ws:
        for _ in range(5):
            Users(ws).record_login("ann", False)
        assert Users(ws).login("ann", "Whatever-123").throttled
    listed = cli("list").output.splitlines()
    assert listed[0].split() == ["username", "role", "name", "status"]
    assert listed[1].split()[:4] == ["ann", "operator", "Ann", "Example"]
    assert "5 failed login(s)" in listed[1] and listed[2].split() == ["root", "admin", "root", "ok"]

    assert cli("unlock", "ann").output == "unlocked ann\n"
    assert "failed" not in cli("list").output
    with _open(cli.folder) as ws:
        assert not Users(ws).login("ann", "Whatever-123").throttled
    assert cli("role", "ann", "reviewer").output == "ann is now reviewer\n"
    demote = cli("role", "root", "viewer")
    assert demote.exit_code == 1
    assert "error: cannot make viewer 'root': it is the last admin" in demote.output

    changed = cli("password", "ann")
    new = changed.output.splitlines()[1].split(": ", 1)[1]
    assert changed.exit_code == 0 and changed.output.count(new) == 1
    assert cli("password", "ann", "--password-stdin", input="Chosen-Secret-1\n").exit_code == 0
    with _open(cli.folder) as ws:
        assert Users(ws).verify("ann", "Chosen-Secret-1") and not Users(ws).verify("ann", new)

    assert cli("remove", "ann").output == "removed ann\n"
    for args in (("remove", "ann"), ("unlock", "ghost"), ("role", "ghost", "admin"),
                 ("password", "ghost"), ("add", "x y", "--role", "admin"),
                 ("add", "carol", "--role", "boss"), ("remove", "root")):
        result = cli(*args)
        assert result.exit_code == 1 and result.output.startswith("error: "), (args, result.output)
    with _open(cli.folder) as ws:
        actions = ws.audit_log()["action"].tolist()
    assert {"user.add", "user.unlock", "user.role", "user.password", "user.remove"} <= set(actions)


def test_hotpass_users_through_the_real_cli(tmp_path):
    import typer.main

    from hotpass.cli import app

    if "users" not in typer.main.get_command(app).commands:
        pytest.skip("hotpass.cli does not register `users` yet (app.add_typer(users_app, ...))")
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}

    def hotpass(*args, input=None):
        return subprocess.run([sys.executable, "-m", "hotpass.cli", "users", *args, "-w",
                               str(tmp_path / "ws")], capture_output=True, text=True, input=input,
                              env=env, timeout=120)

    added = hotpass("add", "root", "--role", "admin", "--password-stdin", input=SECRET + "\n")
    assert added.returncode == 0 and added.stdout == "added root (admin)\n", added.stderr
    listed = hotpass("list")
    assert listed.returncode == 0 and "root" in listed.stdout and "$2b$" not in listed.stdout
    refused = hotpass("remove", "root")
    assert refused.returncode == 1 and refused.stderr.startswith("error: ")
    with Workspace(tmp_path / "ws") as ws:
        assert Users(ws).verify("root", SECRET)
