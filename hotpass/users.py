"""Workbench users and their roles, kept in the workspace.

Only bcrypt hashes (cost 12) are stored. Usernames are account ids: they are
lower-cased (streamlit-authenticator lower-cases what is typed at its login
form) and may appear in the audit log; names and passwords never do.

No account is ever locked: failed logins are throttled per account and per
client (:mod:`hotpass.logins`), so guessing from one place never shuts the
owner out from another. Changing a password or a role, or removing an
account, ends every session of that account (:mod:`hotpass.sessions`). Every
method that reads the clock takes ``now=`` (naive UTC, like the rest of the
workspace).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import bcrypt

from hotpass import sessions
from hotpass.errors import UserError
from hotpass.logins import Attempts, account_key

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
    failed_logins: int  # since the last successful login
    locked_until: datetime | None  # kept from older versions, which locked accounts; never set


@dataclass(frozen=True)
class Login:
    """The outcome of a login attempt: ``ok``, or refused; ``throttled`` minutes to wait when this
    client tried this username too often (said the same way whether the account exists or not)."""

    ok: bool
    throttled: int = 0


class Users:
    """The users table of a workspace (:mod:`hotpass.workspace`)."""

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

    def credentials(self, now: datetime | None = None) -> dict:
        """The ``credentials`` for streamlit-authenticator 0.4.2's ``Authenticate``; a new dict
        on every call (the library changes it in place).

        The workbench does not use it any more (see workbench/auth.py); kept for scripts.
        """
        rows = self.ws.query("SELECT username, name, role, password_hash, failed_logins "
                             "FROM users ORDER BY username")
        return {"usernames": {
            username: {"name": name, "password": digest, "roles": [role],
                       "email": f"{username}@localhost", "failed_login_attempts": int(failed),
                       "logged_in": False}
            for username, name, role, digest, failed in rows}}

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
        """Delete an account and end its sessions; the last admin cannot be removed."""
        with self.ws.transaction():
            user = self._existing(username)
            self._keep_an_admin(user, "remove")
            self.ws.execute("DELETE FROM users WHERE username = ?", [user.username])
            sessions.end_all(self.ws, user.username, "user.remove")
            self.ws.audit(by, "user.remove", user=user.username, role=user.role)

    def set_role(self, username: str, role: str, by: str | None = None) -> None:
        """Give an account another role and end its sessions; the last admin stays admin."""
        role = check_role(role)
        with self.ws.transaction():
            user = self._existing(username)
            if role != "admin":
                self._keep_an_admin(user, f"make {role}")
            self.ws.execute("UPDATE users SET role = ? WHERE username = ?", [role, user.username])
            if role != user.role:
                sessions.end_all(self.ws, user.username, "user.role")
            self.ws.audit(by, "user.role", user=user.username, role=role, previous=user.role)

    def set_password(self, username: str, password: str, by: str | None = None) -> None:
        """Replace an account's password, end its sessions and forget its failed logins."""
        digest = _hash(password)
        with self.ws.transaction():
            user = self._existing(username)
            self.ws.execute(
                "UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, "
                "locked_until = NULL WHERE username = ?", [digest, _now(), user.username])
            sessions.end_all(self.ws, user.username, "user.password")
            Attempts(self.ws).forget(user.username)
            self.ws.audit(by, "user.password", user=user.username)

    def unlock(self, username: str, by: str | None = None) -> None:
        """Forget the account's failed logins from every client, so no client is throttled for
        it any more."""
        with self.ws.transaction():
            user = self._existing(username)
            self._clear_failures(user.username)
            Attempts(self.ws).forget(user.username)
            self.ws.audit(by, "user.unlock", user=user.username)

    # --- logging in -------------------------------------------------------------------------

    def verify(self, username: str, password: str, client: str = "local",
               now: datetime | None = None) -> bool:
        """Check a login; False for an unknown account, a wrong password or a throttled client."""
        return self.login(username, password, client, now).ok

    def login(self, username: str, password: str, client: str = "local",
              now: datetime | None = None) -> Login:
        """Check a login from ``client`` (an opaque id); counted, throttled and audited.

        Unknown accounts cost a bcrypt check too, are counted like known ones
        and audited without the typed name (it may be a password typed into
        the wrong box).
        """
        now = now or _now()
        user = self.get(username)
        account = account_key(user.username if user else str(username), user is not None)
        attempts = Attempts(self.ws)
        throttle = attempts.throttle(account, client, now)
        if throttle.refused:
            with self.ws.transaction():
                self.ws.audit(user.username if user else None, "login.throttled",
                              known=user is not None, minutes=throttle.minutes)
            return Login(False, throttle.minutes)
        if user is None:
            _matches(password, self._dummy())
            ok = False
        else:
            digest = self.ws.query("SELECT password_hash FROM users WHERE username = ?",
                                   [user.username])[0][0]
            ok = _matches(password, digest)
        with self.ws.transaction():
            attempts.record(account, client, ok, now)
            self._record(user, ok)
        return Login(ok)

    def record_login(self, username: str, ok: bool, client: str = "local",
                     now: datetime | None = None) -> bool:
        """Count and audit a login whose password was checked elsewhere; whether it stands
        (False when it failed, the account is unknown or the client is throttled)."""
        now = now or _now()
        user = self.get(username)
        account = account_key(user.username if user else str(username), user is not None)
        attempts = Attempts(self.ws)
        if attempts.throttle(account, client, now).refused:
            return False
        with self.ws.transaction():
            attempts.record(account, client, ok and user is not None, now)
            self._record(user, ok)
        return ok and user is not None

    def _record(self, user: User | None, ok: bool) -> None:
        if user is None:
            self.ws.audit(None, "login.failed", known=False)
        elif ok:
            self._clear_failures(user.username)
            self.ws.audit(user.username, "login.ok")
        else:
            failures = user.failed_logins + 1
            self.ws.execute("UPDATE users SET failed_logins = ? WHERE username = ?",
                            [failures, user.username])
            self.ws.audit(user.username, "login.failed", failures=failures)

    # --- helpers ----------------------------------------------------------------------------

    def _insert(self, username: str, name: str, role: str, digest: str, by: str | None) -> None:
        if self.ws.query("SELECT 1 FROM users WHERE username = ?", [username]):
            raise UserError(f"user {username!r} already exists")
        now = _now()
        self.ws.execute("INSERT INTO users (username, name, role, password_hash, created_at, "
                        "failed_logins, password_changed_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
                        [username, name, role, digest, now, now])
        self.ws.audit(by, "user.add", user=username, role=role)

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
