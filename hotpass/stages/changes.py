"""Stage ``changes``: what changed since the previous finished run of the same workspace and profile.

Reads the previous run's database read-only (attached to this run's
connection, see :mod:`hotpass.changes`) and writes ``changes``, one row per
change; meta ``changes`` names the previous run and counts the changes per
kind. A first run (or one without a workspace) gets an empty table and no
previous run; so does a run whose previous run cannot be read just then (a
warning finding says so).
"""

from __future__ import annotations

from pathlib import Path

from hotpass.changes import compare, counts, empty
from hotpass.errors import WorkspaceError
from hotpass.profile import Profile
from hotpass.result import FINISHED, RUN_FILE
from hotpass.run import Run


def run(run: Run, profile: Profile) -> int:
    """Stage ``changes`` (see the module docstring); returns the number of changes."""
    run.db.clear_findings("changes")
    found = previous_run(run.workspace, run.run_id, profile.name)
    if found is None:
        run.db.set_meta("changes", {"previous_run": None, "counts": {}})
        return empty(run.db)
    run_id, path = found
    try:
        total = compare(run.db, path)
    except WorkspaceError as error:  # held by a writer (a publish) or damaged: this run goes on
        run.db.add_findings("changes", [("changes.previous_unreadable", "warning",
                                         f"Run {run_id} could not be compared with: {error}", *[None] * 7)])
        run.db.set_meta("changes", {"previous_run": None, "counts": {}, "unreadable": run_id})
        return empty(run.db)
    run.db.set_meta("changes", {"previous_run": run_id, "counts": counts(run.db)})
    return total


def previous_run(workspace, run_id: int | None, profile: str) -> tuple[int, Path] | None:
    """(id, database file) of the newest finished run before ``run_id`` with the same profile."""
    if workspace is None or run_id is None:
        return None
    runs = workspace.runs()
    earlier = runs[(runs["run_id"] < run_id) & (runs["profile"] == profile) & runs["status"].isin(FINISHED)]
    for previous in sorted(earlier["run_id"].astype(int), reverse=True):
        path = workspace.directory / "runs" / str(previous) / RUN_FILE
        if path.exists():
            return previous, path
    return None
