"""Stages ``export`` and ``report``: the deliverables, written as a whole or not at all.

``export`` (only when the gate allows publishing) writes the styled workbook
an operator reads: Organisations, Contacts, Quality, Validation, Enrichment,
Clusters, Review, Provenance and Findings as summaries (counts per field and
rule, per finding code, with examples), the Source Map while it fits in a
sheet, Changes (what changed since the previous run, when there is one) and
Summary, which names the files beside the workbook that hold every
finding and every field's provenance (``<stem>-findings.csv|.parquet``,
``<stem>-provenance.csv|.parquet``). CSV and Parquet copies of every table
go where the request asks. Everything is written into the run's staging
folders (:mod:`hotpass.export.staging`) and moved into place as a whole when
the run ends (:func:`hotpass.pipeline.execute`).

``report`` writes the quality report (HTML, Markdown, JSON), published or not.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hotpass.changes import TABLE as CHANGES
from hotpass.export import FAILED_RED, SCORE_SCALE, Table, write_workbook
from hotpass.export.atomic import export_error
from hotpass.export.copy import copy_csv, copy_parquet
from hotpass.export.staging import workspace_folders
from hotpass.profile import Profile
from hotpass.report import write_report
from hotpass.report.build import build_report
from hotpass.result import RunResult
from hotpass.run import Run
from hotpass.rundb import RunDB
from hotpass.stages.names import entity_tables
from hotpass.stages.tables import sheet_columns

EXCEL_MAX_ROWS = 1_048_575  # data rows below the header
EXAMPLES = 3
CELL_KINDS = {"website": "url", "email": "email", "date": "date"}


def workbook_path(run: Run) -> Path | None:
    """Where the workbook goes: the request's path, else the run's own folder (None: nowhere)."""
    if run.request.workbook:
        return Path(run.request.workbook)
    if run.directory is None:
        return None
    return run.output_dir() / f"hotpass-run-{run.run_id or 0}.xlsx"


def destinations(run: Run) -> list[Path]:
    """Every folder this run may deliver into, and (with a workspace) the workspace's own, where a
    killed run may have left staging folders or temporary files."""
    request = run.request
    found = [Path(p) for p in (request.csv_dir, request.parquet_dir, request.report_dir) if p]
    target = workbook_path(run)
    if target is not None:
        found.append(target.parent)
    if run.directory is not None:
        found.append(run.output_dir())
    if run.workspace is not None:
        found += workspace_folders(run.workspace.directory)
    return found


def export(run: Run, profile: Profile) -> int:
    """Stage ``export`` (see the module docstring); returns the number of files written."""
    db = run.db
    gate = db.meta("gate", {})
    if not gate.get("published"):
        run.report("export", 1.0, "Not published: blocking expectations failed")
        return 0
    target = workbook_path(run)
    written = _flat(run, profile) if target is None else _workbook(run, profile, target)
    return written


def _flat(run: Run, profile: Profile) -> int:
    """The CSV and Parquet copies of every table that the request asks for."""
    written, outputs = [], {}
    for kind, folder in (("csv", run.request.csv_dir), ("parquet", run.request.parquet_dir)):
        if folder:
            files = write_flat(run.db, kind, run.staging.folder(folder, kind))
            run.staging.claim(kind, files)
            written += files
            outputs[kind] = str(folder)
    run.db.set_meta("outputs", {**run.db.meta("outputs", {}), **outputs})
    return len(written)


#: The flat deliverables besides the entities' tables: file stem -> the query of its rows.
FLAT = {
    "quality": "SELECT * FROM out_quality",
    "validation": "SELECT * FROM _validation_sheet",
    "enrichment": "SELECT * FROM enrichment",
    "clusters": "SELECT * FROM out_clusters",
    "review": "SELECT {review} FROM out_review",
    "provenance": "SELECT * FROM provenance",
    "source_map": "SELECT * FROM out_source_map",
    "findings": 'SELECT code, severity, message, file, sheet, "row", "column", original, new, rule FROM findings',
}


#: The entities' tables of a run written before the entity tables were named in its meta values.
def flat_queries(db: RunDB) -> dict[str, str]:
    """Every flat deliverable of the run: file stem -> the query of its rows (``changes`` only when
    the run was compared with a previous one)."""
    changes = {"changes": f"SELECT * FROM {CHANGES}"} if compared_with(db) is not None else {}
    return {**{plural: f"SELECT * FROM {table}" for plural, table, _ in entity_tables(db)}, **FLAT, **changes}


def compared_with(db: RunDB) -> int | None:
    """The previous run this run's changes are counted from (None: a first run)."""
    return (db.meta("changes") or {}).get("previous_run") if db.has(CHANGES) else None


