"""Stages ``export`` and ``report``: the deliverables, written as a whole or not at all.

``export`` (only when the gate allows publishing) writes the styled workbook
an operator reads: Organisations, Contacts, Quality, Validation, Enrichment,
Clusters, Review, Provenance and Findings as summaries (counts per field and
rule, per finding code, with examples), the Source Map while it fits in a
sheet, and Summary, which names the files beside the workbook that hold every
finding and every field's provenance (``<stem>-findings.csv|.parquet``,
``<stem>-provenance.csv|.parquet``). CSV and Parquet copies of every table
go where the request asks. Everything is written beside its target first and
moved into place at the end.

``report`` writes the quality report (HTML, Markdown, JSON), published or not.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hotpass.export import FAILED_RED, SCORE_SCALE, Table, write_csv, write_parquet, write_workbook
from hotpass.profile import Profile
from hotpass.report import write_report
from hotpass.report.build import build_report
from hotpass.result import RunResult
from hotpass.run import Run
from hotpass.rundb import RunDB
from hotpass.stages.tables import sheet_columns

EXCEL_MAX_ROWS = 1_048_575  # data rows below the header
EXAMPLES = 3
CELL_KINDS = {"website": "url", "email": "email", "date": "date"}


def workbook_path(run: Run) -> Path:
    """Where the workbook goes: the request's path, else the run's own folder."""
    if run.request.workbook:
        return Path(run.request.workbook)
    return run.output_dir() / f"hotpass-run-{run.run_id or 0}.xlsx"


def export(run: Run, profile: Profile) -> int:
    """Stage ``export`` (see the module docstring); returns the number of files written."""
    db = run.db
    gate = db.meta("gate", {})
    if not gate.get("published"):
        run.report("export", 1.0, "Not published: blocking expectations failed")
        return 0
    target = workbook_path(run)
    stem = target.stem
    outputs = {"workbook": str(target)}
    whole = [Table(f"{stem}-findings", _findings(db)), Table(f"{stem}-provenance", db.frame("provenance"))]
    run.report("export", 0.05, "Writing findings and provenance in full")
    written = write_csv(target.parent, whole) + write_parquet(target.parent, whole)
    outputs.update(findings=str(target.parent / f"{stem}-findings.csv"),
                   provenance=str(target.parent / f"{stem}-provenance.csv"))
    cut: list[tuple[str, str]] = []
    sheets = tables(db, profile, workbook=True, cut=cut)
    notes = [("Every finding", f"{stem}-findings.csv and {stem}-findings.parquet (beside this workbook)"),
             ("Every field's provenance", f"{stem}-provenance.csv and {stem}-provenance.parquet")]
    run.report("export", 0.2, "Writing the workbook")
    summary = [*db.meta("summary", []), *notes, *cut]
    write_workbook(target, sheets, summary=[tuple(s) for s in summary], scorecard=db.frame("scorecard"),
                   progress=lambda f: run.report("export", 0.2 + 0.7 * f, "Writing the workbook"))
    written.append(target)
    flat = tables(db, profile)
    if run.request.csv_dir:
        written += write_csv(run.request.csv_dir, flat)
        outputs["csv"] = str(run.request.csv_dir)
    if run.request.parquet_dir:
        written += write_parquet(run.request.parquet_dir, flat)
        outputs["parquet"] = str(run.request.parquet_dir)
    db.set_meta("outputs", {**db.meta("outputs", {}), **outputs})
    return len(written)


def _findings(db: RunDB) -> pd.DataFrame:
    frame = db.frame('SELECT code, severity, message, file, sheet, "row", "column", original, new, rule '
                     "FROM findings")
    frame["row"] = frame["row"].astype("Int64")
    return frame


def cell_kinds(profile: Profile) -> dict[str, dict[str, str]]:
    """Column kinds per sheet: links, dates, integers, numbers, percentages."""
    out = {}
    for table, kind in (("Organisations", "organisation"), ("Contacts", "contact")):
        out[table] = {name: CELL_KINDS[spec.kind] for name, spec in profile.fields(kind).items()
                      if spec.kind in CELL_KINDS}
    out["Source Map"] = {"source_row": "integer"}
    out["Findings"] = {"count": "integer", "row": "integer"}
    out["Organisations"].update({"source_count": "integer", "quality_score": "number"})
    out["Contacts"].update({"source_count": "integer", "quality_score": "number"})
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


def tables(db: RunDB, profile: Profile, workbook: bool = False, cut: list | None = None) -> list[Table]:
    """The deliverable as export tables, in sheet order (Summary is written separately).

    For the workbook, Findings and Provenance are summaries and each table is cut at
    Excel's row limit (each cut appended to ``cut`` as a Summary line); CSV and Parquet
    get every row of every table.
    """
    kinds = cell_kinds(profile)
    review = db.frame(f"SELECT {', '.join(_quoted(sheet_columns(db)))} FROM out_review") \
        if db.has("out_review") else None
    frames = [("Organisations", db.frame("out_organisations")), ("Contacts", db.frame("out_contacts")),
              ("Quality", db.frame("out_quality")), ("Validation", validation_sheet(_table(db, "out_validation"))),
              ("Enrichment", _table(db, "enrichment")), ("Clusters", db.frame("out_clusters")),
              ("Review", review),
              ("Provenance", provenance_summary(db) if workbook else db.frame("provenance")),
              ("Source Map", db.frame("out_source_map")),
              ("Findings", findings_summary(db) if workbook else _findings(db))]
    out = []
    for name, frame in frames:
        if frame is None:
            continue
        if workbook and len(frame) > EXCEL_MAX_ROWS:
            if cut is not None:
                cut.append((f"{name} sheet", f"first {EXCEL_MAX_ROWS:,} of {len(frame):,} rows; "
                                             "all are in the CSV/Parquet outputs"))
            frame = frame.head(EXCEL_MAX_ROWS)
        extra = {c: "number" for c in frame.columns if c.startswith("mw_")} if name == "Review" else {}
        rules = {"quality_score": SCORE_SCALE, "result": FAILED_RED}
        conditional = {column: rule for column, rule in rules.items() if column in frame}
        own = {c: k for c, k in kinds.get(name, {}).items() if c in frame}
        out.append(Table(name, frame, {**own, **extra}, conditional=conditional))
    return out


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
    paths = write_report(build_report(result, profile), folder)
    outputs = run.db.meta("outputs", {})
    outputs.update({f"report_{kind}": str(path) for kind, path in paths.items()})
    run.db.set_meta("outputs", outputs)
    return len(paths)
