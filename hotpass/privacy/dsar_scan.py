"""Every place a workspace holds a data subject: run tables, stored outputs, uploads, its own tables.

Each reader yields :class:`Place` rows. Tables and flat files (CSV, Parquet)
are read by DuckDB with the :class:`~hotpass.privacy.dsar_match.Matcher`'s
prefilter, so only rows that might hold the subject reach Python; workbooks are
read with openpyxl, reports line by line, uploads with the project's ingest
(the row numbers the pipeline gives them). A second pass follows the record
keys of the subject's records to the rows that name them by key only
(clusters, pairs, decisions, proposals).
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from hotpass.ingest import read_workbook
from hotpass.privacy.dsar_match import EXACT, Matcher
from hotpass.rundb import RunDB, literal, quote

RUN_TABLE, OUTPUT, UPLOAD, WORKSPACE, CACHE = "run table", "run output", "upload", "workspace", "cache"
SOURCE = "source file"  # a file a command-line run read from outside the workspace
#: Columns that hold record keys (one each, or a list of them).
KEY_COLUMNS = ("record_key", "key_l", "key_r", "unique_id", "other_key", "record_keys", "members")
#: Workspace tables searched, with the column that names a row.
WORKSPACE_TABLES = {"runs": "run_id", "decisions": "decision_id", "proposals": "proposal_id",
                    "uploads": "upload_id", "user_state": "key", "audit": "audit_id", "users": "username"}
TEXT_SUFFIXES = (".html", ".htm", ".md", ".json", ".txt", ".log")


@dataclass
class Place:
    """One row (or line) that holds the subject, and where it is."""

    area: str  # run table, run output, upload, source file, workspace, cache
    location: str  # a table, or a file (relative to the workspace when inside it)
    run_id: int | None = None
    sheet: str | None = None
    row: object = None  # Excel/CSV row, a record id, a table row, a line
    columns: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()  # email, phone, name, record key
    match: str = EXACT
    record: dict = field(default_factory=dict, repr=False)  # the row's values (for the export)
    rowid: int | None = field(default=None, repr=False)  # a DuckDB table's rowid

    def where(self) -> dict:
        """The place without the values it holds (what the CLI and the page list)."""
        return {"area": self.area, "run": self.run_id, "location": self.location, "sheet": self.sheet,
                "row": None if self.row is None else str(self.row), "columns": ", ".join(self.columns),
                "keys": ", ".join(self.keys), "match": self.match}


def _place(area: str, location: str, hits: dict[str, dict[str, str]], record: dict, **where) -> Place:
    keys = sorted({k for found in hits.values() for k in found})
    match = EXACT if any(EXACT in found.values() for found in hits.values()) else "possible"
    return Place(area, location, columns=tuple(hits), keys=tuple(keys), match=match,
                 record={k: _text(v) for k, v in record.items()}, **where)


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, str) else str(value)


# --- DuckDB relations: run tables, CSV, Parquet -------------------------------------------------


def scan_relation(con: duckdb.DuckDBPyConnection, source: str, matcher: Matcher,
                  position: str = "rowid") -> Iterator[tuple[int, dict, dict]]:
    """(position, row, hits) for every row of ``source`` (a table or a table function) that holds
    the subject; ``position`` is the SQL of a row's position (computed before filtering)."""
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    if not columns:
        return
    condition = " OR ".join(matcher.sql(f"CAST({quote(c)} AS VARCHAR)") for c in columns)
    cursor = con.execute(f"SELECT * FROM (SELECT {position} AS __position, * FROM {source}) WHERE {condition}")
    for row in cursor.fetchall():
        values = dict(zip(columns, row[1:], strict=True))
        hits = matcher.row({c: _text(v) for c, v in values.items()})
        if hits:
            yield int(row[0]), values, hits


def scan_run(directory: Path, run_id: int, matcher: Matcher, run_file: str) -> list[Place]:
    """Every row of a run's database that holds the subject (by value)."""
    path = directory / run_file
    if not path.is_file():
        return []
    places = []
    with RunDB(path, read_only=True) as db:
        sheets = _sheet_names(db)
        for table in db.tables():
            for rowid, values, hits in scan_relation(db.con, quote(table), matcher):
                sheet, row = _row_of(table, values, sheets, rowid)
                places.append(_place(RUN_TABLE, table, hits, values, run_id=run_id, sheet=sheet, row=row,
                                     rowid=rowid))
    return places


def _sheet_names(db: RunDB) -> dict[str, tuple[str, str]]:
    if not db.has("sheets"):
        return {}
    return {f"sheet_{sid}": (file, sheet) for sid, file, sheet in db.rows("SELECT sheet_id, file, sheet FROM sheets")}


def _row_of(table: str, values: dict, sheets: dict, rowid: int) -> tuple[str | None, object]:
    """(sheet, row) naming a row of a run table: a source sheet's file and Excel row, a record's
    id, else the table's row number."""
    if table in sheets:
        file, sheet = sheets[table]
        return f"{file} / {sheet}", values.get("source_row")
    if table == "meta":
        return None, values.get("key")
    for column in ("record_id", *[c for c in values if c.endswith("_id")]):
        if values.get(column) is not None:
            return values.get("source_sheet"), values[column]
    return None, rowid + 1


