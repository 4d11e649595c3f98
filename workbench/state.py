"""What this browser session holds: the user, and caches of what the workspace keeps.

Uploads, the profile choice, hand edits and the current run are kept in the
workspace per user (:mod:`workbench.kept`), so a reload or a new tab resumes.
This module keeps, under session-state keys no widget owns, only what is
slow to rebuild from them: workbooks read from the kept files (by SHA-256),
the loaded profile, what the machine made of the upload set (sheet roles,
column targets and looks; once per upload set and profile), the profiles
ranked by fit (once per upload set) and the mapped sheets. Nothing from an upload goes into
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
    from hotpass import Fit, Profile
    from workbench.mapping import Detected, Mapped
    from workbench.sources import Upload

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


def detected() -> Detected:
    """What the machine makes of the readable uploads under the current profile: worked out once
    per upload set and profile (classifying sheets and sampling columns is the slow part)."""
    from workbench import mapping, sources

    files, current = uploads(), chosen()
    key = (current.version, sources.signature(files))
    cached = st.session_state.get(PREFIX + "detected")
    if cached is None or cached[0] != key:
        with st.spinner("Working out sheet roles and column mappings"):
            cached = (key, mapping.detect(mapping.sheets_of(files), current.profile))
        st.session_state[PREFIX + "detected"] = cached
    return cached[1]


def mapped() -> Mapped:
    """The user's readable uploads and their mappings, laid over again when anything changed."""
    from workbench import mapping

    files = uploads()
    current = chosen()
    with services.workspace() as ws:
        edits, roles = kept.edits(ws, username()), kept.roles(ws, username())
        columns = kept.role_columns(ws, username())
    state = [current.version, [(u.upload_id, u.sha256, u.name) for u in files],
             sorted(map(list, roles.items())), sorted([*k, *v] for k, v in columns.items()),
             sorted([*k, v or ""] for k, v in edits.items())]
    version = hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:10]
    cached = st.session_state.get(PREFIX + "mapped")
    if cached is None or cached.version != version:
        cached = mapping.map_uploads(files, current.profile, edits, roles, columns, detected())
        cached.version = version
        st.session_state[PREFIX + "mapped"] = cached
    return cached


def fits() -> list[Fit]:
    """Every profile offered, ranked by how it fits the readable uploads (once per upload set)."""
    from workbench import fitting, mapping, sources, tuning

    files = uploads()
    options = tuning.choices(services.workspace_dir())
    key = (sources.signature(files), sorted(options))
    cached = st.session_state.get(PREFIX + "fits")
    if cached is None or cached[0] != key:
        with st.spinner("Weighing which profile fits your files"):
            cached = (key, fitting.rank(mapping.sheets_of(files), options))
        st.session_state[PREFIX + "fits"] = cached
    return cached[1]


def preselect() -> str | None:
    """Use the profile that fits the uploads best, unless this user chose one (see
    :func:`workbench.fitting.preselect`); returns the label preselected for
    these files, else None."""
    from workbench import fitting, sources

    ranked = fits()
    if not ranked:
        return None
    with services.workspace() as ws:
        return fitting.preselect(ws, username(), ranked, sources.signature(uploads()))


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
