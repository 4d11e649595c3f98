"""Data-subject requests: find everything a workspace holds about one person, export it, correct it.

:func:`search` looks for an email, a phone or a name (see
:mod:`hotpass.privacy.dsar_match`) in every run's database, every stored
output of every run (workbook, CSV, Parquet, the quality report), every
uploaded file (read with the project's ingest), the workspace's own tables
(runs, decisions, proposals, uploads, per-user state, the audit log, users)
and its caches, and lists each place: run, table or file, sheet, row, columns.
:func:`export` writes what was found as a zip (JSON and a readable summary in
HTML and Markdown); :func:`correct` stores a correction that the
``corrections`` stage applies to the person's golden records in every later
run; :func:`hotpass.privacy.dsar_erase.erase` removes them everywhere.

Every request is audited with ids, counts, hashes and the kinds of key asked
for, never the values searched for: the audit keeps a hash of the request made
from the suppression list's HMACs of its keys.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hotpass.errors import HotpassError
from hotpass.privacy import dsar_scan as scan
from hotpass.privacy import suppression
from hotpass.privacy.dsar_match import EXACT, POSSIBLE, Matcher, Subject, SubjectError
from hotpass.privacy.dsar_scan import CACHE, OUTPUT, SOURCE, Place
from hotpass.result import RUN_FILE
from hotpass.rundb import RunDB
from hotpass.workspace.database import now

__all__ = ["EXACT", "POSSIBLE", "Place", "Search", "Subject", "SubjectError", "correct", "corrections",
           "export", "request_digest", "search"]

ACTIVE = ("running", "queued")
#: Columns of a golden record that are no field of the person (a correction cannot set them).
BOOKKEEPING = frozenset({"record_keys", "source_rows", "source_count", "conflicts", "quality_score",
                         "quality_flags"})
CORRECTIONS_TABLE = """CREATE TABLE IF NOT EXISTS subject_corrections (
    correction_id INTEGER PRIMARY KEY AUTOINCREMENT, key_digests TEXT NOT NULL, field TEXT NOT NULL,
    value TEXT, created_at TEXT NOT NULL, created_by TEXT NOT NULL, undone_at TEXT, undone_by TEXT)"""


def request_digest(ws, subject: Subject) -> str:
    """A hash of a whole request for the audit log: the suppression list's HMAC of each key
    (:func:`hotpass.privacy.suppression.digest`), hashed together; never the values themselves."""
    parts = sorted(suppression.digest(ws, kind, value) for kind, value in subject.keys().items())
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


@dataclass
class Search:
    """What a search found: every place, the subject's record keys, and what could not be read."""

    subject: Subject
    places: list[Place] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # places that could not be read (no values)

    @property
    def exact(self) -> list[Place]:
        """The places that hold the subject for certain."""
        return [p for p in self.places if p.match == EXACT]

    @property
    def possible(self) -> list[Place]:
        """The places whose name is only like the subject's."""
        return [p for p in self.places if p.match == POSSIBLE]

    @property
    def runs(self) -> list[int]:
        """The runs that hold the subject."""
        return sorted({p.run_id for p in self.exact if p.run_id is not None})

    def frame(self) -> pd.DataFrame:
        """One row per place (where it is, never what it holds)."""
        columns = ["area", "run", "location", "sheet", "row", "columns", "keys", "match"]
        return pd.DataFrame([p.where() for p in self.places], columns=columns, dtype=object)

    @property
    def fields(self) -> list[str]:
        """The fields of their golden records a correction may set (not ids or bookkeeping)."""
        return sorted({c for p in self.exact if p.location.startswith("golden_") for c in p.record
                       if c not in BOOKKEEPING and not c.endswith("_id")})

    def counts(self) -> dict[str, int]:
        """Exact places per area."""
        return dict(Counter(p.area for p in self.exact))


def search(ws, subject: Subject, username: str | None = None, audit: bool = True) -> Search:
    """Every place the workspace holds ``subject`` (see the module docstring); audited."""
    matcher = Matcher(subject)
    found = Search(subject)
    runs = _runs(ws)
    for run_id, _ in runs:
        found.places += _guard(found, f"run {run_id}", scan.scan_run, _run_dir(ws, run_id), run_id, matcher,
                               RUN_FILE)
    found.keys = scan.subject_keys(found.places)
    seen = {(p.location, p.rowid) for p in found.places if p.rowid is not None}
    for run_id, _ in runs:
        found.places += _guard(found, f"run {run_id}", scan.scan_keys, _run_dir(ws, run_id), run_id,
                               found.keys, RUN_FILE, {(t, r) for (t, r) in seen})
    done: set[Path] = set()
    for run_id, _ in runs:
        for path in output_files(ws, run_id):
            if path not in done:
                done.add(path)
                found.places += _guard(found, relative(ws, path), scan.scan_file, path, matcher, OUTPUT,
                                       relative(ws, path), run_id)
    uploads = _uploads(ws)
    for upload in uploads:
        location = relative(ws, upload["path"])
        found.places += _guard(found, f"upload {upload['upload_id']}", scan.scan_upload, upload["path"], matcher,
                               location, upload["name"])
    for path, name in source_files(ws, [r for r, _ in runs], {u["path"].resolve() for u in uploads}):
        found.places += _guard(found, str(path), scan.scan_upload, path, matcher, str(path), name, SOURCE)
    found.places += scan.scan_workspace(ws, matcher, found.keys)
    for path in cache_files(ws):
        found.places += _guard(found, relative(ws, path), scan.scan_file, path, matcher, CACHE, relative(ws, path))
    if audit:
        audit_request(ws, username, "subject.search", found)
    return found


