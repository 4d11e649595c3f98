"""Retention: runs, their outputs and uploads older than their profile allows are purged.

A run is past retention when it finished (or, never finished, started) more
than its profile's ``privacy.retention_days`` ago (the profile saved in the
run's folder, else the shipped one of that name, else the default 365 days).
Purging it deletes its folder (``run.duckdb``, ``outputs/``, the worker's log)
and the deliverables it wrote elsewhere (unless a later run kept wrote the same
file), marks the run ``purged``, and deletes the workspace's value cache and
scored pairs (rebuilt by the next run), which may hold its values, and its
enrichment proposals that were never approved. An upload is past retention
after ``retention_days`` of the profile given (default ``generic``). The
report names runs by id and files by path, never a value; it is written to
``<workspace>/privacy/purge-<time>.md`` and audited.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from hotpass.errors import HotpassError
from hotpass.privacy import tables
from hotpass.profile import PrivacySettings, Profile, load_profile
from hotpass.workspace.database import now

PROFILE_FILE = "profile.yaml"
RUN_FILE = "run.duckdb"
ACTIVE = ("running", "queued")


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove): ids, paths and counts only."""

    dry_run: bool
    at: datetime
    runs: list[int] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    proposals: int = 0
    caches: list[str] = field(default_factory=list)
    kept_runs: int = 0
    report_path: str | None = None

    def counts(self) -> dict[str, int]:
        """How many of each kind."""
        return {"runs": len(self.runs), "files": len(self.files), "uploads": len(self.uploads),
                "proposals": self.proposals, "caches": len(self.caches), "kept_runs": self.kept_runs}

    def markdown(self) -> str:
        """The report as Markdown."""
        verb = "Would remove" if self.dry_run else "Removed"
        lines = [f"# Purge {'(dry run) ' if self.dry_run else ''}{self.at:%Y-%m-%d %H:%M} UTC", "",
                 f"{verb} {len(self.runs)} run(s), {len(self.files)} output file(s), "
                 f"{len(self.uploads)} upload(s), {self.proposals} unapproved proposal(s) and "
                 f"{len(self.caches)} cache file(s); {self.kept_runs} run(s) kept.", ""]
        for title, items in (("Runs", [f"run {r}" for r in self.runs]), ("Output files", self.files),
                             ("Uploads", self.uploads), ("Caches", self.caches)):
            if items:
                lines += [f"## {title}", "", *[f"- {i}" for i in items], ""]
        return "\n".join(lines)


def retention_of(ws, run_id: int, profile_name: str | None) -> int:
    """The retention (days) of a run: its saved profile's, else the shipped profile's, else the default."""
    saved = Path(ws.directory) / "runs" / str(int(run_id)) / PROFILE_FILE
    for loader in (lambda: Profile.from_yaml(saved) if saved.is_file() else None,
                   lambda: load_profile(profile_name) if profile_name else None):
        try:
            found = loader()
        except HotpassError:
            found = None
        if found is not None:
            return found.privacy.retention_days
    return PrivacySettings().retention_days


