"""The tables of the workspace's SQLite file, and which of their columns hold times or flags.

Times are stored as ISO 8601 text in naive UTC and read back as ``datetime``;
flags are stored as 0/1 and read back as ``bool``. Ids are
``INTEGER PRIMARY KEY AUTOINCREMENT``: they start at 1 and are never reused.
"""

from __future__ import annotations

#: Bumped when a table changes; ``PRAGMA user_version`` holds the version a file has.
VERSION = 3  # 2: sessions and login_attempts; 3: suppression, upload_purposes, purges, subject_corrections, label_studio_pulls

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT, finished_at TEXT, username TEXT,
    profile TEXT, files TEXT, status TEXT, summary TEXT, pid INTEGER, heartbeat_at TEXT,
    request TEXT);
CREATE TABLE IF NOT EXISTS run_stages (
    run_id INTEGER NOT NULL REFERENCES runs (run_id), stage TEXT NOT NULL, position INTEGER,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'skipped')),
    fraction REAL, message TEXT, started_at TEXT, finished_at TEXT, seconds REAL, "rows" INTEGER,
    PRIMARY KEY (run_id, stage));
CREATE TABLE IF NOT EXISTS decisions (
    decision_id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, record_key TEXT NOT NULL,
    other_key TEXT, members TEXT, reviewer TEXT NOT NULL, note TEXT, created_at TEXT NOT NULL,
    undone_at TEXT, undone_by TEXT);
CREATE TABLE IF NOT EXISTS audit (
    audit_id INTEGER PRIMARY KEY AUTOINCREMENT, logged_at TEXT NOT NULL, username TEXT,
    action TEXT NOT NULL, detail TEXT);
CREATE INDEX IF NOT EXISTS audit_action ON audit (action);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL, failed_logins INTEGER NOT NULL, locked_until TEXT,
    password_changed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS proposals (
    proposal_id INTEGER PRIMARY KEY AUTOINCREMENT, record_kind TEXT NOT NULL, record_id TEXT NOT NULL,
    record_keys TEXT NOT NULL, field TEXT NOT NULL, "current" TEXT, proposed TEXT NOT NULL,
    provider TEXT NOT NULL, evidence TEXT, confidence REAL NOT NULL, created_at TEXT NOT NULL,
    run_id INTEGER, status TEXT NOT NULL, auto INTEGER NOT NULL, reviewer TEXT, decided_at TEXT,
    note TEXT);
CREATE INDEX IF NOT EXISTS proposals_status ON proposals (status);
CREATE TABLE IF NOT EXISTS uploads (
    upload_id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL, name TEXT NOT NULL,
    sha256 TEXT NOT NULL, size INTEGER NOT NULL, path TEXT NOT NULL, uploaded_at TEXT NOT NULL,
    removed_at TEXT);
CREATE INDEX IF NOT EXISTS uploads_user ON uploads (username, removed_at);
CREATE TABLE IF NOT EXISTS user_state (
    username TEXT NOT NULL, key TEXT NOT NULL, value TEXT, updated_at TEXT NOT NULL,
    PRIMARY KEY (username, key));
CREATE TABLE IF NOT EXISTS sessions (
    session_id INTEGER PRIMARY KEY AUTOINCREMENT, token_hash TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL, client TEXT, started_at TEXT NOT NULL, expires_at TEXT NOT NULL,
    ended_at TEXT, ended_reason TEXT);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username, ended_at);
CREATE TABLE IF NOT EXISTS login_attempts (
    attempt_id INTEGER PRIMARY KEY AUTOINCREMENT, attempted_at TEXT NOT NULL,
    account TEXT NOT NULL, client TEXT NOT NULL, ok INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS login_attempts_at ON login_attempts (attempted_at);
CREATE TABLE IF NOT EXISTS label_studio_pulls (
    url TEXT NOT NULL, project_id INTEGER NOT NULL, annotation_id INTEGER NOT NULL, task_id INTEGER,
    verdict TEXT, decision_id INTEGER, pulled_at TEXT NOT NULL,
    PRIMARY KEY (url, project_id, annotation_id));
CREATE TABLE IF NOT EXISTS subject_corrections (
    correction_id INTEGER PRIMARY KEY AUTOINCREMENT, key_digests TEXT NOT NULL, field TEXT NOT NULL,
    value TEXT, created_at TEXT NOT NULL, created_by TEXT NOT NULL, undone_at TEXT, undone_by TEXT);
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

#: Columns read back as ``datetime`` (by name, in every table and query).
TIME_COLUMNS = frozenset({
    "started_at", "finished_at", "heartbeat_at", "created_at", "undone_at", "logged_at",
    "locked_until", "password_changed_at", "decided_at", "uploaded_at", "removed_at", "updated_at",
    "expires_at", "ended_at", "attempted_at", "pulled_at", "declared_at", "purged_at"})
#: Columns read back as ``bool``.
FLAG_COLUMNS = frozenset({"auto"})


def statements() -> list[str]:
    """The schema as single statements."""
    return [s.strip() for s in SCHEMA.split(";") if s.strip()]
