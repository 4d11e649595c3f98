"""Small per-user settings the workbench keeps between sessions (choices, filters), as JSON."""

from __future__ import annotations

import json

from hotpass.errors import WorkspaceError
from hotpass.workspace.database import Database, now


class UserState(Database):
    """The user_state table: one JSON value per user and key."""

    def get_state(self, username: str, key: str, default=None):
        """The value kept for ``username`` under ``key``, or ``default``."""
        rows = self.query("SELECT value FROM user_state WHERE username = ? AND key = ?", [username, key])
        return json.loads(rows[0][0]) if rows else default

    def set_state(self, username: str, key: str, value) -> None:
        """Keep ``value`` (anything JSON can hold) for ``username`` under ``key``."""
        try:
            text = json.dumps(value, sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise WorkspaceError(f"{self.path}: cannot keep {key!r} for {username}: {exc}") from None
        self.execute("INSERT INTO user_state (username, key, value, updated_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (username, key) DO UPDATE SET value = excluded.value, "
                     "updated_at = excluded.updated_at", [username, key, text, now()])
