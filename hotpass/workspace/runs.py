"""Runs and their stages: what was run, by whom, how far it has got, and how it ended.

Another process (the workbench, ``hotpass runs``) reads a run's progress while
it goes on. A run still marked running or queued whose process has gone (its
``pid`` is not alive on this machine) and whose heartbeat is older than
``STALE_SECONDS`` is reported, and written back, as failed.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from hotpass.errors import WorkspaceError
from hotpass.workspace.database import Database, now

if TYPE_CHECKING:
    import pandas as pd

STALE_SECONDS = 60
STOPPED = "the process running it stopped"
ACTIVE = ("running", "queued")
STAGE_STATUSES = ("running", "done", "failed", "skipped")
RUN_COLUMNS = ("pid", "heartbeat_at", "status", "summary", "request", "finished_at")

_UPSERT_STAGE = """
INSERT INTO run_stages (run_id, stage, position, status, fraction, message, started_at, finished_at,
                        seconds, "rows")
VALUES (:run_id, :stage,
        coalesce(:position, (SELECT coalesce(max(position) + 1, 0) FROM run_stages WHERE run_id = :run_id)),
        coalesce(:status, 'running'), :fraction, :message, :now, :finished, :seconds, :rows)
ON CONFLICT (run_id, stage) DO UPDATE SET
    position = coalesce(:position, position), status = coalesce(:status, status),
    fraction = coalesce(:fraction, fraction), message = coalesce(:message, message),
    seconds = coalesce(:seconds, seconds), "rows" = coalesce(:rows, "rows"),
    finished_at = coalesce(:finished, finished_at)
