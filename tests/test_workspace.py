"""The workspace: runs, decisions that survive crashes, undo, audit, several processes at once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime

import pytest

from hotpass.errors import WorkspaceError
from hotpass.workspace import DECISION_KINDS, FILE_NAME, Workspace

CRASHER = """
import sys, time
from hotpass.workspace import Workspace
ws = Workspace(sys.argv[1])
for i in range(3):
    ws.decide("different", f"org:a{i}", f"org:b{i}", reviewer="ann")
print("committed", flush=True)
ws.con.execute("BEGIN IMMEDIATE")
ws.con.execute("INSERT INTO audit (logged_at, action) VALUES ('2026-01-01', 'half-done')")
time.sleep(60)
"""

WRITER = """
import sys
from hotpass.workspace import Workspace
ws = Workspace(sys.argv[1])
i = 0
while True:
    ws.decide("same", f"org:x{i}", f"org:y{i}", reviewer="kid")
    print(i, flush=True)
    i += 1
"""


def test_the_workspace_file_is_sqlite_in_wal_mode(tmp_path):
    with Workspace(tmp_path) as ws:
        assert ws.path == tmp_path / FILE_NAME == tmp_path / "workspace.sqlite"
        pragmas = {name: ws.query(f"PRAGMA {name}")[0][0]
                   for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}
        assert pragmas == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 30000,
                           "foreign_keys": 1}
    assert DECISION_KINDS == ("same", "different", "split", "move", "pick")
    assert not hasattr(Workspace, "save_tables") and not hasattr(Workspace, "table")


def test_committed_decisions_survive_kill_9(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", CRASHER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "committed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    with Workspace(tmp_path) as ws:
        decisions = ws.decisions()
        assert decisions["record_key"].tolist() == ["org:a0", "org:a1", "org:a2"]
        assert "half-done" not in ws.audit_log()["action"].tolist()
        ws.decide("same", "org:p", "org:q", reviewer="bob")  # the dead writer's lock is gone


def test_kill_9_in_the_middle_of_writing_loses_no_committed_decision(tmp_path):
    Workspace(tmp_path).close()
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    committed = [int(child.stdout.readline()) for _ in range(40)]  # printed after each commit
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    with Workspace(tmp_path) as ws:
        keys = ws.decisions()["record_key"].tolist()
        assert keys[:len(committed)] == [f"org:x{i}" for i in committed]
        assert keys == [f"org:x{i}" for i in range(len(keys))], "no gaps, no half-written rows"
        assert ws.query("PRAGMA integrity_check") == [("ok",)]


WRITE_MANY = """
import sys
from hotpass.workspace import Workspace
directory, who, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Workspace(directory) as ws:
    for i in range(count):
        ws.decide("different", f"org:{who}{i}", f"org:{who}{i}-other", reviewer=who)
        ws.audit(who, "test.write", n=i)