def audit_request(ws, username: str | None, action: str, found: Search, **extra) -> None:
    """One audit line for a request: its HMAC, the kinds of key, counts and ids, never values."""
    ws.audit(username, action, request=request_digest(ws, found.subject), keys=list(found.subject.kinds),
             places=len(found.exact), possible=len(found.possible), runs=found.runs,
             areas=found.counts(), **extra)


def _guard(found: Search, label: str, function, *args) -> list[Place]:
    """What ``function`` finds, or a note naming what could not be read (never raising)."""
    try:
        return function(*args)
    except (HotpassError, OSError, ValueError, KeyError) as exc:
        found.notes.append(f"{label}: could not be read ({type(exc).__name__}: {_first_line(exc)})")
        return []
    except Exception as exc:  # a damaged file of any kind: say so, search on
        found.notes.append(f"{label}: could not be read ({type(exc).__name__})")
        return []


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0][:200]


def _runs(ws) -> list[tuple[int, str]]:
    """(run id, status) of every run whose database is not being written."""
    return [(int(r.run_id), r.status) for r in ws.runs().itertuples(index=False) if r.status not in ACTIVE]


def _run_dir(ws, run_id: int) -> Path:
    return Path(ws.directory) / "runs" / str(int(run_id))


def _uploads(ws) -> list[dict]:
    rows = ws.query_dicts("SELECT upload_id, username, name, sha256, path FROM uploads WHERE removed_at IS NULL "
                          "ORDER BY upload_id")
    return [{**r, "path": Path(ws.directory) / r["path"]} for r in rows]


def relative(ws, path: Path) -> str:
    """``path`` relative to the workspace when inside it, else as it is."""
    try:
        return str(Path(path).resolve().relative_to(Path(ws.directory).resolve()))
    except ValueError:
        return str(path)


def output_files(ws, run_id: int) -> list[Path]:
    """Every stored output of a run: its outputs folder, and the files and folders its meta names."""
    directory = _run_dir(ws, run_id)
    files = {p for p in (directory / "outputs").rglob("*") if p.is_file()} if (directory / "outputs").is_dir() \
        else set()
    if (directory / RUN_FILE).is_file():
        with RunDB(directory / RUN_FILE, read_only=True) as db:
            named = db.meta("outputs", {}) or {}
        for value in named.values():
            path = Path(str(value))
            if path.is_dir():
                files |= {p for p in path.iterdir() if p.suffix in (".csv", ".parquet") and p.is_file()}
            elif path.is_file():
                files.add(path)
                twin = path.with_suffix(".parquet")
                if twin.is_file():
                    files.add(twin)
    return sorted(p.resolve() for p in files if not p.name.startswith("."))


def search_run_outputs(ws, run_id: int, matcher: Matcher) -> list[str]:
    """The stored outputs of a run that still hold the subject (relative to the workspace)."""
    return sorted({relative(ws, p) for p in output_files(ws, run_id)
                   if any(place.match == EXACT for place in scan.scan_file(p, matcher, OUTPUT, relative(ws, p)))})


def source_files(ws, run_ids: list[int], uploads: set[Path]) -> list[tuple[Path, str]]:
    """(path, name) of the files runs read that are still there and are no upload of the workspace
    (a command-line refine's own files): listed by a search, never changed by an erasure."""
    found: dict[Path, str] = {}
    for run_id in run_ids:
        path = _run_dir(ws, run_id) / RUN_FILE
        if not path.is_file():
            continue
        with RunDB(path, read_only=True) as db:
            files = (db.meta("request", {}) or {}).get("files", [])
        for file in files:
            source = Path(file.get("path", "")).resolve()
            if source.is_file() and source not in uploads and not _inside(source, Path(ws.directory) / "uploads"):
                found.setdefault(source, file.get("name") or source.name)
    return sorted(found.items())


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def cache_files(ws) -> list[Path]:
    """The workspace's caches of normalised values and scored pairs, and its trained models."""
    root = Path(ws.directory)
    return sorted([*root.glob("cache/*.parquet"), *root.glob("models/*.parquet"), *root.glob("models/*.json")])


