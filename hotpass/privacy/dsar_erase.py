"""Erasing a data subject from every place a search found them.

:func:`erase` puts the person on the suppression list (so no later import
brings them back), then:

- **runs**: in each run that holds them, the source rows that are wholly
  theirs (every record built from the row is one of theirs) are deleted from
  the sheet tables, and their email, phone and name are cut out of every other
  cell (a cell naming several people keeps the others); the run's stages are
  run again from ``screen`` on what is left, so records, clusters, golden
  records (rebuilt from the members left; a cluster left empty disappears),
  findings and every stored output (workbook, CSV, Parquet, report: the
  project's own writers, written aside and moved into place) are made again
  without them. Rows that still name them afterwards are deleted, and the
  database file is copied afresh so no freed page keeps a copy;
- **uploads**: each uploaded file is rewritten without their rows (cells cut
  the same way), or removed when every row was theirs;
- **the workspace**: decisions and proposals about their record keys, per-user
  state holding them are deleted; audit and run texts holding them are
  redacted; caches holding them are deleted (they are rebuilt on demand).

A last search says what, if anything, is left. Audited with counts only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from hotpass.pipeline import STAGE_NAMES, execute
from hotpass.privacy import dsar, suppression
from hotpass.privacy.dsar_match import EXACT, Matcher, Subject, SubjectError
from hotpass.privacy.dsar_scan import CACHE, SOURCE, UPLOAD, WORKSPACE, Place, scan_relation
from hotpass.privacy.dsar_uploads import erase_upload
from hotpass.profile import Profile
from hotpass.result import RUN_FILE
from hotpass.run import Request, Run
from hotpass.rundb import RunDB, literal, quote

#: Where a run's stages start again after its source rows were cleaned.
RESTART = "screen" if "screen" in STAGE_NAMES else "records"
REBUILT = ("ok", "blocked")


@dataclass
class Erasure:
    """What an erasure did (counts and ids), and what a search still finds afterwards."""

    runs: list[int] = field(default_factory=list)
    source_rows: int = 0
    cells: int = 0
    rows_deleted: int = 0
    uploads_rewritten: list[int] = field(default_factory=list)
    uploads_removed: list[int] = field(default_factory=list)
    workspace_rows: dict[str, int] = field(default_factory=dict)
    files_removed: list[str] = field(default_factory=list)
    suppressed: int = 0
    left: list[Place] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        """The erasure as counts and ids (what the audit log keeps)."""
        return {"runs_erased": self.runs, "source_rows": self.source_rows, "cells": self.cells,
                "rows_deleted": self.rows_deleted, "uploads_rewritten": self.uploads_rewritten,
                "uploads_removed": self.uploads_removed, "workspace_rows": self.workspace_rows,
                "files_removed": len(self.files_removed), "suppressed": self.suppressed, "left": len(self.left)}


def erase(ws, subject: Subject, *, reason: str, username: str) -> Erasure:
    """Remove ``subject`` from every place the workspace holds them (see the module docstring)."""
    if not (reason or "").strip():
        raise SubjectError("an erasure needs a reason (the request it answers)")
    busy = [int(r.run_id) for r in ws.runs().itertuples(index=False) if r.status in dsar.ACTIVE]
    if busy:
        raise SubjectError(f"run {busy[0]} is still running: erase when it has finished")
    ws.con.execute("PRAGMA secure_delete = ON")
    found = dsar.search(ws, subject, username, audit=False)
    matcher = Matcher(subject)
    done = Erasure(notes=list(found.notes))
    done.suppressed = suppression.suppress(ws, email=subject.email, phone=subject.phone, name=subject.name,
                                           reason=reason, username=username)
    erase_workspace(ws, matcher, [p for p in found.exact if p.area == WORKSPACE], done)
    theirs: set[tuple[str, str, int]] = set()
    statuses = {int(r.run_id): r.status for r in ws.runs().itertuples(index=False)}
    for run_id in sorted({p.run_id for p in found.exact if p.run_id is not None}):
        theirs |= erase_run(ws, run_id, statuses.get(run_id), matcher, found.keys, done)
    for upload in dsar._uploads(ws):
        held = [p for p in found.exact if p.area == UPLOAD and p.location == dsar.relative(ws, upload["path"])]
        rows = {(sheet, row) for sha, sheet, row in theirs if sha == upload["sha256"]}
        if held or rows:
            done.source_rows += erase_upload(ws, upload, matcher, rows, held, done)
    for place in {p.location for p in found.exact if p.area == CACHE}:
        (Path(ws.directory) / place).unlink(missing_ok=True)
        done.files_removed.append(place)
    after = dsar.search(ws, subject, username, audit=False)
    done.left = [p for p in after.exact if p.area != SOURCE]
    outside = sorted({p.location for p in after.exact if p.area == SOURCE})
    done.notes += [f"{path}: a file a command-line run read, outside the workspace: not changed" for path in outside]
    dsar.audit_request(ws, username, "subject.erase", found, **done.counts())
    ws.con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()  # no old page left in the log
    return done


# --- one run -------------------------------------------------------------------------------------


def erase_run(ws, run_id: int, status: str | None, matcher: Matcher, keys: set[str], done: Erasure) -> set:
    """Clean one run's source rows, run its stages again, delete what still names the subject and
    copy the file afresh; returns the (sha256, sheet, row) of the source rows that were wholly theirs."""
    directory = Path(ws.directory) / "runs" / str(int(run_id))
    path = directory / RUN_FILE
    if not path.is_file():
        return set()
    done.runs.append(int(run_id))
    with RunDB(path) as db:
        theirs = wholly_theirs(db, keys)
        clean_sheets(db, matcher, theirs, done)
        stored = db.meta("profile")
        if status in REBUILT and stored and db.has("column_map"):
            request = Request.from_dict(db.meta("request", {}))
            profile = Profile.from_dict(stored, source=f"run {run_id}")
            execute(Run(db, request, directory, ws, int(run_id)), profile, start=RESTART)
        done.rows_deleted += delete_left(db, matcher, keys)
    compact(path)
    for place in dsar.search_run_outputs(ws, run_id, matcher):
        target = Path(ws.directory) / place if not Path(place).is_absolute() else Path(place)
        target.unlink(missing_ok=True)  # not written again (the run is no longer published): stale
        done.files_removed.append(place)
    return theirs


def wholly_theirs(db: RunDB, keys: set[str]) -> set[tuple[str, str, int]]:
    """(sha256, sheet, row) of the source rows every record of which is one of the subject's."""
    built: dict[tuple, set[str]] = {}
    for table in db.tables():
        columns = set(db.columns(table)) if table.endswith("_records") else set()
        if not {"source_sha256", "source_sheet", "source_row", "record_key"} <= columns:
            continue
        for sha, sheet, row, key in db.rows(f"SELECT source_sha256, source_sheet, source_row, record_key "
                                            f"FROM {quote(table)}"):
            if row is not None:
                built.setdefault((sha, sheet, int(row)), set()).add(key)
    return {source for source, made in built.items() if made and made <= keys}