def write_flat(db: RunDB, kind: str, folder: str | Path) -> list[Path]:
    """Every table of the deliverable as ``<stem>.csv`` or ``<stem>.parquet`` in ``folder``."""
    directory = Path(folder)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise export_error(directory, error) from error
    sheet = validation_sheet(_table(db, "out_validation"))
    db.con.register("_validation_sheet", sheet if sheet is not None else pd.DataFrame({"result": []}))
    review = ", ".join(_quoted(sheet_columns(db))) if db.has("out_review") else "*"
    write = copy_csv if kind == "csv" else copy_parquet
    paths = []
    try:
        for stem, query in flat_queries(db).items():
            table = query.split(" FROM ")[-1].split()[0]
            if table == "_validation_sheet" or db.has(table):
                paths.append(write(db, query.format(review=review), directory / f"{stem}.{kind}"))
    finally:
        db.con.unregister("_validation_sheet")
    return paths


def export_tables(result: RunResult, kind: str, directory: str | Path) -> list[Path]:
    """Every deliverable table of a finished run (open read-only is fine) as ``<stem>.csv`` or
    ``<stem>.parquet`` in ``directory``, as ``refine --csv-dir``/``--parquet-dir`` write them."""
    if kind not in ("csv", "parquet"):
        raise ValueError(f"unknown kind {kind!r}: csv or parquet")
    return write_flat(result.db, kind, directory)


def _workbook(run: Run, profile: Profile, target: Path) -> int:
    """The workbook, the full findings and provenance beside it, and the flat copies asked for."""
    db = run.db
    stem = target.stem
    key = f"workbook:{stem}"
    outputs = {"workbook": str(target)}
    run.report("export", 0.05, "Writing findings and provenance in full")
    written = []
    for what in ("findings", "provenance"):
        for write, suffix in ((copy_csv, "csv"), (copy_parquet, "parquet")):
            written.append(write(db, FLAT[what], run.staging.file(target.parent / f"{stem}-{what}.{suffix}", key)))
    outputs.update(findings=str(target.parent / f"{stem}-findings.csv"),
                   provenance=str(target.parent / f"{stem}-provenance.csv"))
    notes = [("Every finding", f"{stem}-findings.csv and {stem}-findings.parquet (beside this workbook)"),
             ("Every field's provenance", f"{stem}-provenance.csv and {stem}-provenance.parquet")]
    sheets = workbook_tables(db, profile, notes)
    run.report("export", 0.2, "Writing the workbook")
    summary = [*db.meta("summary", []), *notes]
    write_workbook(run.staging.file(target, key), sheets, summary=[tuple(s) for s in summary], scorecard=db.frame("scorecard"),
                   progress=lambda f: run.report("export", 0.2 + 0.7 * f, "Writing the workbook"))
    written.append(target)
    db.set_meta("outputs", {**db.meta("outputs", {}), **outputs})
    return len(written) + _flat(run, profile)


def sheet_name(plural: str) -> str:
    """The workbook sheet of an entity's table (organisations -> Organisations)."""
    return plural.replace("_", " ").title()[:31]


def cell_kinds(profile: Profile) -> dict[str, dict[str, str]]:
    """Column kinds per sheet: links, dates, integers, numbers, percentages."""
    out = {}
    for entity in profile.entities:
        sheet = sheet_name(profile.plural(entity))
        out[sheet] = {name: CELL_KINDS[spec.kind] for name, spec in profile.fields(entity).items()
                      if spec.kind in CELL_KINDS}
        out[sheet].update({"source_count": "integer", "quality_score": "number"})
    out["Source Map"] = {"source_row": "integer"}
    out["Findings"] = {"count": "integer", "row": "integer"}
    out["Enrichment"] = {"proposal_id": "integer", "confidence": "number", "decided_at": "datetime"}
    out["Quality"] = {"quality_score": "number", "completeness": "percent", "validity": "percent"}
    out["Validation"] = {"element_count": "integer", "unexpected_count": "integer",
                         "unexpected_percent": "number"}
    out["Clusters"] = {"source_row": "integer", "cluster_size": "integer", "best_match_probability": "number"}
    out["Provenance"] = {"count": "integer", "example_row": "integer", "source_row": "integer"}
    out["Review"] = {"match_probability": "number", "match_weight": "number"}
    return out


