"""Workbench users and their roles, kept in the workspace.

Only bcrypt hashes (cost 12) are stored. Usernames are account ids: they are
lower-cased (streamlit-authenticator lower-cases what is typed at its login
form) and may appear in the audit log; names and passwords never do.

Five failed logins in a row lock an account for 15 minutes; the lock is the
penalty, so the count starts again from zero once it is set. Every method that
reads the clock takes ``now=`` (naive UTC, like the rest of the workspace).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import bcrypt

from hotpass.errors import UserError

ROLES = ("viewer", "operator", "reviewer", "admin")
PERMISSIONS = {  # what each role may do; admin may do everything
    "viewer": {"read", "download"},
    "operator": {"read", "download", "upload", "tune", "run"},
    "reviewer": {"read", "download", "review"},
    "admin": {"read", "download", "upload", "tune", "run", "review", "admin"},
}
ROUNDS = 12  # bcrypt cost
MIN_PASSWORD = 10  # characters
MAX_PASSWORD = 72  # UTF-8 bytes: bcrypt ignores (bcrypt 5 refuses) anything longer
MAX_NAME = 200
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_COLUMNS = "username, name, role, created_at, failed_logins, locked_until"


def can(role: str, action: str) -> bool:
    """Whether ``role`` may ``action`` (read, download, upload, tune, run, review, admin)."""
    return action in PERMISSIONS.get(role, set())


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def random_password() -> str:
    """A fresh random password: 20 URL-safe characters (120 bits)."""
    return secrets.token_urlsafe(15)


def check_username(username: str) -> str:
    """The username, lower-cased, or ``UserError`` when it is empty or odd."""
    if not isinstance(username, str) or not _USERNAME.fullmatch(username):
        raise UserError(f"invalid username {username!r}: use 1-64 letters, digits, '.', '_' or "
                        "'-', starting with a letter or digit")
    return username.lower()


def check_role(role: str) -> str:
    """The role, or ``UserError`` when it is not one of ``ROLES``."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> bytes:
    """The password as UTF-8, or ``UserError`` saying what is wrong (never showing it)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD:
        raise UserError(f"the password is {len(encoded)} bytes long but bcrypt uses only the first "
                        f"{MAX_PASSWORD}: use at most {MAX_PASSWORD} bytes (non-ASCII letters "
                        "take 2-4 bytes each)")
    if password != password.strip() or _CONTROL.search(password):
        raise UserError("the password starts or ends with a space or holds a control character; "
                        "the login form strips spaces, so it could never be typed")
    return encoded


def _check_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_NAME or _CONTROL.search(name):
        raise UserError(f"invalid name: use 1-{MAX_NAME} printable characters")
    return name


def _hash(password: str) -> str:
    return bcrypt.hashpw(check_password(password), bcrypt.gensalt(rounds=ROUNDS)).decode("ascii")


def _matches(password: str, digest: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), digest.encode("ascii"))
    except (ValueError, TypeError, AttributeError):  # bcrypt 5 raises past 72 bytes
        return False


@dataclass(frozen=True)
class User:
    """One workbench account (never its password hash)."""

    username: str
    name: str
    role: str
    created_at: datetime
    failed_logins: int
    locked_until: datetime | None

    def locked(self, now: datetime | None = None) -> bool:
        """Whether the account is locked at ``now``."""
        return self.locked_until is not None and (now or _now()) < self.locked_until


class Users:
    """The users table of a workspace (:mod:`hotpass.workspace`)."""

    MAX_FAILURES = 5  # failed logins in a row before the account locks
    LOCK_MINUTES = 15
    _dummy_hash: str | None = None  # checked for unknown users, so they take as long as known ones

    def __init__(self, workspace):
        self.ws = workspace

    # --- reading ----------------------------------------------------------------------------

    def get(self, username: str) -> User | None:
        """One user, or None when there is no such account (or the name could not be one)."""
        try:
            username = check_username(username)
        except UserError:
            return None
        rows = self.ws.query(f"SELECT {_COLUMNS} FROM users WHERE username = ?", [username])
        return User(*rows[0]) if rows else None

    def list(self) -> list[User]:
        """Every user, by username."""
        rows = self.ws.query(f"SELECT {_COLUMNS} FROM users ORDER BY username")
        return [User(*row) for row in rows]

    def locked(self, username: str, now: datetime | None = None) -> bool:
        """Whether the account is locked now (False for an unknown user)."""
        user = self.get(username)
        return bool(user and user.locked(now))

    def credentials(self, now: datetime | None = None) -> dict:
        """The ``credentials`` for streamlit-authenticator 0.4.2's ``Authenticate``; a new dict
        on every call (the library changes it in place).

        Locked accounts are left out: the library logs a user in from the login
        cookie without checking any password, so an unusable hash would not do.
        """
        now = now or _now()
        rows = self.ws.query("SELECT username, name, role, password_hash, failed_logins, "
                             "locked_until FROM users ORDER BY username")
        return {"usernames": {
            username: {"name": name, "password": digest, "roles": [role],
                       "email": f"{username}@localhost", "failed_login_attempts": int(failed),
                       "logged_in": False}
            for username, name, role, digest, failed, until in rows
            if until is None or now >= until}}

    # --- changing ---------------------------------------------------------------------------

    def add(self, username: str, role: str, password: str | None = None, name: str | None = None,
            by: str | None = None) -> str:
        """Create an account; returns its password (a random one when none is given)."""
        username, role = check_username(username), check_role(role)
        password = random_password() if password is None else password
        digest = _hash(password)
        name = _check_name(username if name is None else name)
        with self.ws.transaction():
            self._insert(username, name, role, digest, by)
        return password

    def ensure_admin(self, by: str | None = None) -> str | None:
        """When there are no users at all, create ``admin`` with a random password; return it."""
        if self.ws.query("SELECT 1 FROM users LIMIT 1"):
            return None
        password = random_password()
        digest = _hash(password)
        with self.ws.transaction():
            if self.ws.query("SELECT 1 FROM users LIMIT 1"):
                return None
            self._insert("admin", "Administrator", "admin", digest, by)
        return password

    def remove(self, username: str, by: str | None = None) -> None:
        """Delete an account; the last admin cannot be removed."""
        with self.ws.transaction():
            user = self._existing(username)
            self._keep_an_admin(user, "remove")
            self.ws.execute("DELETE FROM users WHERE username = ?", [user.username])
            self.ws.audit(by, "user.remove", user=user.username, role=user.role)

    def set_role(self, username: str, role: str, by: str | None = None) -> None:
        """Give an account another role; the last admin cannot be demoted."""
        role = check_role(role)
        with self.ws.transaction():
            user = self._existing(username)
            if role != "admin":
                self._keep_an_admin(user, f"make {role}")
            self.ws.execute("UPDATE users SET role = ? WHERE username = ?", [role, user.username])
            self.ws.audit(by, "user.role", user=user.username, role=role, previous=user.role)

    def set_password(self, username: str, password: str, by: str | None = None) -> None:
        """Replace an account's password; also clears its failed logins and any lock."""
        digest = _hash(password)
        with self.ws.transaction():
            user = self._existing(username)
            self.ws.execute(
                "UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, "
                "locked_until = NULL WHERE username = ?", [digest, _now(), user.username])
            self.ws.audit(by, "user.password", user=user.username)

    def unlock(self, username: str, by: str | None = None) -> None:
        """Lift a lock and forget the failed logins."""
        with self.ws.transaction():
            user = self._existing(username)
            self._clear_failures(user.username)
            self.ws.audit(by, "user.unlock", user=user.username)

    # --- logging in -------------------------------------------------------------------------

    def verify(self, username: str, password: str, now: datetime | None = None) -> bool:
        """Check a login; False for an unknown or locked account or a wrong password.

        Counted and audited as :meth:`record_login` says.
        """
        now = now or _now()
        user = self.get(username)
        if user is None:
            _matches(password, self._dummy())
            return self.record_login(username, False, now)
        if user.locked(now):
            return self.record_login(user.username, False, now)
        digest = self.ws.query("SELECT password_hash FROM users WHERE username = ?",
                               [user.username])[0][0]
        return self.record_login(user.username, _matches(password, digest), now)

    def record_login(self, username: str, ok: bool, now: datetime | None = None) -> bool:
        """Count and audit a login whose password was checked elsewhere (streamlit-authenticator).

        Returns whether the login stands: False when it failed or the account is
        locked or unknown. Attempts on a locked account are audited but not
        counted; failures for unknown accounts are audited without the typed
        name, which may be a password typed into the wrong box.
        """
        now = now or _now()
        with self.ws.transaction():
            user = self.get(username)
            if user is None:
                self.ws.audit(None, "login.failed", known=False)
                return False
            if user.locked(now):
                self.ws.audit(user.username, "login.failed", locked=True)
                return False
            if ok:
                self._clear_failures(user.username)
                self.ws.audit(user.username, "login.ok")
                return True
            self._count_failure(user, now)
            return False

    # --- helpers ----------------------------------------------------------------------------

    def _insert(self, username: str, name: str, role: str, digest: str, by: str | None) -> None:
        if self.ws.query("SELECT 1 FROM users WHERE username = ?", [username]):
            raise UserError(f"user {username!r} already exists")
        now = _now()
        self.ws.execute("INSERT INTO users (username, name, role, password_hash, created_at, "
                        "failed_logins, password_changed_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
                        [username, name, role, digest, now, now])
        self.ws.audit(by, "user.add", user=username, role=role)

    def _count_failure(self, user: User, now: datetime) -> None:
        failures = user.failed_logins + 1
        self.ws.audit(user.username, "login.failed", failures=failures)
        if failures < self.MAX_FAILURES:
            self.ws.execute("UPDATE users SET failed_logins = ? WHERE username = ?",
                            [failures, user.username])
            return
        until = now + timedelta(minutes=self.LOCK_MINUTES)
        self.ws.execute("UPDATE users SET failed_logins = 0, locked_until = ? WHERE username = ?",
                        [until, user.username])
        self.ws.audit(user.username, "login.locked", failures=failures, minutes=self.LOCK_MINUTES)

    def _clear_failures(self, username: str) -> None:
        self.ws.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?",
                        [username])

    def _existing(self, username: str) -> User:
        user = self.get(username)
        if user is None:
            raise UserError(f"no user {username!r}")
        return user

    def _keep_an_admin(self, user: User, what: str) -> None:
        admins = self.ws.query("SELECT count(*) FROM users WHERE role = 'admin'")[0][0]
        if user.role == "admin" and admins <= 1:
            raise UserError(f"cannot {what} {user.username!r}: it is the last admin; "
                            "make another user admin first")

    @classmethod
    def _dummy(cls) -> str:
        if cls._dummy_hash is None:
            cls._dummy_hash = _hash(random_password())
        return cls._dummy_hash