def clean_sheets(db: RunDB, matcher: Matcher, theirs: set, done: Erasure) -> None:
    """Delete the wholly-theirs rows of the sheet tables; cut the subject out of the other cells."""
    if not db.has("sheets"):
        return
    for sheet_id, sha, sheet in db.rows("SELECT sheet_id, sha256, sheet FROM sheets"):
        table = f"sheet_{int(sheet_id)}"
        if not db.has(table):
            continue
        rows = sorted(r for s, name, r in theirs if s == sha and name == sheet)
        if rows:
            listed = ", ".join(str(r) for r in rows)
            done.source_rows += len(rows)
            db.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table} "
                       f"WHERE source_row NOT IN ({listed}) ORDER BY rowid")
            db.execute(f"DELETE FROM findings WHERE sheet = {literal(sheet)} AND \"row\" IN ({listed})")
        for _rowid, values, hits in list(scan_relation(db.con, table, matcher)):
            for column, found in hits.items():
                if EXACT not in found.values() or column == "source_row":
                    continue
                value = matcher.redact(values[column]) if matcher.cell(values[column]) else None
                db.execute(f"UPDATE {table} SET {quote(column)} = ? WHERE source_row = ?",
                           [value, values["source_row"]])
                done.cells += 1


def delete_left(db: RunDB, matcher: Matcher, keys: set[str]) -> int:
    """Delete every row still holding the subject (or naming their record keys); meta values have
    the subject cut out of their text. Returns the rows deleted."""
    deleted = 0
    for table in db.tables():
        hits = list(scan_relation(db.con, quote(table), matcher))
        exact = [(rowid, values) for rowid, values, found in hits
                 if any(EXACT in f.values() for f in found.values())]
        if table == "meta":
            for _rowid, values in exact:
                db.execute("UPDATE meta SET value = ? WHERE key = ?", [_redact_json(values["value"], matcher),
                                                                      values["key"]])
            continue
        rowids = {rowid for rowid, _ in exact}
        key_columns = [c for c in db.columns(table) if c in ("record_key", "key_l", "key_r", "unique_id",
                                                             "other_key", "record_keys")]
        if keys and key_columns:
            condition = " OR ".join(f"strpos(CAST({quote(c)} AS VARCHAR), {literal(k)}) > 0"
                                    for c in key_columns for k in sorted(keys))
            rowids |= {r for (r,) in db.rows(f"SELECT rowid FROM {quote(table)} WHERE {condition}")}
        if rowids:
            listed = ", ".join(str(r) for r in sorted(rowids))
            db.execute(f"CREATE OR REPLACE TABLE {quote(table)} AS SELECT * FROM {quote(table)} "
                       f"WHERE rowid NOT IN ({listed}) ORDER BY rowid")
            deleted += len(rowids)
    return deleted


