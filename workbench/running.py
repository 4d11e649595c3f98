"""Runs from the Run page (no Streamlit here): start one in the background, read how it goes.

:func:`start` hands the user's kept uploads and current mappings to a worker
process (``hotpass.submit``) and returns at once; the page then reads the
run's status and per-stage progress from the workspace, as every other
session and the command line can. A user has at most one active run; other
users' runs never stand in anyone's way.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from hotpass import LABELS, MIN_LABELS, STAGES, Profile, Request, publish, submit
from workbench import kept, stored, tuning

ACTIVE = ("queued", "running")
FINISHED = ("ok", "blocked")
PROFILE_FILE = "profile.yaml"  # where hotpass.submit keeps the profile a run was asked to use


class RunRefused(Exception):
    """The user may not start a run now (one of theirs is still going, or nothing to run)."""


@dataclass
class RunState:
    """One run as the Run page shows it."""

    run_id: int
    status: str  # queued | running | ok | blocked | failed
    summary: dict
    stages: pd.DataFrame
    username: str | None
    profile: str | None
    files: list[str]

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def active_run(ws, username: str) -> int | None:
    """The user's run that is queued or running (a dead worker counts as failed), else None."""
    runs = ws.runs()
    if not len(runs):
        return None
    mine = runs[(runs["username"] == username) & runs["status"].isin(ACTIVE)]
    return int(mine["run_id"].max()) if len(mine) else None


def request_for(uploads: list, mapped, username: str, retrain_from_labels: bool = False) -> Request:
    """The run of the readable ``uploads`` (kept paths, names as uploaded) with these mappings as
    they are; ``retrain_from_labels``: re-estimate the model from reviewers' decisions."""
    readable = [u for u in uploads if u.workbook is not None]
    return Request.for_paths([str(u.path) for u in readable], [u.name for u in readable],
                             mappings=tuple(asdict(m) for m in mapped.mappings),
                             exact_mappings=True, username=username, retrain_from_labels=retrain_from_labels)


def start(ws, username: str, uploads: list, mapped, profile: Profile,
          retrain_from_labels: bool = False) -> int:
    """Queue a run of the user's uploads and mappings in a worker process; returns its id."""
    if active_run(ws, username) is not None:
        raise RunRefused("your last run is still going: wait for it to finish")
    if not mapped.sheets:
        raise RunRefused("nothing to run: upload workbooks that can be read first")
    if retrain_from_labels and (why := labels_wanting(ws)):
        raise RunRefused(why)
    request = request_for(uploads, mapped, username, retrain_from_labels)
    run_id = submit(ws, request, tuning.anchored(profile))
    kept.set_current_run(ws, username, run_id)
    return run_id


def labelled_pairs(ws) -> tuple[int, int]:
    """(pairs with a same/different decision in force, those decided the same): the labels a
    retraining reads (the run counts only the pairs whose two records it has)."""
    decided = ws.decisions()
    pairwise = decided[decided["kind"].isin(["same", "different"]) & decided["other_key"].notna()]
    latest = {tuple(sorted((a, b))): kind for kind, a, b in
              pairwise[["kind", "record_key", "other_key"]].itertuples(index=False) if a != b}
    return len(latest), sum(kind == "same" for kind in latest.values())


def labels_wanting(ws) -> str | None:
    """Why the workspace's decisions cannot retrain the model yet, or None when they can."""
    pairs, same = labelled_pairs(ws)
    if pairs < MIN_LABELS:
        return (f"retraining from labels needs at least {MIN_LABELS} pairs decided same or different "
                f"on Review duplicates; there are {pairs}")
    if not same:
        return (f"retraining from labels needs some pairs decided the same; all {pairs} were "
                "decided different")
    return None


