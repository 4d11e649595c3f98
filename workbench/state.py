"""What this browser session holds, under session-state keys no widget owns.

A widget's key disappears when the widget is not drawn, so domain state lives
under ``hp.*`` keys behind the functions here. Uploaded data stays in this
session (and its temporary folder), never in ``st.cache_*``, which every user
shares.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:  # imported when used: the login page needs neither
    from hotpass.profile import Profile
    from workbench.sources import Mapped, Upload

PREFIX = "hp."
DEFAULT_PROFILE = "generic"


def _get(name: str, factory):
    key = PREFIX + name
    if key not in st.session_state:
        st.session_state[key] = factory()
    return st.session_state[key]


def _set(name: str, value) -> None:
    st.session_state[PREFIX + name] = value


def clear() -> None:
    """Forget everything this session loaded (at logout)."""
    for key in [k for k in st.session_state if str(k).startswith(PREFIX)]:
        del st.session_state[key]


def session_dir() -> Path:
    """This session's temporary folder; removed when the session ends (or at logout)."""
    return Path(_get("tmp", lambda: tempfile.TemporaryDirectory(prefix="hotpass-")).name)


# --- uploads ----------------------------------------------------------------------------------


def uploads() -> dict[str, Upload]:
    """This session's uploads by file id, in upload order (read or not)."""
    return _get("uploads", dict)


def add_upload(upload: Upload) -> None:
    uploads()[upload.file_id] = upload
    _changed()


def remove_upload(file_id: str) -> None:
    """Forget an upload; the uploader will not bring it back."""
    uploads().pop(file_id, None)
    dismissed().add(file_id)
    _changed()


def dismissed() -> set[str]:
    """File ids the user removed, so a still-drawn uploader does not re-add them."""
    return _get("dismissed", set)


def seen() -> list[str]:
    """File ids the uploader held when it was last drawn."""
    return _get("seen", list)


def set_seen(file_ids: list[str]) -> None:
    _set("seen", list(file_ids))


# --- profile and mapping ----------------------------------------------------------------------


@dataclass
class Chosen:
    """The profile this session uses and where it came from."""

    profile: Profile
    label: str
    version: int = 0
    edits: dict = field(default_factory=dict)  # (file, sheet, source column) -> target or None
    roles: dict = field(default_factory=dict)  # (file, sheet) -> role


def chosen() -> Chosen:
    from hotpass.profile import load_profile

    return _get("chosen", lambda: Chosen(load_profile(DEFAULT_PROFILE), DEFAULT_PROFILE))


def profile() -> Profile:
    return chosen().profile


def set_profile(new: Profile, label: str) -> None:
    """Use ``new`` from now on; sheets are mapped again (hand edits are re-applied)."""
    current = chosen()
    current.profile, current.label = new, label
    _changed()


def set_role(file: str, sheet: str, role: str) -> None:
    chosen().roles[(file, sheet)] = role
    _changed()


def record_edit(file: str, sheet: str, source: str, target: str | None) -> None:
    chosen().edits[(file, sheet, source)] = target


def _changed() -> None:
    chosen().version += 1


def mapped() -> Mapped:
    """This session's readable workbooks and their mappings, mapped again when anything changed."""
    current = chosen()
    cached = st.session_state.get(PREFIX + "mapped")
    if cached is None or cached.version != current.version:
        from workbench.sources import map_uploads

        cached = map_uploads(
            list(uploads().values()), current.profile, current.edits, current.roles
        )
        cached.version = current.version
        _set("mapped", cached)
    return cached


# --- runs -------------------------------------------------------------------------------------


def result():
    """The last run of this session (a :class:`workbench.running.Outcome`), or None."""
    return st.session_state.get(PREFIX + "result")


def set_result(outcome) -> None:
    _set("result", outcome)


# --- the logged-in user -----------------------------------------------------------------------


def user():
    """The logged-in :class:`hotpass.users.User` of this run (set by app.py), or None."""
    return st.session_state.get(PREFIX + "user")


def set_user(current) -> None:
    _set("user", current)
