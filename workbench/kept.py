"""What the workbench keeps for each user in the workspace, so a reload or a new tab resumes.

The profile in use (a shipped or saved profile by its label, or the YAML of a
tuned or uploaded one), the sheet roles and column targets chosen by hand, the
names files were uploaded under, and the user's current run. Every value is
plain JSON in the workspace's ``user_state`` table (no Streamlit here); a
change is read and written in one transaction, so two tabs of one user never
undo each other's edits.
"""

from __future__ import annotations

from collections.abc import Callable

PROFILE, ROLES, EDITS = "profile", "sheet_roles", "mapping_edits"
NAMES, RUN = "upload_names", "current_run"
DEFAULT_PROFILE = "generic"


def _change(ws, username: str, key: str, default, change: Callable):
    """Apply ``change`` to the kept value in one write transaction; returns the new value."""
    with ws.transaction():
        value = change(ws.get_state(username, key, default))
        ws.set_state(username, key, value)
    return value


# --- the profile ------------------------------------------------------------------------------


def profile_choice(ws, username: str) -> dict:
    """``{"label": ..., "yaml": ...}``: yaml is None for a shipped or saved profile."""
    found = ws.get_state(username, PROFILE, None)
    if not isinstance(found, dict) or not found.get("label"):
        return {"label": DEFAULT_PROFILE, "yaml": None}
    return {"label": str(found["label"]), "yaml": found.get("yaml")}


def set_profile_choice(ws, username: str, label: str, yaml: str | None = None) -> None:
    """Use the profile ``label`` (with its YAML when it is tuned or uploaded) from now on."""
    ws.set_state(username, PROFILE, {"label": label, "yaml": yaml})


# --- roles and column targets chosen by hand --------------------------------------------------


def roles(ws, username: str) -> dict[tuple[str, str], str]:
    """(file, sheet) -> role chosen by hand."""
    return {(f, s): r for f, s, r in ws.get_state(username, ROLES, [])}


def set_role(ws, username: str, file: str, sheet: str, role: str) -> None:
    def change(rows):
        kept = [row for row in rows if (row[0], row[1]) != (file, sheet)]
        return [*kept, [file, sheet, role]]

    _change(ws, username, ROLES, [], change)


def edits(ws, username: str) -> dict[tuple[str, str, str], str | None]:
    """(file, sheet, source column) -> target chosen by hand (None: ignore the column)."""
    return {(f, s, c): t for f, s, c, t in ws.get_state(username, EDITS, [])}


def add_edits(ws, username: str, file: str, sheet: str,
              changes: list[tuple[str, str | None]]) -> None:
    """Keep (source column, target) changes of one sheet; a later change of a column wins."""
    def change(rows):
        changed = {source for source, _ in changes}
        kept = [row for row in rows if (row[0], row[1]) != (file, sheet) or row[2] not in changed]
        return [*kept, *([file, sheet, source, target] for source, target in changes)]

    _change(ws, username, EDITS, [], change)


# --- uploads and runs -------------------------------------------------------------------------


def names(ws, username: str) -> dict[int, str]:
    """Upload id -> the name the file was uploaded under (the workspace keeps a safe one)."""
    return {int(k): str(v) for k, v in ws.get_state(username, NAMES, {}).items()}


def set_name(ws, username: str, upload_id: int, name: str) -> None:
    _change(ws, username, NAMES, {}, lambda found: {**found, str(int(upload_id)): name})


def forget_name(ws, username: str, upload_id: int) -> None:
    _change(ws, username, NAMES, {},
            lambda found: {k: v for k, v in found.items() if k != str(int(upload_id))})


def current_run(ws, username: str) -> int | None:
    """The run this user started last (None before their first)."""
    found = ws.get_state(username, RUN, None)
    return int(found) if found is not None else None


def set_current_run(ws, username: str, run_id: int) -> None:
    ws.set_state(username, RUN, int(run_id))
