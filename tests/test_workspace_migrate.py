"""A workspace kept in DuckDB by earlier Hotpass moves into SQLite once, ids and all."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import bcrypt
import duckdb
import pytest

from hotpass.enrich import ProposalStore
from hotpass.errors import WorkspaceError
from hotpass.users import Users
from hotpass.workspace import Workspace

# The CREATE statements of hotpass/workspace.py, users.py and enrich/store.py before the move.
OLD_SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS run_ids START 1;
CREATE SEQUENCE IF NOT EXISTS decision_ids START 1;
CREATE SEQUENCE IF NOT EXISTS audit_ids START 1;
CREATE TABLE IF NOT EXISTS runs (
    run_id BIGINT PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, username VARCHAR,
    profile VARCHAR, files VARCHAR, status VARCHAR, summary VARCHAR);
CREATE TABLE IF NOT EXISTS decisions (
    decision_id BIGINT PRIMARY KEY, kind VARCHAR NOT NULL, record_key VARCHAR NOT NULL,
    other_key VARCHAR, members VARCHAR, reviewer VARCHAR NOT NULL, note VARCHAR,
    created_at TIMESTAMP NOT NULL, undone_at TIMESTAMP, undone_by VARCHAR);
CREATE TABLE IF NOT EXISTS audit (
    audit_id BIGINT PRIMARY KEY, logged_at TIMESTAMP NOT NULL, username VARCHAR, action VARCHAR NOT NULL,
    detail VARCHAR);
CREATE TABLE IF NOT EXISTS users (
    username VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, role VARCHAR NOT NULL,
    password_hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, failed_logins INTEGER NOT NULL,
    locked_until TIMESTAMP, password_changed_at TIMESTAMP NOT NULL);
CREATE SEQUENCE IF NOT EXISTS proposal_ids START 1;
CREATE TABLE IF NOT EXISTS proposals (
    proposal_id BIGINT PRIMARY KEY, record_kind VARCHAR NOT NULL, record_id VARCHAR NOT NULL,
    record_keys VARCHAR NOT NULL, field VARCHAR NOT NULL, current VARCHAR, proposed VARCHAR NOT NULL,
    provider VARCHAR NOT NULL, evidence VARCHAR, confidence DOUBLE NOT NULL, created_at TIMESTAMP NOT NULL,
    run_id BIGINT, status VARCHAR NOT NULL, auto BOOLEAN NOT NULL, reviewer VARCHAR, decided_at TIMESTAMP,
    note VARCHAR);
"""
T = [datetime(2026, 3, 1, 9, minute, 30, 123456) for minute in range(10)]
SECRET = "Correct-Horse-42"


def _old_workspace(folder, with_optional_tables=True):
    """A workspace as the DuckDB code left it: two runs (one with a table), decisions, audit, users, proposals."""
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(folder / "hotpass.duckdb"))
    schema = OLD_SCHEMA if with_optional_tables else OLD_SCHEMA.split("CREATE TABLE IF NOT EXISTS users")[0]
    con.execute(schema)
    runs = [(1, T[0], T[1], "ann", "aviation", '["a.xlsx"]', "ok", '{"Output organisations": 12}'),
            (2, T[2], None, "bob", "generic", '["b.xlsx", "c.xlsx"]', "running", None),
            (4, T[3], T[4], "ann", "aviation", '["a.xlsx"]', "blocked", "{}")]
    con.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", runs)
    con.execute("CREATE TABLE run_1_clusters AS SELECT 'org:a' AS record_key, 'c1' AS cluster_id")
    decisions = [(1, "same", "org:a", "org:b", "[]", "ann", "same phone", T[5], None, None),
                 (2, "split", "org:c", None, '["org:c", "org:d"]', "bob", None, T[6], T[7], "ann"),
                 (7, "different", "org:e", "org:f", "[]", "ann", None, T[8], None, None)]
    con.executemany("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", decisions)
    audit = [(i, T[i], "ann", f"old.action{i}", json.dumps({"n": i})) for i in range(1, 6)]
    con.executemany("INSERT INTO audit VALUES (?, ?, ?, ?, ?)", audit)
    if with_optional_tables:
        digest = bcrypt.hashpw(SECRET.encode(), bcrypt.gensalt(rounds=4)).decode()
        users = [("ann", "Ann Example", "admin", digest, T[0], 0, None, T[0]),
                 ("bob", "Bob", "viewer", digest, T[1], 5, datetime(2099, 1, 1), T[1])]
        con.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?)", users)
        proposals = [(1, "organisation", "o1", "k1; k2", "website", None, "acme.example", "mail_domain",
                      "mail of 2 contacts", 0.8, T[2], 1, "approved", True, "auto", T[2], None),
                     (3, "organisation", "o2", "k3", "region", "", "Gauteng", "town_region", "town", 0.6, T[3],
                      1, "rejected", False, "bob", T[4], "wrong town")]
        con.executemany(f"INSERT INTO proposals VALUES ({', '.join('?' * 17)})", proposals)
    con.close()
    return folder