def retraining(ws, run_id: int) -> tuple[bool, int, list[str]] | None:
    """(retrained, labelled pairs used, why not) of a finished run asked to retrain from labels;
    None when it was not asked to."""
    request = _json(ws.run(run_id).get("request"), {})
    if not isinstance(request, dict) or not request.get("retrain_from_labels"):
        return None
    with stored.opened(ws, run_id) as result:
        found = result.db.meta("resolution") or {}
    used = int(found.get("labels") or 0)
    notes = [n for n in found.get("notes") or [] if "retraining from labels" in str(n)]
    return used > 0, used, notes


def state_of(ws, run_id: int) -> RunState:
    """The run's status, summary and stages as the workspace has them now."""
    run = ws.run(run_id)
    summary = _json(run.get("summary"), {})
    return RunState(int(run_id), str(run["status"]), summary if isinstance(summary, dict) else {},
                    ws.stages(run_id), run.get("username"), run.get("profile"),
                    list(_json(run.get("files"), [])))


def _json(text, default):
    if not isinstance(text, str) or not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def bars(state: RunState) -> list[tuple[str, float, str]]:
    """(label, fraction, text) of every stage in pipeline order: done, going, failed or waiting."""
    rows = {r.stage: r for r in state.stages.itertuples(index=False)}
    out = []
    for name, _ in STAGES:
        label, row = LABELS.get(name, name), rows.get(name)
        if row is None:
            out.append((label, 0.0, f"{label}: waiting" if state.active else f"{label}: not run"))
        elif row.status == "done":
            out.append((label, 1.0, f"{label}: done in {float(row.seconds or 0):.1f} s"))
        elif row.status == "failed":
            out.append((label, float(row.fraction or 0), f"{label}: failed"))
        else:
            fraction = min(max(float(row.fraction or 0), 0.0), 1.0)
            message = row.message if row.message and row.message != label else "running"
            out.append((label, fraction, f"{label}: {message}"))
    return out


def failure(state: RunState) -> tuple[str | None, str]:
    """(label of the stage that failed or None, why) of a failed run."""
    failed = state.stages[state.stages["status"] == "failed"] if len(state.stages) else state.stages
    stage = LABELS.get(failed.iloc[0]["stage"], failed.iloc[0]["stage"]) if len(failed) else None
    why = state.summary.get("error") or state.summary.get("message") or "no reason was recorded"
    return stage, str(why)


def timings_table(state: RunState) -> pd.DataFrame:
    """Seconds per finished stage, in run order."""
    done = state.stages[state.stages["status"] == "done"] if len(state.stages) else state.stages
    return pd.DataFrame({"stage": [LABELS.get(s, s) for s in done.get("stage", [])],
                         "seconds": [float(s or 0) for s in done.get("seconds", [])]},
                        columns=["stage", "seconds"])


def blocked_by(ws, run_id: int) -> pd.DataFrame:
    """The blocking expectations that failed in a stored run."""
    with stored.opened(ws, run_id) as result:
        rows = result.gate.get("blocked_by", [])
    return pd.DataFrame(rows, columns=["id", "description", "unexpected_count", "message"])


def override_of(ws, run_id: int) -> dict | None:
    """Who published a blocked run anyway, when and why (None when nobody had to)."""
    with stored.opened(ws, run_id) as result:
        return result.gate.get("override")


def run_profile(ws, run_id: int) -> Profile:
    """The profile a stored run ran with (kept beside it, else in its database)."""
    path = Path(ws.run_dir(run_id)) / PROFILE_FILE
    if path.is_file():
        return Profile.from_yaml(path)
    with stored.opened(ws, run_id) as result:
        return Profile.from_dict(result.db.meta("profile", {}), source=f"run {run_id}")


def publish_anyway(ws, run_id: int, reason: str, username: str) -> None:
    """Publish a blocked run with a written reason (the library audits the override)."""
    if not (reason or "").strip():
        raise ValueError("a reason is required")
    result = publish(ws, run_id, run_profile(ws, run_id), reason.strip(), username)
    result.close()