# --- export -------------------------------------------------------------------------------------


def export(ws, found: Search, target: str | Path, username: str | None = None) -> Path:
    """Write what ``found`` holds as a zip at ``target``: ``subject.json`` (every place with the
    row it holds), ``summary.md`` and ``summary.html`` (readable); audited with the zip's SHA-256."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = _document(found)
    temporary = target.with_name(f".{target.name}.partial")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("subject.json", json.dumps(data, indent=2, default=str, ensure_ascii=False))
        archive.writestr("summary.md", summary_markdown(found))
        archive.writestr("summary.html", summary_html(found))
    os.replace(temporary, target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    audit_request(ws, username, "subject.export", found, sha256=digest, bytes=target.stat().st_size)
    return target


def _document(found: Search) -> dict:
    return {"generated_at": now().isoformat(timespec="seconds"), "searched_for": found.subject.keys(),
            "places": [{**p.where(), "values": p.record} for p in found.places],
            "could_not_read": found.notes}


def summary_markdown(found: Search) -> str:
    """A readable account of what is held, for the person and the data-protection officer."""
    lines = ["# What is held about this person", "",
             f"Searched for: {', '.join(f'{k} {v}' for k, v in found.subject.keys().items())}", "",
             f"{len(found.exact)} place(s) hold them; {len(found.possible)} more hold a similar name "
             "(possible, listed last).", ""]
    for place in sorted(found.places, key=lambda p: (p.match != EXACT, p.area, str(p.run_id), p.location)):
        where = place.where()
        lines.append(f"## {where['area']}: {where['location']}" + (f" (run {place.run_id})" if place.run_id else ""))
        lines.append(f"sheet {where['sheet'] or '-'} · row {where['row'] or '-'} · matched on {where['keys']} "
                     f"in {where['columns']} · {place.match}")
        lines += [f"- {k}: {v}" for k, v in place.record.items() if v not in (None, "")]
        lines.append("")
    lines += [f"- could not be read: {n}" for n in found.notes]
    return "\n".join(lines) + "\n"


def summary_html(found: Search) -> str:
    """:func:`summary_markdown`'s content as one self-contained HTML page."""
    rows = []
    for place in sorted(found.places, key=lambda p: (p.match != EXACT, p.area, str(p.run_id), p.location)):
        where = place.where()
        held = "<br>".join(f"<b>{html.escape(k)}</b>: {html.escape(v)}" for k, v in place.record.items()
                           if v not in (None, ""))
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(where[c] or ''))}</td>" for c in
                                     ("area", "run", "location", "sheet", "row", "keys", "match")) +
                    f"<td>{held}</td></tr>")
    head = "".join(f"<th>{c}</th>" for c in ("area", "run", "location", "sheet", "row", "matched on", "match",
                                             "what is held"))
    return ("<!doctype html><html><head><meta charset='utf-8'><title>What is held about this person</title>"
            "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
            "table{border-collapse:collapse}</style></head><body><h1>What is held about this person</h1>"
            f"<p>{len(found.exact)} place(s) hold them; {len(found.possible)} more hold a similar name.</p>"
            f"<table><tr>{head}</tr>{''.join(rows)}</table></body></html>")


# --- corrections --------------------------------------------------------------------------------


def _ensure(ws) -> None:
    ws.execute(CORRECTIONS_TABLE)


def correct(ws, subject: Subject, field_name: str, value: str | None, username: str) -> int:
    """Store a correction of ``field_name`` to ``value`` for the subject's golden records in every
    later run (the ``corrections`` stage applies it); returns its id. The field must be a column of
    a golden table of a run that holds the subject. Audited (id, field, counts; no values)."""
    found = search(ws, subject, username, audit=False)
    golden = [p for p in found.exact if p.location.startswith("golden_")]
    if not golden:
        raise SubjectError("no golden record of any run holds this person: nothing to correct")
    if field_name not in found.fields:
        raise SubjectError(f"their golden records have no field {field_name!r}; use one of "
                           f"{', '.join(found.fields)}")
    digests = sorted(suppression.digest(ws, kind, text) for kind, text in subject.keys().items())
    _ensure(ws)
    with ws.transaction():
        correction_id = ws.execute(
            "INSERT INTO subject_corrections (key_digests, field, value, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?)", [json.dumps(digests), field_name, value, now(), username]).lastrowid
        audit_request(ws, username, "subject.correct", found, correction_id=correction_id, field=field_name,
                      golden_records=len(golden))
    return int(correction_id)


def corrections(ws) -> list[dict]:
    """The corrections in force, oldest first (key digests as lists)."""
    _ensure(ws)
    rows = ws.query_dicts("SELECT correction_id, key_digests, field, value, created_at, created_by "
                          "FROM subject_corrections WHERE undone_at IS NULL ORDER BY correction_id")
    return [{**r, "key_digests": json.loads(r["key_digests"])} for r in rows]
