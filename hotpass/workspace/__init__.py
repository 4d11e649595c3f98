"""The workspace: a folder whose SQLite file keeps what several processes share.

``workspace.sqlite`` holds runs and their stage progress, reviewers'
decisions, the audit log, users, enrichment proposals, uploads and per-user
state: small transactional state that the command line and every workbench
session read and write at the same time (WAL mode; writers take turns). Each
run's data tables live in a DuckDB file of its own under ``runs/<run_id>/``.
The audit log holds ids and counts, never personal values.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hotpass.errors import WorkspaceError
from hotpass.workspace import migrate, schema
from hotpass.workspace.database import connect
from hotpass.workspace.decisions import DECISION_KINDS, Decisions
from hotpass.workspace.runs import Runs
from hotpass.workspace.state import UserState
from hotpass.workspace.uploads import Uploads

FILE_NAME = "workspace.sqlite"

__all__ = ["DECISION_KINDS", "FILE_NAME", "Workspace", "WorkspaceError"]


class Workspace(Runs, Decisions, Uploads, UserState):
    """A workspace folder and one connection to its SQLite file (for the thread that opened it)."""

    def __init__(self, directory: str | Path, read_only: bool = False):
        self.directory = Path(directory)
        self.path = self.directory / FILE_NAME
        self.read_only = read_only
        try:
            if not read_only:
                self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"{self.directory}: cannot open the workspace ({exc.strerror or exc})") from None
        if not read_only and migrate.needed(self.directory, self.path):
            migrate.migrate(self.directory / migrate.OLD_FILE, self.path)
        if read_only and not self.path.is_file():
            raise WorkspaceError(f"{self.path}: no workspace here (open it once for writing to create it)")
        try:
            self.con = connect(self.path, read_only)
        except sqlite3.Error as exc:
            raise WorkspaceError(f"{self.path}: cannot open the workspace ({exc})") from None
        if not read_only:
            self._create_tables()

    def _create_tables(self) -> None:
        try:
            if self.query("PRAGMA user_version")[0][0] >= schema.VERSION:
                return
            with self.transaction():
                for statement in schema.statements():
                    self.execute(statement)
                self.execute(f"PRAGMA user_version = {schema.VERSION}")
        except WorkspaceError:
            self.close()
            raise
