"""The workspace: runs, tables, decisions that survive crashes, undo, audit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pandas as pd
import pytest

from hotpass.errors import WorkspaceError
from hotpass.workspace import Workspace

CRASHER = """
import sys, time
from hotpass.workspace import Workspace
ws = Workspace(sys.argv[1])
for i in range(3):
    ws.decide("different", f"org:a{i}", f"org:b{i}", reviewer="ann")
print("committed", flush=True)
ws.con.execute("BEGIN TRANSACTION")
ws.con.execute("INSERT INTO audit VALUES (999, now(), 'ann', 'half-done', NULL)")
time.sleep(60)
"""


def test_committed_decisions_survive_kill_9(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", CRASHER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "committed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    with Workspace(tmp_path) as ws:
        decisions = ws.decisions()
        assert decisions["record_key"].tolist() == ["org:a0", "org:a1", "org:a2"]
        assert "half-done" not in ws.audit_log()["action"].tolist()


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path):
    with Workspace(tmp_path):
        code = f"from hotpass.workspace import Workspace; Workspace({str(tmp_path)!r})"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert result.returncode != 0
        assert "another Hotpass run" in result.stderr and "hotpass.duckdb" in result.stderr


def test_decisions_become_constraints_and_undo_withdraws_them(tmp_path):
    with Workspace(tmp_path) as ws:
        same = ws.decide("same", "org:a", "org:b", reviewer="ann", note="same phone")
        ws.decide("different", "org:c", "org:d", reviewer="bob")
        ws.decide("split", "org:e", members=["org:e", "org:f", "org:g"], reviewer="ann")
        ws.decide("move", "org:h", "org:i", members=["org:h", "org:j"], reviewer="ann")
        constraints = ws.constraints()
        assert constraints.must_link == [("org:a", "org:b"), ("org:h", "org:i")]
        assert constraints.cannot_link == [("org:c", "org:d"), ("org:e", "org:f"), ("org:e", "org:g"),
                                           ("org:h", "org:j")]
        ws.undo(same, reviewer="ann")
        assert ("org:a", "org:b") not in ws.constraints().must_link
        assert ws.undo_last("ann") == [4]
        assert ws.constraints().must_link == []
        history = ws.decisions(active_only=False)
        assert len(history) == 4 and history["undone_by"].tolist() == ["ann", None, None, "ann"]
        with pytest.raises(WorkspaceError, match="already undone"):
            ws.undo(same, reviewer="ann")
        actions = ws.audit_log(username="ann")["action"].tolist()
        assert actions[:2] == ["decision.undo", "decision.undo"]


@pytest.mark.parametrize("kind, other, members, message", [
    ("maybe", "org:b", None, "unknown decision"),
    ("same", None, None, "second, different"),
    ("different", "org:a", None, "second, different"),
    ("split", None, None, "other members"),
])
def test_bad_decisions_are_refused(tmp_path, kind, other, members, message):
    with Workspace(tmp_path) as ws, pytest.raises(WorkspaceError, match=message):
        ws.decide(kind, "org:a", other, members=members, reviewer="ann")


def test_run_tables_round_trip(tmp_path):
    with Workspace(tmp_path) as ws:
        run = ws.start_run("aviation", ["a.xlsx", "b.xlsx"], username="ann")
        clusters = pd.DataFrame({"record_key": ["org:a", "org:b"], "cluster_id": ["c1", "c1"]})
        ws.save_tables(run, {"clusters": clusters})
        ws.finish_run(run, "ok", {"organisations": 1}, username="ann")
        assert ws.table(run, "clusters").equals(clusters)
        assert ws.latest_run() == run
        assert ws.runs().at[0, "status"] == "ok"
        with pytest.raises(WorkspaceError, match="no pairs table"):
            ws.table(run, "pairs")
        detail = ws.audit_log(action="run.start").at[0, "detail"]
        assert detail == '{"files": 2, "profile": "aviation", "run_id": 1}'
