"""Things every session uses: the workspace folder and the cookie key.

Each ``with workspace()`` block opens its own connection to the workspace's
SQLite file and closes it at the end, so browser sessions (threads) never
share one and never wait for each other except while one of them writes;
the command line can use the same workspace at the same time. Nothing from
an upload is ever cached here.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from hotpass import Workspace

WORKSPACE_ENV = "HOTPASS_WORKSPACE"
COOKIE_KEY_FILE = ".cookie_key"


def workspace_dir() -> Path:
    """The workspace folder: ``$HOTPASS_WORKSPACE``, else ``./workspace``."""
    return Path(os.environ.get(WORKSPACE_ENV) or "workspace").resolve()


@contextmanager
def workspace() -> Iterator[Workspace]:
    """The workspace, opened for this block (and this thread) and closed after it."""
    with Workspace(workspace_dir()) as ws:
        yield ws


def cookie_key() -> str:
    """The key that signs login cookies.

    ``st.secrets["auth"]["cookie_key"]`` when set (``.streamlit/secrets.toml``,
    kept out of git), else a random key made once and kept in the workspace
    folder (``.cookie_key``, readable by its owner only).
    """
    try:
        configured = st.secrets["auth"]["cookie_key"]
    except (
        KeyError,
        FileNotFoundError,
    ):  # no secrets file (StreamlitSecretNotFoundError) or no such key
        configured = None
    if configured:
        return str(configured)
    return _stored_key(workspace_dir() / COOKIE_KEY_FILE)


def _stored_key(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another session made it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
