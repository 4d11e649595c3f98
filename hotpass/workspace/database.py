"""The workspace's SQLite connection: opening it, transactions, queries and the audit log.

One connection per :class:`Database` object, used by the thread that made it
(sqlite3 refuses another thread). The file is in WAL mode, so readers never
wait and writers take turns: a write waits up to ``BUSY_SECONDS`` for another
process's write to finish. Every write block starts with ``BEGIN IMMEDIATE``
so it holds the write lock from its first statement and never deadlocks on
an upgrade from reading to writing.
"""

from __future__ import annotations

import itertools
import json
import numbers
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hotpass.errors import WorkspaceError
from hotpass.workspace import schema

if TYPE_CHECKING:  # pandas is imported when a frame is asked for: the login page does not need it
    import pandas as pd

BUSY_SECONDS = 30
_savepoints = itertools.count(1)


def now() -> datetime:
    """The time now, as naive UTC (how the workspace keeps every time)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_sql(value):
    """A value as stored here: times as ISO text in naive UTC, flags as 0/1, numpy numbers as Python's."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):  # numpy integers too
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, float):
        return float(value)
    return value


def _bind(params):
    if isinstance(params, dict):
        return {key: to_sql(value) for key, value in params.items()}
    return [to_sql(value) for value in params or ()]


def _time(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


_READERS = {**{c: _time for c in schema.TIME_COLUMNS}, **{c: bool for c in schema.FLAG_COLUMNS}}


def connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    """A connection to ``path`` in WAL mode, durable commits, foreign keys on (autocommit)."""
    if read_only:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS,
                              isolation_level=None)
    else:
        con = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        con.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
        if not read_only:
            _wal(con)
        con.execute("PRAGMA synchronous = FULL")
        con.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error:
        con.close()
        raise
    return con


def _wal(con: sqlite3.Connection) -> None:
    """Put the file in WAL mode (once; it stays). Two connections doing so at once on a new file
    get "database is locked" without waiting, so try again for a while."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            if con.execute("PRAGMA journal_mode").fetchall()[0][0].lower() != "wal":
                con.execute("PRAGMA journal_mode = WAL").fetchall()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Database:
    """A connection to the workspace file, with the helpers every part of the workspace uses."""

    path: Path
    con: sqlite3.Connection

    def close(self) -> None:
        """Close the connection (a block still open is rolled back)."""
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _fail(self, exc: sqlite3.Error) -> WorkspaceError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            text = (f"another process kept the workspace busy for {BUSY_SECONDS} s ({text}); "
                    "try again")
        return WorkspaceError(f"{self.path}: {text}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Commit everything inside the block, or nothing; a block inside a block is a savepoint."""
        if self.con.in_transaction:
            yield from self._savepoint()
            return
        self._do("BEGIN IMMEDIATE")
        try:
            yield self.con
            self._do("COMMIT")
        except BaseException:
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")
            raise

    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        name = f"hotpass_{next(_savepoints)}"
        self._do(f"SAVEPOINT {name}")
        try:
            yield self.con
        except BaseException:
            self.con.execute(f"ROLLBACK TO {name}")
            self.con.execute(f"RELEASE {name}")
            raise
        self._do(f"RELEASE {name}")

    def _do(self, sql: str) -> None:
        try:
            self.con.execute(sql)
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def execute(self, sql: str, params: Iterable | dict = ()) -> sqlite3.Cursor:
        """Run one statement (times and flags converted); the cursor has ``lastrowid``, ``rowcount``."""
        try:
            return self.con.execute(sql, _bind(params))
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def executemany(self, sql: str, rows: Iterable[Iterable | dict]) -> int:
        """Run one statement once per row of parameters; returns the rows changed."""
        try:
            return self.con.executemany(sql, (_bind(row) for row in rows)).rowcount
        except sqlite3.Error as exc:
            raise self._fail(exc) from exc

    def _fetch(self, sql: str, params) -> tuple[list[str], list[tuple]]:
        cursor = self.execute(sql, params)
        rows = cursor.fetchall()
        columns = [d[0] for d in cursor.description or ()]
        readers = [_READERS.get(c) for c in columns]
        if any(readers):
            rows = [tuple(v if f is None or v is None else f(v) for v, f in zip(row, readers, strict=True))
                    for row in rows]
        return columns, rows

    def query(self, sql: str, params: Iterable | dict = ()) -> list[tuple]:
        """The rows of a query, with time columns as ``datetime`` and flags as ``bool``."""
        return self._fetch(sql, params)[1]

    def query_dicts(self, sql: str, params: Iterable | dict = ()) -> list[dict]:
        """The rows of a query as dicts by column name (converted as :meth:`query` does)."""
        columns, rows = self._fetch(sql, params)
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def query_frame(self, sql: str, params: Iterable | dict = ()) -> pd.DataFrame:
        """The rows of a query as a frame of Python objects (dtype object)."""
        import pandas as pd

        columns, rows = self._fetch(sql, params)
        return pd.DataFrame(rows, columns=columns, dtype=object)

    # --- audit -------------------------------------------------------------------------------

    def audit(self, username: str | None, action: str, **detail) -> None:
        """Record who did what; ``detail`` holds ids and counts, never personal values."""
        self.execute("INSERT INTO audit (logged_at, username, action, detail) VALUES (?, ?, ?, ?)",
                     [now(), username, action, json.dumps(detail, sort_keys=True, default=str)])

    def audit_log(self, action: str | None = None, username: str | None = None,
                  limit: int | None = None) -> pd.DataFrame:
        """The audit log, newest first, optionally filtered and cut to the newest ``limit``."""
        sql, params = "SELECT * FROM audit WHERE 1=1", []
        if action:
            sql, params = sql + " AND action = ?", [*params, action]
        if username:
            sql, params = sql + " AND username = ?", [*params, username]
        sql += " ORDER BY audit_id DESC"
        if limit is not None:
            sql, params = sql + " LIMIT ?", [*params, int(limit)]
        return self.query_frame(sql, params)