def test_everything_arrives_with_its_ids_and_the_old_file_is_kept_aside(tmp_path):
    folder = _old_workspace(tmp_path / "ws")
    with Workspace(folder) as ws:
        runs = ws.runs().set_index("run_id")
        assert runs.index.tolist() == [4, 2, 1]
        assert runs["status"].tolist() == ["blocked", "running", "ok"], "status kept (a run without pid stays)"
        assert json.loads(runs.loc[1, "summary"]) == {"Output organisations": 12}
        assert runs.loc[1, "started_at"] == T[0] and runs.loc[2, "finished_at"] is None
        assert runs.loc[1, "files"] == '["a.xlsx"]' and runs.loc[1, "pid"] is None

        history = ws.decisions(active_only=False)
        assert history["decision_id"].tolist() == [1, 2, 7]
        assert history["undone_at"].tolist() == [None, T[7], None]
        assert ws.decisions()["decision_id"].tolist() == [1, 7]
        assert ws.constraints().must_link == [("org:a", "org:b")]

        log = ws.audit_log()
        assert log["audit_id"].tolist() == [6, 5, 4, 3, 2, 1]
        assert log.at[5, "logged_at"] == T[1] and log.at[5, "detail"] == '{"n": 1}'
        migrated = log.iloc[0]
        assert (migrated["action"], migrated["username"]) == ("workspace.migrated", "hotpass")
        assert json.loads(migrated["detail"]) == {"audit": 5, "decisions": 3, "proposals": 2, "runs": 3,
                                                  "users": 2}

        users = Users(ws)
        assert [u.username for u in users.list()] == ["ann", "bob"]
        assert users.get("bob").locked_until == datetime(2099, 1, 1)  # kept; no longer locks
        assert users.get("ann").created_at == T[0]
        assert users.verify("ann", SECRET), "old bcrypt hashes still log in"

        store = ProposalStore(ws)
        proposals = store.frame().set_index("proposal_id")
        assert proposals.index.tolist() == [1, 3]
        assert proposals.loc[1, "auto"] is True and proposals.loc[3, "auto"] is False
        assert proposals.loc[3, "current"] == "" and proposals.loc[3, "note"] == "wrong town"
        assert proposals.loc[1, "decided_at"] == T[2] and proposals.loc[1, "confidence"] == 0.8

        # ids continue after the old ones
        assert ws.start_run("aviation", []) == 5
        assert ws.decide("same", "org:x", "org:y", reviewer="ann") == 8
        from hotpass.enrich.base import Proposal

        new = Proposal("organisation", "o9", "email", None, "x@acme.example", "contacts", "e", 0.5, ("k9",))
        assert store.record([new], run_id=5) == [4]
    assert not (folder / "hotpass.duckdb").exists()
    assert (folder / "hotpass.duckdb.migrated").is_file() and (folder / "workspace.sqlite").is_file()
    assert not list(folder.glob(".migrating-*"))
    old = duckdb.connect(str(folder / "hotpass.duckdb.migrated"), read_only=True)
    assert old.execute("SELECT count(*) FROM run_1_clusters").fetchall() == [(1,)], "the old file is intact"
    old.close()
    with Workspace(folder) as ws:  # once only
        assert len(ws.audit_log(action="workspace.migrated")) == 1


def test_an_old_workspace_without_users_or_proposals_moves_too(tmp_path):
    folder = _old_workspace(tmp_path / "ws", with_optional_tables=False)
    with Workspace(folder) as ws:
        detail = json.loads(ws.audit_log(action="workspace.migrated").at[0, "detail"])
        assert detail == {"audit": 5, "decisions": 3, "runs": 3}
        assert Users(ws).list() == [] and ProposalStore(ws).frame().empty


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_a_locked_old_file_is_named_and_left_alone(tmp_path):
    folder = _old_workspace(tmp_path / "ws")
    old = folder / "hotpass.duckdb"
    before = old.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(old)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(WorkspaceError) as caught:
            Workspace(folder)
        assert str(caught.value).startswith(f"{old}: cannot open the old workspace file")
        assert "Stop any older Hotpass process" in str(caught.value)
        assert not (folder / "workspace.sqlite").exists() and old.read_bytes() == before
    finally:
        holder.kill()
        holder.wait(timeout=30)
    with Workspace(folder) as ws:  # once the old process is gone it moves
        assert len(ws.decisions(active_only=False)) == 3


def test_a_damaged_old_file_is_named_and_kept(tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "hotpass.duckdb").write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(WorkspaceError, match=r"hotpass\.duckdb: cannot open the old workspace file.*move it out"):
        Workspace(folder)
    assert (folder / "hotpass.duckdb").read_bytes() == b"\x00garbage" * 1000
    assert not (folder / "workspace.sqlite").exists() and not list(folder.glob(".migrating-*"))
