"""Things the whole server process shares: the workspace and the cookie key.

One :class:`hotpass.workspace.Workspace` per process (DuckDB locks its file
to one process), kept by ``st.cache_resource`` and used under one re-entrant
lock, because a DuckDB connection must not be used by two threads (two
browser sessions) at once. Nothing from an upload is ever cached here.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from hotpass.workspace import Workspace

WORKSPACE_ENV = "HOTPASS_WORKSPACE"
COOKIE_KEY_FILE = ".cookie_key"


def workspace_dir() -> Path:
    """The workspace folder: ``$HOTPASS_WORKSPACE``, else ``./workspace``."""
    return Path(os.environ.get(WORKSPACE_ENV) or "workspace").resolve()


class _Shared:
    """A workspace and the lock that guards it."""

    def __init__(self, directory: str):
        self.workspace = Workspace(directory)
        self.lock = threading.RLock()


def _release(shared: _Shared) -> None:
    with shared.lock:
        shared.workspace.close()


@st.cache_resource(show_spinner=False, on_release=_release)
def _shared(directory: str) -> _Shared:
    return _Shared(directory)


@contextmanager
def workspace() -> Iterator[Workspace]:
    """The process's workspace, held by this thread until the block ends."""
    shared = _shared(str(workspace_dir()))
    with shared.lock:
        yield shared.workspace


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
