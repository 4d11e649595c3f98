"""What this browser session holds: the user, and caches of what the workspace keeps.

Uploads, the profile choice, hand edits and the current run are kept in the
workspace per user (:mod:`workbench.kept`), so a reload or a new tab resumes.
This module keeps, under session-state keys no widget owns, only what is
slow to rebuild from them: workbooks read from the kept files (by SHA-256),
the loaded profile and the mapped sheets. Nothing from an upload goes into
``st.cache_*``, which every user shares.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from workbench import kept, services

if TYPE_CHECKING:  # imported when used: the login page needs neither
    from hotpass import Profile
    from workbench.sources import Mapped, Upload

PREFIX = "hp."


def _get(name: str, factory):
    key = PREFIX + name
    if key not in st.session_state:
        st.session_state[key] = factory()
    return st.session_state[key]


def clear() -> None:
    """Forget everything this session loaded (at logout); the workspace keeps the user's work."""
    for key in [k for k in st.session_state if str(k).startswith(PREFIX)]:
        del st.session_state[key]


# --- the logged-in user -----------------------------------------------------------------------


def user():
    """The logged-in :class:`hotpass.User` of this run (set by app.py), or None."""
    return st.session_state.get(PREFIX + "user")


def set_user(current) -> None:
    st.session_state[PREFIX + "user"] = current


def username() -> str:
    return user().username


# --- the profile ------------------------------------------------------------------------------


@dataclass
class Chosen:
    """The profile this user works with, where it came from, and a version for widget keys."""

    profile: Profile
    label: str
    version: str
    problem: object | None = None  # a ProfileError when the kept choice could not be loaded


def chosen() -> Chosen:
    """The user's kept profile choice, loaded once per change."""
    with services.workspace() as ws:
        choice = kept.profile_choice(ws, username())
    key = (choice["label"], choice["yaml"])
    cached = st.session_state.get(PREFIX + "chosen")
    if cached is None or cached[0] != key:
        from workbench import tuning

        cached = (key, tuning.resolve(choice["label"], choice["yaml"], services.workspace_dir()))
        st.session_state[PREFIX + "chosen"] = cached
    profile, label, problem = cached[1]
    version = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:10]
    return Chosen(profile, label, version, problem)


def profile() -> Profile:
    return chosen().profile


def set_profile(new: Profile, label: str, by_name: bool = False) -> None:
    """Use ``new`` from now on (kept by its label when shipped or saved, else as YAML)."""
    with services.workspace() as ws:
        kept.set_profile_choice(ws, username(), label, None if by_name else new.to_yaml())


# --- uploads, read once per session -----------------------------------------------------------


def uploads() -> list[Upload]:
    """The user's kept uploads, each read with the current profile (cached here by SHA-256)."""
    from workbench import sources

    with services.workspace() as ws:
        rows = sources.kept_uploads(ws, username())
    current = profile()
    reading = sources.reading_key(current)
    books = _get("books", dict)
    if books.get("reading") != reading:  # another profile reads files differently
        books.clear()
        books["reading"] = reading
    out = []
    for row in rows:
        key = (row.sha256, row.name)
        if key not in books:
            with st.spinner(f"Reading {row.name}"):
                books[key] = sources.read_upload(row, current)
        done = books[key]
        out.append(sources.Upload(row.upload_id, row.name, row.size, row.sha256, row.path,
                                  done.workbook, done.error))
    active = {(u.sha256, u.name) for u in out} | {"reading"}
    for gone in [k for k in books if k not in active]:  # removed here or in another tab
        del books[gone]
    return out


def mapped() -> Mapped:
    """The user's readable uploads and their mappings, mapped again when anything changed."""
    from workbench import sources

    files = uploads()
    current = chosen()
    with services.workspace() as ws:
        edits, roles = kept.edits(ws, username()), kept.roles(ws, username())
    state = [current.version, [(u.upload_id, u.sha256, u.name) for u in files],
             sorted(map(list, roles.items())), sorted([*k, v or ""] for k, v in edits.items())]
    version = hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:10]
    cached = st.session_state.get(PREFIX + "mapped")
    if cached is None or cached.version != version:
        cached = sources.map_uploads(files, current.profile, edits, roles)
        cached.version = version
        st.session_state[PREFIX + "mapped"] = cached
    return cached


def forget_mapped() -> None:
    """Map again on the next look (after a hand edit changed the kept choices)."""
    st.session_state.pop(PREFIX + "mapped", None)


# --- one-time notes ---------------------------------------------------------------------------


def tell(key: str, kind: str, message: str) -> None:
    """Leave a note (kind: success, info, warning, error) for the next run of a page."""
    st.session_state[f"{PREFIX}note.{key}"] = (kind, message)


def told(key: str) -> None:
    """Show the note left under ``key``, once."""
    kind, message = st.session_state.pop(f"{PREFIX}note.{key}", (None, None))
    if kind:
        getattr(st, kind)(message)
