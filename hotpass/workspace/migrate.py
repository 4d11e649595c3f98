"""Moving a workspace kept in DuckDB (``hotpass.duckdb``) into SQLite, once.

Runs (status and summary as they were; their tables are not moved), decisions,
the audit log, users and proposals are copied with their ids into a new file,
built under a temporary name and put in place whole; then the old file is
renamed ``hotpass.duckdb.migrated``. The old file is only read, never deleted.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from pathlib import Path

from hotpass.errors import WorkspaceError
from hotpass.workspace import schema
from hotpass.workspace.database import now, to_sql

OLD_FILE = "hotpass.duckdb"
TABLES = {"runs": "run_id", "decisions": "decision_id", "audit": "audit_id", "users": "username",
          "proposals": "proposal_id"}


def needed(directory: Path, path: Path) -> bool:
    """Whether ``directory`` has an old DuckDB workspace and no SQLite one yet."""
    return (directory / OLD_FILE).is_file() and not path.exists()


def migrate(old: Path, new: Path) -> dict[str, int]:
    """Copy the old file's rows into ``new`` and retire the old file; returns rows per table."""
    tables = _read(old)
    fd, temporary = tempfile.mkstemp(dir=new.parent, prefix=".migrating-", suffix=".sqlite")
    os.close(fd)
    try:
        counts = _write(Path(temporary), tables)
        _publish(Path(temporary), new)
    except sqlite3.Error as exc:
        raise WorkspaceError(f"{old}: cannot copy the old workspace into {new.name} ({exc}); the old "
                             "file is unchanged") from exc
    except OSError as exc:
        raise WorkspaceError(f"{old}: cannot copy the old workspace into {new.name} "
                             f"({exc.strerror or exc}); the old file is unchanged") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    _retire(old)
    return counts


def _read(old: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    import duckdb

    try:
        con = duckdb.connect(str(old), read_only=True)
    except duckdb.Error as exc:
        raise WorkspaceError(
            f"{old}: cannot open the old workspace file to move it into SQLite ({_first_line(exc)}). "
            "Stop any older Hotpass process using this workspace and try again; if the file is "
            "damaged, move it out of the folder to start with an empty workspace") from None
    try:
        present = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        tables = {}
        for table, key in TABLES.items():
            if table in present:
                cursor = con.execute(f"SELECT * FROM {table} ORDER BY {key}")
                rows = cursor.fetchall()
                tables[table] = ([d[0] for d in cursor.description], rows)
        return tables
    except duckdb.Error as exc:
        raise WorkspaceError(f"{old}: cannot read the old workspace file ({_first_line(exc)}); "
                             "it is left as it was") from None
    finally:
        con.close()


def _write(path: Path, tables: dict[str, tuple[list[str], list[tuple]]]) -> dict[str, int]:
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA synchronous = FULL")
        con.execute("BEGIN IMMEDIATE")
        for statement in schema.statements():
            con.execute(statement)
        counts = {}
        for table, (columns, rows) in tables.items():
            known = {row[1] for row in con.execute(f"PRAGMA table_info({table})").fetchall()}
            kept = [i for i, column in enumerate(columns) if column in known]
            names = ", ".join(f'"{columns[i]}"' for i in kept)
            marks = ", ".join("?" * len(kept))
            con.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                            ([to_sql(row[i]) for i in kept] for row in rows))
            counts[table] = len(rows)
        con.execute("INSERT INTO audit (logged_at, username, action, detail) VALUES (?, ?, ?, ?)",
                    [to_sql(now()), "hotpass", "workspace.migrated",
                     json.dumps(counts, sort_keys=True)])
        con.execute(f"PRAGMA user_version = {schema.VERSION}")
        con.execute("COMMIT")
        return counts
    finally:
        con.close()


def _publish(temporary: Path, new: Path) -> None:
    """Put the finished file in place unless another process already did."""
    try:
        os.link(temporary, new)
    except FileExistsError:
        return  # another process migrated first; its copy stands
    except OSError:  # a file system without hard links
        if not new.exists():
            os.replace(temporary, new)


def _retire(old: Path) -> None:
    """Rename the old file (and its WAL, if any) out of the way without replacing anything."""
    target = old.with_name(old.name + ".migrated")
    number = 1
    while target.exists():
        target, number = old.with_name(f"{old.name}.migrated.{number}"), number + 1
    try:
        os.rename(old, target)
        wal = old.with_name(old.name + ".wal")
        if wal.exists():
            os.rename(wal, target.with_name(target.name + ".wal"))
    except OSError:  # another process retired it, or it cannot be renamed: it is no longer read
        return


def _first_line(exc: Exception) -> str:
    return re.split(r"[\r\n]", str(exc), maxsplit=1)[0]
