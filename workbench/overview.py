"""The home page's numbers: runs and their summaries over time (no Streamlit here).

A run's Summary names its entities: one ``Output <plural>`` line per entity
(``Output organisations``, ``Output people``) and the mean quality score of its
main entity, the one whose duplicates are reviewed (``Quality score, mean
(people)``). The functions here read those lines, so runs of different
profiles sit in one table without opening their databases.
"""

from __future__ import annotations

import json

import pandas as pd

from hotpass import ProposalStore, latest_finished, review
from workbench import stored

OUTPUT, QUALITY = "Output ", "Quality score, mean ("
MEASURES = {  # summary key -> short column name (besides each entity's count and the quality)
    "Duplicate pairs merged automatically": "merged pairs",
    "Pairs waiting for review": "pairs to review",
    "Enrichment: pending approval": "proposals to approve",
}
MAIN, RECORDS = "main", "records out"  # history: the main entity's plural, and its count


def outputs(summary: dict) -> dict[str, object]:
    """Entity plural -> records written, in the summary's order ({'people': 4216})."""
    return {key[len(OUTPUT):]: value for key, value in summary.items() if key.startswith(OUTPUT)}


def main_entity(summary: dict) -> str | None:
    """The plural of the run's main entity (whose duplicates are reviewed), or None."""
    scored = next((key[len(QUALITY):-1] for key in summary
                   if key.startswith(QUALITY) and key.endswith(")")), None)
    return scored or next(iter(outputs(summary)), None)


def quality(summary: dict) -> object:
    """The mean quality score of the main entity's records, or None."""
    return next((value for key, value in summary.items() if key.startswith(QUALITY)), None)


def plurals(summaries, main_only: bool = False) -> list[str]:
    """Every entity plural the summaries name (only their main entities when ``main_only``), in
    order of first appearance."""
    found = [main_entity(s) for s in summaries] if main_only else \
        [plural for s in summaries for plural in outputs(s)]
    return [p for p in dict.fromkeys(found) if p]


def history(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per finished run (oldest first): each entity's count, the main entity's plural and
    count (``main``, ``records out``), duplicates, quality and proposals, as numbers."""
    rows = []
    for run in runs.itertuples(index=False):
        summary = summary_of(run.summary)
        if run.status not in ("ok", "blocked") or not summary:
            continue
        main = main_entity(summary)
        made = outputs(summary)
        row = {"run": int(run.run_id), "started": run.started_at, "status": run.status, MAIN: main,
               RECORDS: _number(made.get(main)), "quality": _number(quality(summary))}
        row.update({plural: _number(value) for plural, value in made.items()})
        row.update({short: _number(summary.get(key)) for key, short in MEASURES.items()})
        rows.append(row)
    found = plurals([summary_of(s) for s in runs["summary"]]) if len(runs) else []
    columns = ["run", "started", "status", MAIN, RECORDS, *found, "merged pairs", "pairs to review",
               "quality", "proposals to approve"]
    return pd.DataFrame(rows, columns=columns).sort_values("run").reset_index(drop=True)


def recent(runs: pd.DataFrame, limit: int = 10) -> pd.DataFrame:
    """The newest runs as a table: id, when, who, profile, how many files, status, and the records
    each wrote of its main entity, in a column named by that entity's plural."""
    newest = runs.head(limit)
    summaries = [summary_of(s) for s in newest["summary"]] if len(newest) else []
    mains = plurals(summaries, main_only=True)
    rows = []
    for r, summary in zip(newest.itertuples(index=False), summaries, strict=True):
        main = main_entity(summary)
        row = {"run": int(r.run_id), "started": r.started_at, "finished": r.finished_at,
               "user": r.username, "profile": r.profile, "files": len(_list(r.files)),
               "status": r.status}
        if main:
            row[main] = outputs(summary).get(main)
        rows.append(row)
    columns = ["run", "started", "finished", "user", "profile", "files", "status", *mains]
    return counted(pd.DataFrame(rows, columns=columns), mains)


def counted(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` as whole numbers (empty where a run did not say)."""
    for column in columns:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").round().astype("Int64")
    return frame


def waiting(workspace) -> dict[str, int]:
    """What waits for people: undecided review pairs of the latest run, pending proposals."""
    pairs = 0
    if latest_finished(workspace) is not None:
        pairs = stored.retrying(lambda: review.counts(workspace))[1]
    proposals = len(ProposalStore(workspace).frame(status="pending"))
    return {"pairs to review": pairs, "proposals to approve": proposals}


def summary_of(text) -> dict:
    """A run's stored summary (JSON text) as a dict ({} when it has none)."""
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
