"""Named points of a run where a crash test can hold the process to kill it there.

``HOTPASS_PAUSE_AT=<stage>[:<fraction>]`` stops the process when that stage
starts (or reports progress of at least ``fraction``); ``commit`` and
``commit-moved`` are the outputs' commit, after every journal is written and
after the first folder moved (:mod:`hotpass.export.staging`). When
``HOTPASS_PAUSED`` names a file it is created, so the test knows the process
got there; then the process sleeps until it is killed. Unset (always, outside
tests), a checkpoint costs one look at the environment.
"""

from __future__ import annotations

import os
import time

VARIABLE = "HOTPASS_PAUSE_AT"
SIGNAL_FILE = "HOTPASS_PAUSED"


def reached(point: str, fraction: float = 0.0) -> None:
    """Hold the process here when ``HOTPASS_PAUSE_AT`` names ``point`` (see the module doc)."""
    wanted = os.environ.get(VARIABLE)
    if not wanted:
        return
    name, _, at = wanted.partition(":")
    if name != point or fraction < (float(at) if at else 0.0):
        return
    signal = os.environ.get(SIGNAL_FILE)
    if signal:
        with open(signal, "w", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {wanted}\n")
    while True:
        time.sleep(3600)
