"""The workbench opens the workspace per block, per thread, and the CLI works beside it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading

import pytest

from hotpass.users import Users
from hotpass.workspace import Workspace
from workbench import services

SECRET = "Correct-Horse-42"


@pytest.fixture
def ws_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(services.WORKSPACE_ENV, str(tmp_path / "workspace"))
    return tmp_path / "workspace"


def test_each_block_opens_its_own_workspace_and_closes_it(ws_dir):
    with services.workspace() as first:
        assert first.directory == ws_dir
        with services.workspace() as second:
            assert second is not first and second.con is not first.con
    for ws in (first, second):
        with pytest.raises(sqlite3.ProgrammingError):
            ws.con.execute("SELECT 1")


def test_sessions_in_threads_write_at_once(ws_dir):
    errors = []

    def session(who: str) -> None:
        try:
            for i in range(50):
                with services.workspace() as ws:
                    ws.decide("same", f"org:{who}{i}", f"org:{who}{i}b", reviewer=who)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(who,)) for who in ("ann", "bob", "cas")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with services.workspace() as ws:
        assert len(ws.decisions()) == 150


def test_the_cli_unlocks_a_user_while_the_workbench_has_the_workspace_open(ws_dir, monkeypatch):
    with Workspace(ws_dir) as ws:
        users = Users(ws)
        users.add("ann", "operator", SECRET)
        for _ in range(5):
            users.record_login("ann", False)
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    with services.workspace() as open_in_the_workbench:
        assert Users(open_in_the_workbench).login("ann", SECRET).throttled
        done = subprocess.run([sys.executable, "-m", "hotpass.cli", "users", "unlock", "ann", "-w", str(ws_dir)],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0 and done.stdout == "unlocked ann\n", done.stderr
        assert Users(open_in_the_workbench).login("ann", SECRET).ok
