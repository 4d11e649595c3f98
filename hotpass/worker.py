"""Runs in the background: the workbench submits a run, a process of its own refines it.

:func:`submit` records the run as queued in the workspace (with its request
and the profile it runs with, saved in the run's folder) and starts
``python -m hotpass.worker <workspace> <run_id>``, a separate process with its
own DuckDB connection and memory. Nobody waits on it: every browser session
(and the CLI) goes on logging in, browsing, reviewing and downloading, and
reads the run's progress from the workspace's ``run_stages`` table. The
worker writes what it prints to ``runs/<id>/worker.log``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hotpass.errors import HotpassError
from hotpass.pipeline import complete, start
from hotpass.profile import Profile
from hotpass.run import Request
from hotpass.workspace import Workspace

PROFILE_FILE = "profile.yaml"
LOG_FILE = "worker.log"


def submit(workspace: Workspace, request: Request, profile: Profile) -> int:
    """Queue a run of ``request`` and start its worker process; returns the run id."""
    run_id = workspace.start_run(profile.name, [f.name for f in request.files], request.username,
                                 request=request.to_dict(), status="queued")
    folder = workspace.run_dir(run_id)
    profile.anchored().to_yaml(folder / PROFILE_FILE)  # relative file settings still find their files
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    with open(folder / LOG_FILE, "ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-m", "hotpass.worker", str(workspace.directory), str(run_id)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True, cwd=str(folder))
    workspace.set_run(run_id, pid=process.pid)
    workspace.audit(request.username, "run.submit", run_id=run_id, files=len(request.files))
    return run_id


def work(directory: str | Path, run_id: int) -> str:
    """Refine the queued run ``run_id`` of the workspace in ``directory``; returns its final status."""
    with Workspace(directory) as ws:
        stored = ws.run(run_id)
        request = Request.from_dict(_json(stored.get("request")) or {})
        profile = Profile.from_yaml(ws.run_dir(run_id) / PROFILE_FILE)
        ws.set_run(run_id, status="running", pid=os.getpid())
        run = start(request, profile, ws, run_id=run_id)
        try:
            result = complete(run, profile, raise_blocked=False)
        except HotpassError:
            return "failed"
        with result:
            return "ok" if result.published else "blocked"


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def main(argv: list[str] | None = None) -> int:
    """``python -m hotpass.worker WORKSPACE RUN_ID``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m hotpass.worker WORKSPACE RUN_ID", file=sys.stderr)  # noqa: T201
        return 2
    status = work(args[0], int(args[1]))
    return 0 if status in ("ok", "blocked") else 1


if __name__ == "__main__":
    sys.exit(main())