"""


def test_two_processes_write_at_once_and_nothing_is_lost(tmp_path):
    Workspace(tmp_path).close()
    # fresh interpreters: a spawned multiprocessing child would re-run whatever __main__ an
    # earlier test (AppTest) left behind
    workers = [subprocess.Popen([sys.executable, "-c", WRITE_MANY, str(tmp_path), who, "200"],
                                stderr=subprocess.PIPE, text=True) for who in ("ann", "bob")]
    for worker in workers:
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    with Workspace(tmp_path) as ws:
        decisions = ws.decisions()
        assert len(decisions) == 400 and decisions["decision_id"].tolist() == list(range(1, 401))
        for who in ("ann", "bob"):
            mine = decisions[decisions["reviewer"] == who]["record_key"].tolist()
            assert mine == [f"org:{who}{i}" for i in range(200)]
            assert len(ws.audit_log(action="test.write", username=who)) == 200


def test_a_second_workspace_reads_and_writes_while_the_first_is_open(tmp_path):
    with Workspace(tmp_path) as first, Workspace(tmp_path) as second:
        one = first.decide("same", "org:a", "org:b", reviewer="ann")
        two = second.decide("different", "org:c", "org:d", reviewer="bob")
        assert (one, two) == (1, 2)
        assert first.decisions()["decision_id"].tolist() == [1, 2] == second.decisions()["decision_id"].tolist()
        code = ("import sys; from hotpass.workspace import Workspace; ws = Workspace(sys.argv[1]); "
                "print(len(ws.decisions())); ws.decide('same', 'org:e', 'org:f', reviewer='cli')")
        done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0 and done.stdout.strip() == "2", done.stderr
        assert len(first.decisions()) == 3
    with Workspace(tmp_path, read_only=True) as reader:
        assert len(reader.decisions()) == 3
        with pytest.raises(WorkspaceError, match="workspace.sqlite"):
            reader.decide("same", "org:g", "org:h", reviewer="ann")


def test_a_transaction_commits_all_or_nothing_and_nests(tmp_path):
    with Workspace(tmp_path) as ws:
        with pytest.raises(RuntimeError), ws.transaction():
            ws.decide("same", "org:a", "org:b", reviewer="ann")
            raise RuntimeError("stop")
        assert ws.decisions().empty and ws.audit_log().empty
        with ws.transaction():
            ws.decide("same", "org:a", "org:b", reviewer="ann")
            with pytest.raises(WorkspaceError), ws.transaction():
                ws.audit("ann", "inner")
                ws.undo(99, reviewer="ann")
        assert len(ws.decisions()) == 1 and "inner" not in ws.audit_log()["action"].tolist()


def test_unopenable_files_raise_a_workspace_error_naming_them(tmp_path):
    (tmp_path / FILE_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(WorkspaceError, match="workspace.sqlite"):
        Workspace(tmp_path)
    with pytest.raises(WorkspaceError, match="no workspace here"):
        Workspace(tmp_path / "absent", read_only=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkspaceError, match="cannot open the workspace"):
        Workspace(tmp_path / "file" / "ws")


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
        assert isinstance(history.at[0, "undone_at"], datetime) and history.at[1, "undone_at"] is None
        assert isinstance(history.at[0, "created_at"], datetime) and history["created_at"].dtype == object
        with pytest.raises(WorkspaceError, match="already undone"):
            ws.undo(same, reviewer="ann")
        with pytest.raises(WorkspaceError, match="workspace.sqlite: no decision 99"):
            ws.undo(99, reviewer="ann")
        actions = ws.audit_log(username="ann")["action"].tolist()
        assert actions[:2] == ["decision.undo", "decision.undo"]
        assert ws.audit_log(limit=2)["action"].tolist() == ["decision.undo", "decision.undo"]


@pytest.mark.parametrize("kind, other, members, message", [
    ("maybe", "org:b", None, "unknown decision"),
    ("same", None, None, "second, different"),
    ("different", "org:a", None, "second, different"),
    ("split", None, None, "other members"),
])
def test_bad_decisions_are_refused(tmp_path, kind, other, members, message):
    with Workspace(tmp_path) as ws, pytest.raises(WorkspaceError, match=message):
        ws.decide(kind, "org:a", other, members=members, reviewer="ann")


def test_runs_are_registered_finished_and_read_back(tmp_path):
    with Workspace(tmp_path) as ws:
        run = ws.start_run("aviation", ["a.xlsx", "b.xlsx"], username="ann", request={"retrain": True})
        row = ws.run(run)
        assert (row["status"], row["pid"]) == ("running", os.getpid())
        assert json.loads(row["request"]) == {"retrain": True}
        assert isinstance(row["started_at"], datetime) and row["heartbeat_at"] >= row["started_at"]
        ws.finish_run(run, "ok", {"organisations": 1}, username="ann")
        assert ws.latest_run() == run and ws.latest_run("failed") is None
        runs = ws.runs()
        assert list(runs.columns) == ["run_id", "started_at", "finished_at", "username", "profile", "files",
                                      "status", "summary", "pid", "heartbeat_at", "request"]
        assert runs.at[0, "status"] == "ok" and json.loads(runs.at[0, "summary"]) == {"organisations": 1}
        assert runs.at[0, "finished_at"] >= runs.at[0, "started_at"]
        detail = ws.audit_log(action="run.start").at[0, "detail"]
        assert detail == '{"files": 2, "profile": "aviation", "run_id": 1}'
        queued = ws.start_run("generic", [], status="queued")
        assert ws.run(queued)["pid"] is None and queued == 2
        ws.set_run(queued, pid=os.getpid(), status="running")
        assert ws.run(queued)["status"] == "running"
        with pytest.raises(WorkspaceError, match="no run 9"):
            ws.run(9)
        with pytest.raises(WorkspaceError, match="no run 9"):
            ws.set_run(9, status="running")
        with pytest.raises(WorkspaceError, match="no column colour"):
            ws.set_run(queued, colour="red")
        folder = ws.run_dir(run)
        assert folder == tmp_path / "runs" / "1" and folder.is_dir()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


def test_a_run_whose_process_stopped_is_reported_failed(tmp_path):
    with Workspace(tmp_path) as ws:
        dead, alive, young = (ws.start_run("aviation", ["a.xlsx"]) for _ in range(3))
        old = datetime(2026, 1, 1, 9, 0)
        ws.set_run(dead, pid=_dead_pid(), heartbeat_at=old)
        ws.set_run(alive, heartbeat_at=old)  # this process: alive
        ws.set_run(young, pid=_dead_pid())  # gone, but its heartbeat is recent
        with Workspace(tmp_path, read_only=True) as reader:
            assert reader.run(dead)["status"] == "failed", "a reader sees it without writing it"
        assert ws.query("SELECT status FROM runs WHERE run_id = ?", [dead]) == [("running",)]
        statuses = dict(zip(ws.runs()["run_id"], ws.runs()["status"], strict=True))
        assert statuses == {dead: "failed", alive: "running", young: "running"}
        stopped = ws.run(dead)
        assert json.loads(stopped["summary"]) == {"message": "the process running it stopped"}
        assert stopped["finished_at"] is not None
        assert ws.query("SELECT status FROM runs WHERE run_id = ?", [dead]) == [("failed",)], "written back"
        assert json.loads(ws.audit_log(action="run.failed").at[0, "detail"])["run_id"] == dead
        ws.set_run(young, heartbeat_at=old)
        assert ws.run(young)["status"] == "failed"
        assert ws.latest_run("failed") == young


def test_stages_report_progress_to_other_readers(tmp_path):
    with Workspace(tmp_path) as ws, Workspace(tmp_path) as reader:
        run = ws.start_run("aviation", ["a.xlsx"])
        assert reader.stages(run).empty
        ws.set_stage(run, "ingest", fraction=0.25, message="reading a.xlsx")
        ws.set_stage(run, "mapping")
        ws.set_stage(run, "ingest", status="done", seconds=1.5, rows=600)
        ws.set_stage(run, "export", position=9, status="skipped")
        ws.set_stage(run, "mapping", status="failed", message="column 'Phone' cannot be read")
        stages = reader.stages(run)
        assert stages["stage"].tolist() == ["ingest", "mapping", "export"]
        assert stages["position"].tolist() == [0, 1, 9]
        assert stages["status"].tolist() == ["done", "failed", "skipped"]
        ingest, mapping, export = (stages.iloc[i] for i in range(3))
        assert (ingest["fraction"], ingest["message"], ingest["seconds"], ingest["rows"]) == (
            1.0, "reading a.xlsx", 1.5, 600)
        assert ingest["finished_at"] >= ingest["started_at"] and mapping["finished_at"] is not None
        assert export["finished_at"] is None and mapping["fraction"] is None
        assert reader.run(run)["heartbeat_at"] >= ingest["finished_at"]
        with pytest.raises(WorkspaceError, match="unknown stage status"):
            ws.set_stage(run, "ingest", status="halfway")
        with pytest.raises(WorkspaceError, match="no run 7"):
            ws.set_stage(7, "ingest")


def test_user_state_round_trips_as_json(tmp_path):
    with Workspace(tmp_path) as ws:
        assert ws.get_state("ann", "filters") is None and ws.get_state("ann", "filters", {}) == {}
        ws.set_state("ann", "filters", {"provider": "town_region", "min": 0.5, "ids": [1, 2]})
        ws.set_state("ann", "filters", {"provider": None})
        ws.set_state("bob", "filters", ["x"])
    with Workspace(tmp_path) as ws:
        assert ws.get_state("ann", "filters") == {"provider": None}
        assert ws.get_state("bob", "filters") == ["x"]
        with pytest.raises(WorkspaceError, match="cannot keep 'when'"):
            ws.set_state("ann", "when", object())


def test_ids_are_never_reused(tmp_path):
    with Workspace(tmp_path) as ws:
        ws.decide("same", "org:a", "org:b", reviewer="ann")
        ws.execute("DELETE FROM decisions")
        assert ws.decide("same", "org:a", "org:b", reviewer="ann") == 2


def test_a_busy_workspace_says_so_naming_the_file(tmp_path, monkeypatch):
    import hotpass.workspace.database as database

    with Workspace(tmp_path) as ws:
        holder = sqlite3.connect(ws.path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        ws.execute("PRAGMA busy_timeout = 100")
        monkeypatch.setattr(database, "BUSY_SECONDS", 0.1)
        with pytest.raises(WorkspaceError, match=r"workspace.sqlite: another process kept the workspace busy"):
            ws.decide("same", "org:a", "org:b", reviewer="ann")
        holder.execute("ROLLBACK")
        holder.close()
        assert ws.decide("same", "org:a", "org:b", reviewer="ann") == 1
