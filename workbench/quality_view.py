"""What the Quality page shows of a stored run: its report, findings down to records (no Streamlit).

The report is the one the run wrote (``quality-report.json``), else it is
built again from the run's tables. Findings, quality rows and provenance are
read from the run's database a page at a time, so a run with millions of
findings sends only what is shown.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from hotpass import build_report
from workbench import running
from workbench.text import is_missing

ID = "_id"  # the golden id columns of out_source_map: <entity>_id
FINDING_COLUMNS = ["file", "sheet", "row", "column", "message", "original", "new", "rule"]


def report_of(ws, result) -> dict:
    """The run's quality report as plain data."""
    written = result.outputs.get("report_json")
    if written and Path(written).is_file():
        return json.loads(Path(written).read_text(encoding="utf-8"))
    return build_report(result, running.run_profile(ws, result.run_id))


def findings_table(report: dict) -> pd.DataFrame:
    """One row per finding code: severity and count, errors first."""
    rows = [{"code": f["code"], "severity": f["severity"], "count": f["count"]}
            for f in report.get("findings") or []]
    return pd.DataFrame(rows, columns=["code", "severity", "count"])


def findings_of(result, code: str, start: int, size: int) -> pd.DataFrame:
    """The findings with ``code`` from position ``start`` on, at most ``size`` of them."""
    if not result.db.has("findings"):
        return pd.DataFrame(columns=FINDING_COLUMNS)
    columns = ", ".join(f'"{c}"' for c in FINDING_COLUMNS)
    return result.db.frame(f"SELECT {columns} FROM findings WHERE code = ? "
                           "ORDER BY rowid LIMIT ? OFFSET ?", [code, int(size), int(start)])


def records_at(result, file, sheet, row) -> list[tuple[str, str]]:
    """(entity, golden id) of the output records that source row ``row`` became (a contact's row
    names its organisation too)."""
    if is_missing(row) or is_missing(file) or not result.db.has("out_source_map"):
        return []
    ids = [c for c in result.db.columns("out_source_map") if c.endswith(ID)]
    if not ids:
        return []
    columns = ", ".join(f'"{c}"' for c in ids)
    sql = f"SELECT {columns} FROM out_source_map WHERE source_file = ? AND source_row = ?"
    params = [str(file), int(row)]
    if not is_missing(sheet):
        sql, params = sql + " AND source_sheet = ?", [*params, str(sheet)]
    found = [(column[:-len(ID)], value) for values in result.db.rows(sql, params)
             for column, value in zip(ids, values, strict=True)]
    return list(dict.fromkeys((k, str(v)) for k, v in found if not is_missing(v)))


def label_of(result, entity: str) -> str:
    """What one record of ``entity`` is called in the run's profile ("Person")."""
    profile = result.profile
    if profile is not None and entity in profile.entities:
        return profile.label(entity)
    return entity.replace("_", " ").capitalize()


def shown(plural: str) -> str:
    """An entity's plural as words ("people", "flight schools")."""
    return str(plural).replace("_", " ")


def record_detail(result, kind: str, record_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A golden record's Quality row and its field provenance."""
    def pick(table: str) -> pd.DataFrame:
        if not result.db.has(table):
            return pd.DataFrame()
        rows = result.db.frame(f"SELECT * FROM {table} WHERE record_kind = ? AND record_id = ?",
                               [kind, record_id])
        return rows.drop(columns=["record_kind"]).reset_index(drop=True)

    return pick("out_quality"), pick("provenance")