def _redact_text(text: str | None, matcher: Matcher) -> str | None:
    """A stored text (JSON or plain) with the subject cut out ("[erased]" when nothing is left)."""
    if not text or not matcher.cell(text):
        return text
    if text.lstrip()[:1] in ("{", "["):
        return _redact_json(text, matcher)
    return matcher.redact(text) or "[erased]"


def _redact_json(text: str, matcher: Matcher) -> str:
    """A JSON text with the subject cut out of every string in it."""
    def walk(value):
        if isinstance(value, str):
            return matcher.redact(value) if matcher.cell(value) else value
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value
    try:
        return json.dumps(walk(json.loads(text)), default=str, sort_keys=True)
    except ValueError:
        return matcher.redact(text) or "[erased]"


def compact(path: Path) -> None:
    """Copy a run's database into a fresh file and put it in place: freed pages keep nothing."""
    fresh = path.with_name(f".{path.name}.fresh")
    fresh.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"ATTACH {literal(str(path))} AS old (READ_ONLY)")
        con.execute(f"ATTACH {literal(str(fresh))} AS new")
        con.execute("COPY FROM DATABASE old TO new")
        con.execute("DETACH old")
        con.execute("DETACH new")
    os.replace(fresh, path)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


# --- the workspace -------------------------------------------------------------------------------


DELETED = ("decisions", "proposals", "user_state")
REDACTED = {"audit": ("detail",), "runs": ("files", "request", "summary"), "uploads": ("name",)}


def erase_workspace(ws, matcher: Matcher, places: list[Place], done: Erasure) -> None:
    """Delete decisions, proposals and per-user state about the subject; redact audit, run and
    upload texts holding them (a workbench account of the same name is left: ``hotpass users``)."""
    with ws.transaction():
        for place in places:
            table = place.location
            key = _row_key(table)
            if table in DELETED:
                where, params = _where(table, place)
                changed = ws.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount
            elif table in REDACTED:
                values = [_redact_text(place.record.get(c), matcher) for c in REDACTED[table]]
                sets = ", ".join(f"{c} = ?" for c in REDACTED[table])
                changed = ws.execute(f"UPDATE {table} SET {sets} WHERE {key} = ?", [*values, place.record[key]]).rowcount
            else:
                done.notes.append(f"workspace table {table}: left as it is (a workbench account: hotpass users)")
                continue
            done.workspace_rows[table] = done.workspace_rows.get(table, 0) + changed


def _row_key(table: str) -> str:
    return {"runs": "run_id", "decisions": "decision_id", "proposals": "proposal_id", "uploads": "upload_id",
            "audit": "audit_id"}.get(table, "rowid")


def _where(table: str, place: Place) -> tuple[str, list]:
    if table == "user_state":
        return "username = ? AND key = ?", [place.record["username"], place.record["key"]]
    key = _row_key(table)
    return f"{key} = ?", [int(place.record[key])]