def validation_sheet(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Expectation results, failed first: result (passed/failed), gate (blocking or not), counts."""
    if frame is None or not len(frame.columns):
        return None
    out = frame.copy()
    out.insert(0, "result", ["passed" if ok else "failed" for ok in out["success"]])
    out.insert(1, "gate", ["blocking" if b else "" for b in out["blocking"]])
    out = out.drop(columns=["success", "blocking", "expectation", "table"], errors="ignore")
    order = out["result"].map({"failed": 0, "passed": 1}) * 2 + (out["gate"] != "blocking")
    return out.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def findings_summary(db: RunDB) -> pd.DataFrame:
    """One row per finding code: severity, count and the first examples (where, what)."""
    return db.frame(f"""
        WITH f AS (SELECT *, row_number() OVER (PARTITION BY code, severity ORDER BY rowid) AS n FROM findings)
        SELECT severity, code, count(*) AS count,
               string_agg(concat_ws(' | ', file, sheet, CASE WHEN "row" IS NOT NULL THEN 'row ' || "row" END,
                                    "column") || ': ' || coalesce(message, ''), chr(10) ORDER BY n)
                   FILTER (WHERE n <= {EXAMPLES}) AS examples
        FROM f GROUP BY severity, code
        ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, count DESC, code""")


def provenance_summary(db: RunDB) -> pd.DataFrame:
    """One row per record kind, field and rule: how many golden values it decided, with an example."""
    return db.frame(f"""
        WITH p AS (SELECT *, rowid AS pos,
                          row_number() OVER (PARTITION BY record_kind, field, rule ORDER BY rowid) AS n
                   FROM provenance)
        SELECT record_kind, field, rule, count(*) AS count,
               string_agg(record_id || ': ' || coalesce(value, '') || ' (' || concat_ws(' | ', source_file,
                          source_sheet, 'row ' || source_row) || ')', chr(10) ORDER BY n)
                   FILTER (WHERE n <= {EXAMPLES}) AS examples
        FROM p GROUP BY ALL ORDER BY record_kind DESC, min(pos), count DESC""")


def workbook_tables(db: RunDB, profile: Profile, notes: list | None = None) -> list[Table]:
    """The workbook's sheets, in order (Summary is written separately): what an operator reads.

    Findings and Provenance are summaries; Quality lists the records scoring below the
    profile's low score (every score is on Organisations and Contacts); Clusters lists the
    records that share a cluster or that a person decided about. Each sheet is cut at Excel's
    row limit. What a sheet leaves out is appended to ``notes`` as Summary lines.
    """
    notes = [] if notes is None else notes
    low = float(profile.quality.low_score)
    review = db.frame(f"SELECT {', '.join(_quoted(sheet_columns(db)))} FROM out_review") \
        if db.has("out_review") else None
    quality = db.frame(f"SELECT * FROM out_quality WHERE quality_score < {low!r}")
    clusters = db.frame("SELECT * FROM out_clusters WHERE cluster_size > 1 OR decision IS NOT NULL")
    entities = entity_tables(db)
    sheets = " and ".join(sheet_name(plural) for plural, _, _ in entities)
    notes.append(("Quality sheet", f"the {len(quality):,} of {db.count('out_quality'):,} records scoring "
                                   f"below {low:g}; every record's score is on {sheets}"))
    label = profile.label(profile.primary).lower()
    notes.append(("Clusters sheet", f"the {len(clusters):,} of {db.count('out_clusters'):,} {label} "
                                    "records that share a cluster or that a person decided about"))
    frames = [*[(sheet_name(plural), db.frame(table)) for plural, table, _ in entities],
              ("Quality", quality), ("Validation", validation_sheet(_table(db, "out_validation"))),
              ("Enrichment", _table(db, "enrichment")), ("Clusters", clusters), ("Review", review),
              ("Provenance", provenance_summary(db)), ("Source Map", db.frame("out_source_map")),
              ("Findings", findings_summary(db))]
    frames += _changes(db, notes)
    kinds = cell_kinds(profile)
    out = []
    for name, frame in frames:
        if frame is None:
            continue
        if len(frame) > EXCEL_MAX_ROWS:
            notes.append((f"{name} sheet", f"first {EXCEL_MAX_ROWS:,} of {len(frame):,} rows; "
                                           "all are in the CSV/Parquet outputs"))
            frame = frame.head(EXCEL_MAX_ROWS)
        extra = {c: "number" for c in frame.columns if c.startswith("mw_")} if name == "Review" else {}
        rules = {"quality_score": SCORE_SCALE, "result": FAILED_RED}
        conditional = {column: rule for column, rule in rules.items() if column in frame}
        own = {c: k for c, k in kinds.get(name, {}).items() if c in frame}
        out.append(Table(name, frame, {**own, **extra}, conditional=conditional))
    return out


def _changes(db: RunDB, notes: list) -> list[tuple[str, pd.DataFrame]]:
    """The Changes sheet (only when there is a previous run) and its Summary line."""
    since = compared_with(db)
    if since is None:
        notes.append(("What changed", "first run: there is no earlier run of this profile to compare with"))
        return []
    frame = db.frame(CHANGES)
    notes.append(("What changed", f"{len(frame):,} change(s) since run {since}, on the Changes sheet"))
    return [("Changes", frame)]


def _table(db: RunDB, name: str) -> pd.DataFrame | None:
    return db.frame(name) if db.has(name) else None


def _quoted(columns: list[str]) -> list[str]:
    return ['"' + c.replace('"', '""') + '"' for c in columns]


def report(run: Run, profile: Profile) -> int:
    """Stage ``report``: the quality report, when the request names a folder for it."""
    folder = run.request.report_dir or (str(run.output_dir()) if run.directory is not None else None)
    if not folder:
        return 0
    result = RunResult(run.db, run.run_id)
    paths = write_report(build_report(result, profile), run.staging.folder(folder, "report"))
    run.staging.claim("report", paths.values())
    outputs = run.db.meta("outputs", {})
    outputs.update({f"report_{kind}": str(Path(folder) / path.name) for kind, path in paths.items()})
    run.db.set_meta("outputs", outputs)
    return len(paths)
