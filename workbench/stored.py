"""Reading stored runs while workers come and go (no Streamlit here).

A worker marks its run finished a moment before it lets go of the run's
database, and a publish holds it for a moment too; a reader that comes in
that moment is told the file cannot be opened. Readers here try again for a
few seconds before they give up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from hotpass import RunResult, WorkspaceError, open_run

WAIT_SECONDS = 5.0
_PAUSE = 0.2
T = TypeVar("T")


def busy(error: WorkspaceError) -> bool:
    """Whether ``error`` says a run's database is held by someone else (worth another try)."""
    return "cannot open" in str(error)


def retrying(read: Callable[[], T], wait: float = WAIT_SECONDS) -> T:
    """``read()``, tried again while a run's database is held elsewhere, for up to ``wait`` s."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return read()
        except WorkspaceError as error:
            if not busy(error) or time.monotonic() >= deadline:
                raise
        time.sleep(_PAUSE)


def opened(ws, run_id: int, wait: float = WAIT_SECONDS) -> RunResult:
    """The stored run ``run_id``, read-only (close it, or use it in a ``with`` block)."""
    return retrying(lambda: open_run(ws, run_id), wait)
