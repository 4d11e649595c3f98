"""Running the refinement from the Run page: progress bars fed by the library, and the outcome."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st

from hotpass.errors import HotpassError
from hotpass.mapping import save_mappings
from hotpass.session import publish_anyway, refine_read
from workbench import services, state

log = logging.getLogger("hotpass.workbench")
STAGE_LABELS = {
    "records": "Build records",
    "measure": "Measure the raw input",
    "normalise": "Normalise values",
    "link": "Link contacts",
    "keys": "Assign record keys",
    "resolve": "Find duplicates",
    "merge": "Build golden records",
    "enrich": "Propose enrichments",
    "outputs": "Build output tables",
    "validate": "Score quality and validate",
    "report": "Write the quality report",
}


@dataclass
class Outcome:
    """What the last run of this session gave."""

    status: str  # ok | blocked | failed
    refined: object | None = None  # hotpass.pipeline.Refined
    profile: object | None = None  # the hotpass.profile.Profile it ran with
    message: str | None = None  # why it failed
    stage: str | None = None  # the stage that failed
    timings: dict[str, float] = field(default_factory=dict)
    report_dir: Path | None = None

    def blocked_by(self) -> pd.DataFrame:
        rows = (self.refined.gate or {}).get("blocked_by", []) if self.refined is not None else []
        return pd.DataFrame(rows, columns=["id", "description", "unexpected_count"])


class StageProgress:
    """The library's progress callback: one labelled bar per stage inside an ``st.status``."""

    def __init__(self, box):
        self.box = box
        self.bars: dict[str, object] = {}
        self.started: dict[str, float] = {}
        self.timings: dict[str, float] = {}
        self.stage: str | None = None

    def __call__(self, stage: str, fraction: float, message: str) -> None:
        self.stage = stage
        label = STAGE_LABELS.get(stage, stage)
        self.started.setdefault(stage, time.perf_counter())
        if stage not in self.bars:
            self.bars[stage] = self.box.progress(0.0, text=label)
        self.bars[stage].progress(min(max(float(fraction), 0.0), 1.0), text=f"{label}: {message}")
        if fraction >= 1.0:
            self.timings[stage] = round(time.perf_counter() - self.started[stage], 3)
        self.box.update(label=f"Running: {label}")


def run(username: str) -> Outcome:
    """Refine this session's mapped sheets, showing progress; the outcome is kept in the session."""
    mapped, profile = state.mapped(), state.profile()
    report_dir = state.session_dir() / f"report-{time.time_ns()}"
    with st.status("Starting the run", expanded=True) as box:
        progress = StageProgress(box)
        outcome = _refine(mapped, profile, username, progress, report_dir)
        labels = {
            "ok": "Run finished",
            "blocked": "Run finished, not published: blocking expectations failed",
            "failed": f"Run failed at {STAGE_LABELS.get(outcome.stage, outcome.stage)}",
        }
        box.update(
            label=labels[outcome.status],
            state="error" if outcome.status == "failed" else "complete",
            expanded=outcome.status == "failed",
        )
    state.set_result(outcome)
    return outcome


def _refine(mapped, profile, username: str, progress: StageProgress, report_dir: Path) -> Outcome:
    try:
        with services.workspace() as ws:
            refined = refine_read(
                mapped.workbooks,
                mapped.mappings,
                profile,
                workspace=ws,
                username=username,
                progress=progress,
                report_dir=report_dir,
            )
            save_mappings(refined.mappings, ws.directory / "last_mapping.json")
    except HotpassError as exc:
        return Outcome(
            "failed",
            profile=profile,
            message=str(exc),
            stage=progress.stage,
            timings=progress.timings,
        )
    except Exception as exc:
        log.exception("run failed at stage %s", progress.stage)
        return Outcome(
            "failed",
            profile=profile,
            stage=progress.stage,
            timings=progress.timings,
            message=f"unexpected {type(exc).__name__} in this stage; the server log has details",
        )
    status = "ok" if refined.published else "blocked"
    return Outcome(status, refined, profile, timings=refined.timings, report_dir=report_dir)


def override(outcome: Outcome, reason: str, username: str) -> None:
    """Publish a blocked run with a written reason (audited by the library)."""
    with services.workspace() as ws:
        publish_anyway(
            outcome.refined,
            outcome.profile,
            reason,
            workspace=ws,
            username=username,
            report_dir=outcome.report_dir,
        )
    outcome.status = "ok"


def timings_table(timings: dict[str, float]) -> pd.DataFrame:
    """Stage timings in run order."""
    return pd.DataFrame(
        [
            {"stage": STAGE_LABELS.get(stage, stage), "seconds": seconds}
            for stage, seconds in timings.items()
        ],
        columns=["stage", "seconds"],
    )
