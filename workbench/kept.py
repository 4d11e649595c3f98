"""What the workbench keeps for each user in the workspace, so a reload or a new tab resumes.

The profile in use (a shipped or saved profile by its label, or the YAML of a
tuned or uploaded one; whether the user chose it or the workbench preselected it
as the best fit for their files), the sheet roles, key columns and column
targets chosen by hand (the user's mapping recipe, re-applied to any later
upload whose file and sheet names are the same), the names files were
uploaded under, and the user's current run. Every value is plain JSON in the
workspace's ``user_state`` table (no Streamlit here); a change is read and
written in one transaction, so two tabs of one user never undo each other's
edits.
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


def set_profile_choice(ws, username: str, label: str, yaml: str | None = None,
                       fitted: str | None = None) -> None:
    """Use the profile ``label`` (with its YAML when it is tuned or uploaded) from now on.

    ``fitted``: the upload set (its signature) the workbench preselected the profile for, as the
    one that fits it best; None when the user chose it.
    """
    ws.set_state(username, PROFILE, {"label": label, "yaml": yaml, "fitted": fitted})


def chose_profile(ws, username: str) -> bool:
    """Whether the user chose the profile in use (rather than the default or a preselection)."""
    found = ws.get_state(username, PROFILE, None)
    return isinstance(found, dict) and bool(found.get("label")) and not found.get("fitted")


def fitted_for(ws, username: str) -> str | None:
    """The upload set the profile in use was preselected for (None if it was not preselected)."""
    found = ws.get_state(username, PROFILE, None)
    return found.get("fitted") if isinstance(found, dict) else None


# --- roles and column targets chosen by hand --------------------------------------------------


def roles(ws, username: str) -> dict[tuple[str, str], str]:
    """(file, sheet) -> role chosen by hand."""
    return {(row[0], row[1]): row[2] for row in ws.get_state(username, ROLES, [])}


def role_columns(ws, username: str) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(file, sheet) -> (key column, date column) chosen by hand for a side table or a log."""
    found = {}
    for row in ws.get_state(username, ROLES, []):
        key, date = (list(row[3:5]) + [None, None])[:2]
        if key or date:
            found[(row[0], row[1])] = (key, date)
    return found


def set_role(ws, username: str, file: str, sheet: str, role: str, key: str | None = None,
             date: str | None = None) -> None:
    """Keep the role of one sheet; for a side table or activity log also the column naming the
    record each row belongs to (``key``) and, for a log, the date column (None: as detected)."""
    def change(rows):
        kept = [row for row in rows if (row[0], row[1]) != (file, sheet)]
        return [*kept, [file, sheet, role, key, date]]

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
