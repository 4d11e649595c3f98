"""The workspace: one DuckDB file holding runs, their tables, decisions and the audit log.

One writer process at a time (DuckDB locks the file; a second writer gets a
``WorkspaceError``). Every decision is written in its own transaction, so a
crash loses nothing that was committed. Decisions are never deleted: undoing
one marks it undone, and the audit log keeps who did what when. The log holds
ids and counts, never personal values.

DuckDB 2.0 leaves a result open after ``fetchone()`` and the next statement on
the connection then fails, so this module only ever uses ``fetchall()``.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hotpass.errors import WorkspaceError

if TYPE_CHECKING:  # pandas is imported when a table is read: the login page does not need it
    import pandas as pd

FILE_NAME = "hotpass.duckdb"
DECISION_KINDS = ("same", "different", "split", "move")
SNAPSHOTS = ("source_organisations", "source_contacts", "organisations", "contacts", "pairs", "review", "clusters",
             "provenance", "findings", "quality", "validation", "scorecard", "enrichment")

_SCHEMA = """
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
"""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Workspace:
    """A workspace folder and its DuckDB file."""

    def __init__(self, directory: str | Path, read_only: bool = False):
        import duckdb

        self.directory = Path(directory)
        self.path = self.directory / FILE_NAME
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except OSError as exc:
            raise WorkspaceError(f"{self.directory}: cannot open the workspace ({exc.strerror or exc})") from None
        except duckdb.Error as exc:
            raise WorkspaceError(f"{self.path}: cannot open the workspace ({_first_line(exc)}); "
                                 "is another Hotpass run using it?") from None
        if not read_only:
            self.con.execute(_SCHEMA)

    def close(self) -> None:
        """Close the database file."""
        self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self):
        """Commit everything inside the block, or nothing."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def _rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def _frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        result = self.con.execute(sql, params or [])
        columns = [d[0] for d in result.description]
        import pandas as pd

        return pd.DataFrame(result.fetchall(), columns=columns, dtype=object)

    # --- audit -------------------------------------------------------------------------------

    def audit(self, username: str | None, action: str, **detail) -> None:
        """Record who did what; ``detail`` holds ids and counts, never personal values."""
        self.con.execute(
            "INSERT INTO audit VALUES (nextval('audit_ids'), ?, ?, ?, ?)",
            [_now(), username, action, json.dumps(detail, sort_keys=True, default=str)],
        )

    def audit_log(self, action: str | None = None, username: str | None = None) -> pd.DataFrame:
        """The audit log, newest first, optionally filtered."""
        sql, params = "SELECT * FROM audit WHERE 1=1", []
        if action:
            sql, params = sql + " AND action = ?", [*params, action]
        if username:
            sql, params = sql + " AND username = ?", [*params, username]
        return self._frame(sql + " ORDER BY audit_id DESC", params)

    # --- runs and their tables -----------------------------------------------------------------

    def start_run(self, profile: str, files: list[str], username: str | None = None) -> int:
        """Register a run; returns its id."""
        with self.transaction():
            (run_id,), = self._rows("SELECT nextval('run_ids')")
            self.con.execute("INSERT INTO runs VALUES (?, ?, NULL, ?, ?, ?, 'running', NULL)",
                             [run_id, _now(), username, profile, json.dumps(files)])
            self.audit(username, "run.start", run_id=run_id, files=len(files), profile=profile)
        return int(run_id)

    def finish_run(self, run_id: int, status: str, summary: dict | None = None,
                   username: str | None = None) -> None:
        """Mark a run finished ('ok' or 'failed') with its summary counts."""
        with self.transaction():
            self.con.execute("UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
                             [_now(), status, json.dumps(summary or {}, default=str), run_id])
            self.audit(username, f"run.{status}", run_id=run_id)

    def runs(self) -> pd.DataFrame:
        """Every run, newest first."""
        return self._frame("SELECT * FROM runs ORDER BY run_id DESC")

    def save_tables(self, run_id: int, tables: dict[str, pd.DataFrame]) -> None:
        """Store a run's tables (records, pairs, clusters, golden ...) in one transaction."""
        with self.transaction():
            for name, frame in tables.items():
                table = _table_name(run_id, name)
                self.con.register("_incoming", frame)
                self.con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _incoming")
                self.con.unregister("_incoming")

    def table(self, run_id: int, name: str) -> pd.DataFrame:
        """One stored table of a run."""
        table = _table_name(run_id, name)
        if not self._rows("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [table]):
            raise WorkspaceError(f"{self.path}: run {run_id} has no {name} table")
        return self.con.execute(f"SELECT * FROM {table}").df()

    def latest_run(self, status: str = "ok") -> int | None:
        """The id of the newest run with ``status``."""
        rows = self._rows("SELECT max(run_id) FROM runs WHERE status = ?", [status])
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    # --- decisions ----------------------------------------------------------------------------

    def decide(self, kind: str, record_key: str, other_key: str | None = None, members: list[str] | None = None,
               reviewer: str = "unknown", note: str | None = None) -> int:
        """Store a reviewer's decision and audit it; returns the decision id.

        ``same``/``different`` name two records; ``split`` takes ``record_key``
        out of the cluster whose other ``members`` are given; ``move`` puts it
        with ``other_key`` and out of its old cluster's ``members``.
        """
        _check_decision(kind, record_key, other_key, members)
        with self.transaction():
            (decision_id,), = self._rows("SELECT nextval('decision_ids')")
            self.con.execute(
                "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                [decision_id, kind, record_key, other_key, json.dumps(sorted(members or [])),
                 reviewer, note, _now()])
            self.audit(reviewer, f"decision.{kind}", decision_id=decision_id)
        return int(decision_id)

    def undo(self, decision_id: int, reviewer: str = "unknown") -> None:
        """Withdraw a decision: later runs give the machine's verdict again."""
        with self.transaction():
            rows = self._rows("SELECT undone_at FROM decisions WHERE decision_id = ?", [decision_id])
            if not rows:
                raise WorkspaceError(f"{self.path}: no decision {decision_id}")
            if rows[0][0] is not None:
                raise WorkspaceError(f"{self.path}: decision {decision_id} was already undone")
            self.con.execute("UPDATE decisions SET undone_at = ?, undone_by = ? WHERE decision_id = ?",
                             [_now(), reviewer, decision_id])
            self.audit(reviewer, "decision.undo", decision_id=decision_id)

    def undo_last(self, reviewer: str, count: int = 1) -> list[int]:
        """Undo this reviewer's last ``count`` active decisions; returns their ids."""
        rows = self._rows("SELECT decision_id FROM decisions WHERE reviewer = ? AND undone_at IS NULL "
                          "ORDER BY decision_id DESC LIMIT ?", [reviewer, count])
        for (decision_id,) in rows:
            self.undo(int(decision_id), reviewer)
        return [int(r[0]) for r in rows]

    def decisions(self, active_only: bool = True) -> pd.DataFrame:
        """Decisions in the order they were made."""
        where = "WHERE undone_at IS NULL" if active_only else ""
        return self._frame(f"SELECT * FROM decisions {where} ORDER BY decision_id")

    def constraints(self):
        """Active decisions as pairwise must-link / cannot-link constraints for the resolver."""
        from hotpass.resolve import Constraints

        must, cannot = [], []
        for row in self.decisions().itertuples(index=False):
            members = json.loads(row.members or "[]")
            if row.kind == "same":
                must.append((row.record_key, row.other_key))
            elif row.kind == "different":
                cannot.append((row.record_key, row.other_key))
            else:  # split and move: apart from the old cluster; move also joins the new one
                cannot.extend((row.record_key, m) for m in members if m not in (row.record_key, row.other_key))
                if row.kind == "move":
                    must.append((row.record_key, row.other_key))
        return Constraints(must_link=must, cannot_link=cannot)


def _check_decision(kind: str, record_key: str, other_key: str | None, members: list[str] | None) -> None:
    if kind not in DECISION_KINDS:
        raise WorkspaceError(f"unknown decision {kind!r}; use one of {', '.join(DECISION_KINDS)}")
    if not record_key:
        raise WorkspaceError(f"a {kind} decision needs a record key")
    if kind in ("same", "different", "move") and (not other_key or other_key == record_key):
        raise WorkspaceError(f"a {kind} decision needs a second, different record key")
    if kind == "split" and not members:
        raise WorkspaceError("a split decision needs the other members of the cluster")


def _table_name(run_id: int, name: str) -> str:
    if name not in SNAPSHOTS:
        raise WorkspaceError(f"unknown run table {name!r}; use one of {', '.join(SNAPSHOTS)}")
    return f"run_{int(run_id)}_{name}"


def _first_line(exc: Exception) -> str:
    return re.split(r"[\r\n]", str(exc), maxsplit=1)[0]
