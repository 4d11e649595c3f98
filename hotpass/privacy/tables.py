"""The workspace tables of personal-data control, created on first use.

They are also in :data:`hotpass.workspace.schema.SCHEMA`; a workspace file made
before they existed gets them here, the first time privacy is asked about.
"""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS suppression (
    suppression_id INTEGER PRIMARY KEY AUTOINCREMENT, digest TEXT NOT NULL, kind TEXT NOT NULL,
    reason TEXT NOT NULL, username TEXT, created_at TEXT NOT NULL, removed_at TEXT, removed_by TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS suppression_active ON suppression (digest) WHERE removed_at IS NULL;
CREATE TABLE IF NOT EXISTS upload_purposes (
    username TEXT NOT NULL, sha256 TEXT NOT NULL, purpose TEXT, lawful_basis TEXT,
    consent_source TEXT, declared_at TEXT NOT NULL, PRIMARY KEY (username, sha256));
CREATE TABLE IF NOT EXISTS purges (
    purge_id INTEGER PRIMARY KEY AUTOINCREMENT, purged_at TEXT NOT NULL, username TEXT,
    runs INTEGER NOT NULL, uploads INTEGER NOT NULL, files INTEGER NOT NULL, report TEXT);
"""

_ready: set[str] = set()


def ensure(ws) -> None:
    """Create the privacy tables in ``ws`` if they are missing (once per file and process)."""
    key = str(ws.path)
    if key in _ready or getattr(ws, "read_only", False):
        return
    with ws.transaction():
        for statement in (s.strip() for s in SCHEMA.split(";")):
            if statement:
                ws.execute(statement)
    _ready.add(key)


def exists(ws, table: str) -> bool:
    """Whether ``table`` is in the workspace file (a read-only one may predate it)."""
    return bool(ws.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]))
