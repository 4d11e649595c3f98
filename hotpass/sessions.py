"""Workbench login sessions, kept in the workspace so that they can be ended from anywhere.

A session is a random token handed to the browser (in the login cookie) and
kept here only as its SHA-256, with the account, an opaque client id, when it
started and when it expires. A token is good while its row is not ended, not
expired, its account still exists and the account's password has not changed
since the session started. A session expires when it has been idle for its
idle time (:meth:`Sessions.seen` moves the expiry on with each use) and never
later than ``HOURS`` after it started. Logout ends one session; a password change, a role
change or removing the account ends every session of that account (see
:class:`hotpass.users.Users`), from the workbench or the command line alike.
Every method that reads the clock takes ``now=`` (naive UTC).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from hotpass.workspace.database import now as _now

HOURS = 12  # a session's longest life, in use or not
IDLE_MINUTES = 60  # a session unused this long has expired


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def end_all(ws, username: str, reason: str, now: datetime | None = None) -> int:
    """End every open session of ``username`` (in the caller's transaction); returns how many."""
    cursor = ws.execute("UPDATE sessions SET ended_at = ?, ended_reason = ? "
                        "WHERE username = ? AND ended_at IS NULL",
                        [now or _now(), reason, username])
    return cursor.rowcount


class Sessions:
    """The sessions table of a workspace (:mod:`hotpass.workspace`)."""

    HOURS = HOURS

    def __init__(self, workspace, idle_minutes: float = IDLE_MINUTES):
        self.ws = workspace
        self.idle = timedelta(minutes=idle_minutes)

    def start(self, username: str, client: str, now: datetime | None = None) -> str:
        """A new session for ``username`` from ``client``; returns its token (kept only hashed)."""
        now = now or _now()
        token = secrets.token_urlsafe(32)
        with self.ws.transaction():
            self.ws.execute("INSERT INTO sessions (token_hash, username, client, started_at, "
                            "expires_at) VALUES (?, ?, ?, ?, ?)",
                            [_digest(token), username, client, now,
                             min(now + self.idle, now + timedelta(hours=HOURS))])
            self.ws.execute("DELETE FROM sessions WHERE expires_at < ?", [now - timedelta(days=30)])
        return token

    def username(self, token: str | None, now: datetime | None = None) -> str | None:
        """The account a token logs in, or None when the session is unknown, ended, expired,
        its account is gone or its password changed after the session started."""
        if not token or not isinstance(token, str):
            return None
        rows = self.ws.query(
            "SELECT s.username FROM sessions s JOIN users u ON u.username = s.username "
            "WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? "
            "AND s.started_at >= u.password_changed_at", [_digest(token), now or _now()])
        return rows[0][0] if rows else None

    def seen(self, token: str | None, now: datetime | None = None) -> None:
        """The session was used now: it expires ``idle`` from now (never past ``HOURS`` after it
        started). Written at most once a minute per session."""
        if not token or not isinstance(token, str):
            return
        now, digest = now or _now(), _digest(token)
        with self.ws.transaction():
            rows = self.ws.query("SELECT started_at, expires_at FROM sessions WHERE token_hash = ? "
                                 "AND ended_at IS NULL AND expires_at > ?", [digest, now])
            if not rows:
                return
            started, expires = rows[0]
            later = min(now + self.idle, started + timedelta(hours=HOURS))
            if later - expires >= timedelta(minutes=1):
                self.ws.execute("UPDATE sessions SET expires_at = ? WHERE token_hash = ?", [later, digest])

    def end(self, token: str | None, reason: str = "logout", now: datetime | None = None) -> bool:
        """End one session; False when it was not open."""
        if not token:
            return False
        with self.ws.transaction():
            cursor = self.ws.execute("UPDATE sessions SET ended_at = ?, ended_reason = ? "
                                     "WHERE token_hash = ? AND ended_at IS NULL",
                                     [now or _now(), reason, _digest(token)])
        return cursor.rowcount > 0

    def open_count(self, username: str, now: datetime | None = None) -> int:
        """How many sessions of ``username`` are open now."""
        return self.ws.query("SELECT count(*) FROM sessions WHERE username = ? "
                             "AND ended_at IS NULL AND expires_at > ?",
                             [username, now or _now()])[0][0]