"""


def alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError, ValueError):
        return True  # it exists but is not ours, or the id cannot be checked: assume it runs
    return True


def _json(value) -> str | None:
    return value if value is None or isinstance(value, str) else json.dumps(value, default=str)


class Runs(Database):
    """The runs and run_stages tables."""

    directory: Path
    read_only: bool

    def run_dir(self, run_id: int) -> Path:
        """The run's own folder, ``<workspace>/runs/<run_id>/`` (created on demand)."""
        path = self.directory / "runs" / str(int(run_id))
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"{path}: cannot make the run's folder ({exc.strerror or exc})") from None
        return path

    def start_run(self, profile: str, files: list[str], username: str | None = None,
                  request: dict | None = None, status: str = "running") -> int:
        """Register a run (this process runs it unless it is queued); returns its id."""
        stamp = now()
        pid = os.getpid() if status == "running" else None
        with self.transaction():
            run_id = self.execute(
                "INSERT INTO runs (started_at, username, profile, files, status, pid, heartbeat_at, request) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [stamp, username, profile, json.dumps(files), status, pid, stamp, _json(request)]).lastrowid
            extra = {} if status == "running" else {"status": status}
            self.audit(username, "run.start", run_id=run_id, files=len(files), profile=profile, **extra)
        return int(run_id)

    def finish_run(self, run_id: int, status: str, summary: dict | None = None,
                   username: str | None = None) -> None:
        """Mark a run finished ('ok', 'blocked' or 'failed') with its summary counts."""
        with self.transaction():
            self.execute("UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
                         [now(), status, json.dumps(summary or {}, default=str), run_id])
            self.audit(username, f"run.{status}", run_id=run_id)

    def set_run(self, run_id: int, **columns) -> None:
        """Change columns of a run (``RUN_COLUMNS``); ``heartbeat_at`` becomes now unless given."""
        unknown = sorted(set(columns) - set(RUN_COLUMNS))
        if unknown:
            raise WorkspaceError(f"{self.path}: runs have no column {', '.join(unknown)}; "
                                 f"use {', '.join(RUN_COLUMNS)}")
        columns.setdefault("heartbeat_at", now())
        values = {name: _json(value) if name in ("request", "summary") else value
                  for name, value in columns.items()}
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        changed = self.execute(f"UPDATE runs SET {assignments} WHERE run_id = :run_id",
                               {**values, "run_id": int(run_id)}).rowcount
        if not changed:
            raise WorkspaceError(f"{self.path}: no run {run_id}")

    def run(self, run_id: int) -> dict:
        """One run as a dict of its columns."""
        self._fail_stopped(run_id)
        rows = self.query_dicts("SELECT * FROM runs WHERE run_id = ?", [int(run_id)])
        if not rows:
            raise WorkspaceError(f"{self.path}: no run {run_id}")
        return self._as_stopped(rows)[0]

    def runs(self) -> pd.DataFrame:
        """Every run, newest first."""
        import pandas as pd

        self._fail_stopped()
        columns, rows = self._fetch("SELECT * FROM runs ORDER BY run_id DESC", ())
        shown = self._as_stopped([dict(zip(columns, row, strict=True)) for row in rows])
        return pd.DataFrame(shown, columns=columns, dtype=object)

    def latest_run(self, status: str = "ok") -> int | None:
        """The id of the newest run with ``status``."""
        if status in ACTIVE or status == "failed":
            self._fail_stopped()
        rows = self.query("SELECT max(run_id) FROM runs WHERE status = ?", [status])
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    # --- stages -------------------------------------------------------------------------------

    def set_stage(self, run_id: int, stage: str, *, position: int | None = None, status: str | None = None,
                  fraction: float | None = None, message: str | None = None, seconds: float | None = None,
                  rows: int | None = None) -> None:
        """Record how far a stage has got (what is None is left as it was) and beat the run's heart.

        The first write sets ``started_at`` (and ``position`` after the last
        stage unless given, ``status`` running unless given); status done or
        failed sets ``finished_at``, and done sets ``fraction`` to 1 unless given.
        """
        if status is not None and status not in STAGE_STATUSES:
            raise WorkspaceError(f"unknown stage status {status!r}; use one of {', '.join(STAGE_STATUSES)}")
        stamp = now()
        if fraction is None and status == "done":
            fraction = 1.0
        values = {"run_id": int(run_id), "stage": stage, "position": position, "status": status,
                  "fraction": None if fraction is None else float(fraction), "message": message,
                  "now": stamp, "finished": stamp if status in ("done", "failed") else None,
                  "seconds": None if seconds is None else float(seconds),
                  "rows": None if rows is None else int(rows)}
        with self.transaction():
            beat = self.execute("UPDATE runs SET heartbeat_at = ? WHERE run_id = ?", [stamp, int(run_id)])
            if not beat.rowcount:
                raise WorkspaceError(f"{self.path}: no run {run_id}")
            self.execute(_UPSERT_STAGE, values)

    def stages(self, run_id: int) -> pd.DataFrame:
        """A run's stages in order, with status, fraction, message, times, seconds and rows."""
        return self.query_frame("SELECT * FROM run_stages WHERE run_id = ? ORDER BY position, started_at",
                                [int(run_id)])

    # --- runs whose process has gone ---------------------------------------------------------

    def _stopped(self, run_id: int | None = None) -> list[int]:
        sql = ("SELECT run_id, pid, heartbeat_at, started_at FROM runs "
               "WHERE status IN ('running', 'queued') AND pid IS NOT NULL")
        params = []
        if run_id is not None:
            sql, params = sql + " AND run_id = ?", [int(run_id)]
        limit = now() - timedelta(seconds=STALE_SECONDS)
        return [int(rid) for rid, pid, beat, started in self.query(sql, params)
                if (beat or started or limit) <= limit and not alive(pid)]

    def _fail_stopped(self, run_id: int | None = None) -> None:
        """Write back as failed the active runs whose process has gone (not when read-only)."""
        if self.read_only:
            return
        for stopped in self._stopped(run_id):
            with self.transaction():
                summary = {"message": STOPPED}
                changed = self.execute(
                    "UPDATE runs SET status = 'failed', finished_at = ?, summary = ? "
                    "WHERE run_id = ? AND status IN ('running', 'queued')",
                    [now(), json.dumps(summary), stopped]).rowcount
                if changed:
                    self.audit(None, "run.failed", run_id=stopped, reason="stopped")

    def _as_stopped(self, rows: list[dict]) -> list[dict]:
        """Rows with stopped runs shown as failed (what a read-only view cannot write back)."""
        if not self.read_only:
            return rows
        stopped = set(self._stopped())
        for row in rows:
            if row["run_id"] in stopped:
                row.update(status="failed", summary=json.dumps({"message": STOPPED}))
        return rows
