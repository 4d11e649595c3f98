"""The home page's numbers: runs and their summaries over time (no Streamlit here)."""

from __future__ import annotations

import json

import pandas as pd

from hotpass import ProposalStore, latest_finished, review
from workbench import stored

MEASURES = {  # summary key -> short column name
    "Output organisations": "organisations",
    "Output contacts": "contacts",
    "Duplicate pairs merged automatically": "merged pairs",
    "Pairs waiting for review": "pairs to review",
    "Quality score, mean (organisations)": "quality",
    "Enrichment: pending approval": "proposals to approve",
}


def history(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per finished run (oldest first) with its summary measures as numbers."""
    rows = []
    for run in runs.itertuples(index=False):
        summary = _summary(run.summary)
        if run.status not in ("ok", "blocked") or not summary:
            continue
        row = {"run": int(run.run_id), "started": run.started_at, "status": run.status}
        row.update({short: _number(summary.get(key)) for key, short in MEASURES.items()})
        rows.append(row)
    columns = ["run", "started", "status", *MEASURES.values()]
    return pd.DataFrame(rows, columns=columns).sort_values("run").reset_index(drop=True)


def recent(runs: pd.DataFrame, limit: int = 10) -> pd.DataFrame:
    """The newest runs as a table: id, when, who, profile, how many files, status, organisations."""
    rows = [
        {
            "run": int(r.run_id),
            "started": r.started_at,
            "finished": r.finished_at,
            "user": r.username,
            "profile": r.profile,
            "files": len(_list(r.files)),
            "status": r.status,
            "organisations": _number(_summary(r.summary).get("Output organisations")),
        }
        for r in runs.head(limit).itertuples(index=False)
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "run",
            "started",
            "finished",
            "user",
            "profile",
            "files",
            "status",
            "organisations",
        ],
    )


def waiting(workspace) -> dict[str, int]:
    """What waits for people: undecided review pairs of the latest run, pending proposals."""
    pairs = 0
    if latest_finished(workspace) is not None:
        pairs = stored.retrying(lambda: review.counts(workspace))[1]
    proposals = len(ProposalStore(workspace).frame(status="pending"))
    return {"pairs to review": pairs, "proposals to approve": proposals}


def _summary(text) -> dict:
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _list(text) -> list:
    try:
        value = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
