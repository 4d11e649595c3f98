"""What the Quality page shows of a run: the report and the tables to drill into (no Streamlit).

The report comes from this session's last run when there is one; otherwise it
is built again from the latest finished run stored in the workspace.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from hotpass.errors import HotpassError
from hotpass.pipeline import Refined
from hotpass.profile import load_profile
from hotpass.report.build import build_report
from hotpass.text import is_missing

SOURCE = ["source_file", "source_sheet", "source_row"]
STORED = ("organisations", "contacts", "findings", "quality", "validation", "scorecard", "pairs",
          "review", "provenance", "enrichment")


@dataclass
class RunView:
    """A run's report and the tables behind its findings."""

    run_id: int | None
    origin: str
    report: dict
    findings: pd.DataFrame
    quality: pd.DataFrame | None = None
    provenance: pd.DataFrame | None = None
    source_map: pd.DataFrame | None = None


def from_outcome(outcome) -> RunView:
    """The view of this session's last run (a :class:`workbench.running.Outcome`)."""
    refined = outcome.refined
    return RunView(refined.run_id, f"this session's run {refined.run_id}",
                   build_report(refined, outcome.profile), refined.findings, refined.quality,
                   refined.provenance, refined.source_map)


def latest_stored(ws) -> int | None:
    """The newest run that finished (published or blocked)."""
    runs = ws.runs()
    done = runs[runs["status"].isin(["ok", "blocked"])]
    return int(done.iloc[0]["run_id"]) if len(done) else None


@dataclass
class Stored:
    """A stored run as read from the workspace: its runs row, tables and the workspace folder."""

    run_id: int
    run: pd.Series
    tables: dict
    directory: Path


def load(ws, run_id: int) -> Stored:
    """Read a stored run's tables (a missing table is None)."""
    tables = {}
    for name in STORED:
        try:
            tables[name] = ws.table(run_id, name)
        except HotpassError:
            tables[name] = None
    return Stored(run_id, ws.runs().set_index("run_id").loc[run_id], tables, ws.directory)


def from_stored(stored: Stored) -> RunView | None:
    """The view of a stored run, or None when its profile cannot be loaded again."""
    profile = _profile(str(stored.run["profile"]), stored.directory)
    if profile is None:
        return None
    tables = stored.tables
    refined = _refined(stored.run_id, stored.run, tables)
    return RunView(stored.run_id, f"stored run {stored.run_id}", build_report(refined, profile),
                   tables["findings"], tables["quality"], tables["provenance"])


def _profile(name: str, directory: Path):
    for source in (name, directory / "profiles" / f"{name}.yaml"):
        try:
            return load_profile(source)
        except (HotpassError, OSError, ValueError):
            continue
    return None


def _refined(run_id: int, run, tables: dict) -> Refined:
    summary = json.loads(run["summary"] or "{}") if isinstance(run["summary"], str) else {}
    refined = Refined(tables["organisations"], tables["contacts"], pd.DataFrame(),
                      tables["findings"], list(summary.items()))
    refined.run_id, refined.published = run_id, run["status"] == "ok"
    refined.files = json.loads(run["files"] or "[]") if isinstance(run["files"], str) else []
    for name in ("quality", "scorecard", "pairs", "review", "provenance"):
        setattr(refined, name, tables[name])
    validation = tables["validation"]
    if validation is not None:
        validation = validation.assign(success=validation["success"].astype(bool),
                                       blocking=validation["blocking"].astype(bool))
        refined.validation = SimpleNamespace(results=validation)
        failed = validation[~validation["success"] & validation["blocking"]]
        blocked = [] if refined.published else failed[["id", "description", "unexpected_count"]]
        refined.gate = {"blocked_by": [] if len(blocked) == 0 else blocked.to_dict("records"),
                        "override": None}
    if tables["enrichment"] is not None:
        status = tables["enrichment"]["status"].value_counts()
        refined.enrichment_summary = {k: int(status.get(k, 0))
                                      for k in ("approved", "rejected", "pending")}
    return refined


def findings_table(report: dict) -> pd.DataFrame:
    """One row per finding code: severity and count, errors first."""
    rows = [{"code": f["code"], "severity": f["severity"], "count": f["count"]}
            for f in report.get("findings") or []]
    return pd.DataFrame(rows, columns=["code", "severity", "count"])


def findings_of(view: RunView, code: str) -> pd.DataFrame:
    """Every finding with ``code``: where it is, what it says, what changed."""
    rows = view.findings[view.findings["code"] == code]
    columns = [c for c in ("file", "sheet", "row", "column", "message", "original", "new", "rule")
               if c in rows]
    return rows[columns].reset_index(drop=True)


def records_at(view: RunView, file, sheet, row) -> list[tuple[str, str]]:
    """(record kind, golden id) of the output records that source row ``row`` became."""
    if is_missing(row) or is_missing(file):
        return []
    if view.source_map is not None:
        hits = _at(view.source_map, file, sheet, row)
        found = [("organisation", v) for v in hits["organisation_id"]]
        found += [("contact", v) for v in hits["contact_id"]]
    elif view.provenance is not None:
        hits = _at(view.provenance, file, sheet, row)
        found = list(zip(hits["record_kind"], hits["record_id"], strict=True))
    else:
        return []
    return list(dict.fromkeys((str(k), str(v)) for k, v in found if not is_missing(v)))


def _at(frame: pd.DataFrame, file, sheet, row) -> pd.DataFrame:
    keep = (frame["source_file"] == file) & (frame["source_row"].astype("Int64") == int(row))
    if not is_missing(sheet):
        keep &= frame["source_sheet"] == sheet
    return frame[keep.fillna(False)]


def record_detail(view: RunView, kind: str, record_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A golden record's Quality row and its field provenance."""
    def pick(frame):
        if frame is None:
            return pd.DataFrame()
        rows = frame[(frame["record_kind"] == kind) & (frame["record_id"] == record_id)]
        return rows.drop(columns=["record_kind"]).reset_index(drop=True)

    return pick(view.quality), pick(view.provenance)