def purge(ws, *, dry_run: bool = False, username: str | None = None, profile: Profile | None = None,
          days: int | None = None, at: datetime | None = None) -> PurgeReport:
    """Remove what is past retention (see the module docstring); ``days`` overrides every profile's."""
    tables.ensure(ws)
    at = at or now()
    report = PurgeReport(dry_run, at)
    runs = ws.query_dicts("SELECT run_id, profile, status, started_at, finished_at FROM runs "
                          "WHERE status IS NULL OR status != 'purged' ORDER BY run_id")
    expired = []
    for run in runs:
        keep_days = days or retention_of(ws, run["run_id"], run["profile"])
        when = run["finished_at"] or run["started_at"]
        if run["status"] in ACTIVE or when is None or when > at - timedelta(days=keep_days):
            report.kept_runs += 1
        else:
            expired.append(int(run["run_id"]))
    report.runs = expired
    kept_outputs = {p for r in runs if int(r["run_id"]) not in expired for p in _outputs(ws, r["run_id"])}
    for run_id in expired:
        folder = Path(ws.directory) / "runs" / str(run_id)
        files = [p for p in _outputs(ws, run_id) if p not in kept_outputs and Path(p).is_file()
                 and not Path(p).resolve().is_relative_to(folder.resolve())]
        report.files += [*([str(folder)] if folder.exists() else []), *files]
    upload_days = days or (profile.privacy.retention_days if profile else _default_days())
    uploads = ws.query_dicts("SELECT upload_id, username, name, sha256 FROM uploads WHERE removed_at IS NULL "
                             "AND uploaded_at < ?", [at - timedelta(days=upload_days)])
    report.uploads = [f"upload {u['upload_id']}: {u['name']}" for u in uploads]
    if expired:
        report.caches = [str(p) for pattern in ("cache/values-*.parquet", "models/*.pairs.parquet")
                         for p in sorted(Path(ws.directory).glob(pattern))]
        marks = ", ".join(str(r) for r in expired)
        report.proposals = int(ws.query(f"SELECT count(*) FROM proposals WHERE run_id IN ({marks}) "
                                        "AND status != 'approved'")[0][0])
    if not dry_run:
        _remove(ws, report, expired, uploads, username)
    return report


def _default_days() -> int:
    try:
        return load_profile("generic").privacy.retention_days
    except HotpassError:
        return PrivacySettings().retention_days


def _outputs(ws, run_id: int) -> list[str]:
    """The files a stored run says it wrote (its meta ``outputs``)."""
    path = Path(ws.directory) / "runs" / str(int(run_id)) / RUN_FILE
    if not path.is_file():
        return []
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'outputs'").fetchone()
    except duckdb.Error:
        return []
    outputs = json.loads(row[0]) if row else {}
    found = []
    for value in outputs.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item:
                found += _expand(Path(item))
    return sorted(set(found))


def _expand(path: Path) -> list[str]:
    """An output and its siblings: a folder's CSV and Parquet tables, a CSV's Parquet twin."""
    if path.is_dir():
        return [str(p) for p in sorted(path.iterdir()) if p.suffix in (".csv", ".parquet") and p.is_file()]
    twins = [path.with_suffix(s) for s in (".csv", ".parquet")] if path.suffix in (".csv", ".parquet") else []
    return [str(p) for p in {path, *twins}]


def _remove(ws, report: PurgeReport, expired: list[int], uploads: list[dict], username: str | None) -> None:
    for path in report.files:
        target = Path(path)
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        elif target.is_file():
            target.unlink(missing_ok=True)
    for path in report.caches:
        Path(path).unlink(missing_ok=True)
    with ws.transaction():
        for run_id in expired:
            ws.execute("UPDATE runs SET status = 'purged', summary = ? WHERE run_id = ?",
                       [json.dumps({"purged_at": str(report.at)}), run_id])
            ws.execute("DELETE FROM proposals WHERE run_id = ? AND status != 'approved'", [run_id])
        ws.audit(username, "privacy.purge", **report.counts(), run_ids=report.runs)
    for upload in uploads:
        ws.remove_upload(upload["username"], upload["upload_id"])
        ws.execute("DELETE FROM upload_purposes WHERE username = ? AND sha256 = ?",
                   [upload["username"], upload["sha256"]])
    folder = Path(ws.directory) / "privacy"
    folder.mkdir(exist_ok=True)
    path = folder / f"purge-{report.at:%Y%m%dT%H%M%S}.md"
    report.report_path = str(path)
    path.write_text(report.markdown(), encoding="utf-8")
    with ws.transaction():
        ws.execute("INSERT INTO purges (purged_at, username, runs, uploads, files, report) VALUES (?, ?, ?, ?, ?, ?)",
                   [report.at, username, len(report.runs), len(report.uploads), len(report.files), str(path)])