def scan_keys(directory: Path, run_id: int, keys: set[str], run_file: str, seen: set) -> list[Place]:
    """Rows of a run's tables that name one of the subject's record keys (and hold no value of theirs)."""
    path = directory / run_file
    if not keys or not path.is_file():
        return []
    places = []
    with RunDB(path, read_only=True) as db:
        for table in db.tables():
            columns = [c for c in db.columns(table) if c in KEY_COLUMNS]
            if not columns:
                continue
            condition = " OR ".join(f"strpos(CAST({quote(c)} AS VARCHAR), {literal(k)}) > 0"
                                    for c in columns for k in sorted(keys))
            names = db.columns(table)
            for row in db.rows(f"SELECT rowid, * FROM {quote(table)} WHERE {condition}"):
                if (table, row[0]) in seen:
                    continue
                values = dict(zip(names, row[1:], strict=True))
                places.append(Place(RUN_TABLE, table, run_id, values.get("source_sheet"),
                                    _row_of(table, values, {}, row[0])[1], tuple(columns), ("record key",),
                                    EXACT, {k: _text(v) for k, v in values.items()}, row[0]))
    return places


def subject_keys(places: Iterable[Place]) -> set[str]:
    """The record keys of the subject's records: rows of ``*_records`` tables hit exactly."""
    return {p.record["record_key"] for p in places if p.area == RUN_TABLE and p.location.endswith("_records")
            and p.match == EXACT and p.record.get("record_key")}


# --- files ---------------------------------------------------------------------------------------


def scan_file(path: Path, matcher: Matcher, area: str, location: str, run_id: int | None = None) -> list[Place]:
    """Every row (line for text files) of an output or cache file that holds the subject."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        found = _flat(path, matcher, f"read_csv({literal(str(path))}, all_varchar = true, header = true, "
                                     "delim = ',', quote = '\"', escape = '\"', strict_mode = false)", 1)
        if found is None:
            found = _csv(path, matcher)
    elif suffix == ".parquet":
        found = _flat(path, matcher, f"read_parquet({literal(str(path))})", 1) or []
    elif suffix in (".xlsx", ".xlsm"):
        found = _xlsx(path, matcher)
    elif suffix in TEXT_SUFFIXES:
        found = _lines(path, matcher)
    else:
        found = []
    return [_place(area, location, hits, values, run_id=run_id, sheet=sheet, row=row)
            for sheet, row, values, hits in found]


def _flat(path: Path, matcher: Matcher, source: str, header: int) -> list | None:
    try:
        with duckdb.connect() as con:
            return [(None, position + header, values, hits)
                    for position, values, hits in scan_relation(con, source, matcher, "row_number() OVER ()")]
    except duckdb.Error:
        return None


def _csv(path: Path, matcher: Matcher) -> list:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        found = []
        for number, row in enumerate(reader, start=2):
            values = dict(zip(header or [str(i) for i in range(len(row))], row, strict=False))
            if hits := matcher.row(values):
                found.append((None, number, values, hits))
        return found


def _xlsx(path: Path, matcher: Matcher) -> list:
    from openpyxl import load_workbook

    found = []
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            header = None
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                names = header or [f"column {i + 1}" for i in range(len(row))]
                values = {str(names[i]) if i < len(names) and names[i] is not None else f"column {i + 1}": v
                          for i, v in enumerate(row)}
                header = header or [str(v) if v is not None else None for v in row]
                if hits := matcher.row(values):
                    found.append((sheet.title, number, values, hits))
    finally:
        book.close()
    return found


def _lines(path: Path, matcher: Matcher) -> list:
    found = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            text = html.unescape(line) if path.suffix.lower() in (".html", ".htm") else line
            if hits := matcher.row({"text": text}):
                found.append((None, number, {"text": text.strip()[:2000]}, hits))
    return found


def scan_upload(path: Path, matcher: Matcher, location: str, display: str, area: str = UPLOAD) -> list[Place]:
    """Every data row of an uploaded (or source) file that holds the subject, read as the pipeline
    reads it."""
    places = []
    book = read_workbook(path, display_name=display)
    for sheet in book.sheets:
        for number, row in zip(sheet.frame.index, sheet.frame.itertuples(index=False), strict=True):
            values = dict(zip([str(c) for c in sheet.columns], row, strict=False))
            if hits := matcher.row(values):
                places.append(_place(area, location, hits, values, sheet=sheet.sheet, row=int(number)))
    return places


# --- the workspace's own tables ------------------------------------------------------------------


def scan_workspace(ws, matcher: Matcher, keys: set[str]) -> list[Place]:
    """Rows of the workspace's tables that hold the subject, or name their record keys."""
    places = []
    for table, label in WORKSPACE_TABLES.items():
        for values in ws.query_dicts(f"SELECT * FROM {table}"):
            text = {c: v for c, v in values.items() if isinstance(v, str)}
            hits = matcher.row(text)
            named = [c for c in KEY_COLUMNS if isinstance(values.get(c), str) and any(k in values[c] for k in keys)]
            if not hits and not named:
                continue
            place = _place(WORKSPACE, table, hits, values, row=values.get(label))
            if named:
                place.columns = tuple(dict.fromkeys((*place.columns, *named)))
                place.keys = tuple(dict.fromkeys((*place.keys, "record key")))
                place.match = EXACT
            places.append(place)
    return places


def decoded(text: str | None, default):
    """JSON text as a value (``default`` when it is not JSON)."""
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default
