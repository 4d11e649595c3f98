"""Throttling login attempts per account and per client, over a sliding window.

No account is ever locked. Instead, a client (an opaque id the workbench makes
from the address a browser connects from) that has failed ``PER_ACCOUNT``
times for one username within ``WINDOW_MINUTES`` is refused for that username,
and one that has failed ``PER_CLIENT`` times for any usernames is refused for
all, until its failures slide out of the window. Failures from one client
never stop anyone logging in from another. Against guessing from many clients,
a username that failed ``PER_USERNAME`` times within the window from all
clients together is refused to every client that has not logged in as it
within ``KNOWN_DAYS``: the owner's own browsers still get in. Unknown
usernames are counted exactly as known ones, so being refused says nothing
about whether an account exists; they are kept only as a 16-bit hash, since a
password is sometimes typed into the username box.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from hotpass.workspace.database import now as _now

WINDOW_MINUTES = 15
PER_ACCOUNT = 5  # failures for one username from one client
PER_CLIENT = 20  # failures for any usernames from one client
PER_USERNAME = 30  # failures for one username from all clients, for clients it never used
KNOWN_DAYS = 30  # a client that logged in as a username within this many days is known for it


def account_key(username: str, known: bool) -> str:
    """What the attempts table keeps of a typed username: the account, or a short hash."""
    if known:
        return username
    return "?" + hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:4]


@dataclass(frozen=True)
class Throttle:
    """Whether a client may try a username now, and how long until it may."""

    refused: bool
    minutes: int = 0


class Attempts:
    """The login_attempts table of a workspace."""

    def __init__(self, workspace, window_minutes: int = WINDOW_MINUTES,
                 per_account: int = PER_ACCOUNT, per_client: int = PER_CLIENT,
                 per_username: int = PER_USERNAME):
        self.ws = workspace
        self.window = timedelta(minutes=window_minutes)
        self.per_account, self.per_client = per_account, per_client
        self.per_username = per_username

    def throttle(self, account: str, client: str, now: datetime | None = None) -> Throttle:
        """Refused when this client failed too often for ``account``, or at all, in the window,
        or ``account`` failed too often from everywhere and this client never logged in as it."""
        now = now or _now()
        since = now - self.window
        limits = [("account = ? AND client = ?", [account, client], self.per_account),
                  ("client = ?", [client], self.per_client)]
        if not self.known(account, client, now):
            limits.append(("account = ?", [account], self.per_username))
        for sql, params, limit in limits:
            rows = self.ws.query(f"SELECT attempted_at FROM login_attempts WHERE {sql} AND ok = 0 "
                                 "AND attempted_at > ? ORDER BY attempted_at DESC LIMIT ?",
                                 [*params, since, limit])
            if len(rows) >= limit:
                free = rows[-1][0] + self.window - now
                return Throttle(True, max(1, -(-int(free.total_seconds()) // 60)))
        return Throttle(False)

    def record(self, account: str, client: str, ok: bool, now: datetime | None = None) -> None:
        """Keep one attempt; a success forgets this client's failures for the account."""
        now = now or _now()
        if ok:
            self.ws.execute("DELETE FROM login_attempts WHERE account = ? AND client = ?",
                            [account, client])
        self.ws.execute("INSERT INTO login_attempts (attempted_at, account, client, ok) "
                        "VALUES (?, ?, ?, ?)", [now, account, client, ok])
        self.ws.execute("DELETE FROM login_attempts WHERE attempted_at < ? AND (ok = 0 OR "
                        "attempted_at < ?)", [now - timedelta(days=1),
                                              now - timedelta(days=KNOWN_DAYS)])

    def known(self, account: str, client: str, now: datetime | None = None) -> bool:
        """Whether ``client`` logged in as ``account`` within ``KNOWN_DAYS``."""
        since = (now or _now()) - timedelta(days=KNOWN_DAYS)
        return bool(self.ws.query("SELECT 1 FROM login_attempts WHERE account = ? AND client = ? "
                                  "AND ok = 1 AND attempted_at > ? LIMIT 1",
                                  [account, client, since]))

    def forget(self, account: str) -> int:
        """Forget every failure for ``account`` from every client (``hotpass users unlock``)."""
        return self.ws.execute("DELETE FROM login_attempts WHERE account = ? AND ok = 0",
                               [account]).rowcount

    def failures(self, account: str, now: datetime | None = None) -> int:
        """Failures for ``account`` from every client within the window."""
        since = (now or _now()) - self.window
        return self.ws.query("SELECT count(*) FROM login_attempts WHERE account = ? AND ok = 0 "
                             "AND attempted_at > ?", [account, since])[0][0]
