"""The workspace tables of personal-data control, created on first use.

They are in :data:`hotpass.workspace.schema.SCHEMA` (version 3); a workspace file
opened only by an older Hotpass since gets them here (every statement of the
schema is ``IF NOT EXISTS``), the first time privacy is asked about.
"""

from __future__ import annotations

from hotpass.workspace import schema

_ready: set[str] = set()


def ensure(ws) -> None:
    """Create the privacy tables in ``ws`` if they are missing (once per file and process)."""
    key = str(ws.path)
    if key in _ready or getattr(ws, "read_only", False):
        return
    with ws.transaction():
        for statement in schema.statements():
            ws.execute(statement)
    _ready.add(key)


def exists(ws, table: str) -> bool:
    """Whether ``table`` is in the workspace file (a read-only one may predate it)."""
    return bool(ws.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]))
