"""Stages ``ingest`` and ``map``: files become sheet tables, columns get canonical fields.

``ingest`` reads every requested file (:func:`hotpass.ingest.read_workbook`:
safety checks, parsing in a child process, header detection) and writes the
``sheets`` catalogue and one ``sheet_<id>`` table per sheet: ``source_row``
(the Excel row number) and one text column ``c<position>`` per source
column; the header labels stay in the catalogue, because DuckDB would fold
labels that differ only in case.

``map`` maps each sheet's columns to the profile's fields (re-applying a saved
mapping when the request carries one) and writes ``column_map`` (sheet_id,
position, source, entity, field, confidence, method) and ``sheet_roles``.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import pandas as pd
import pyarrow as pa

from hotpass.findings import Findings
from hotpass.ingest import SourceSheet, read_workbook
from hotpass.mapping import ColumnMapping, SheetMapping, map_sheets
from hotpass.profile import Profile
from hotpass.run import Run
from hotpass.rundb import text_column
from hotpass.text import fold

SHEETS_COLUMNS = ["sheet_id", "file", "path", "sha256", "sheet", "header_row", "columns", "rows"]


def known_headers(profile: Profile) -> set[str]:
    """Every folded synonym in the profile: helps find the header row."""
    out = set()
    for kind in profile.entities:
        for name, spec in profile.fields(kind).items():
            out.update(fold(s) for s in [name, spec.label, *spec.synonyms] if fold(s))
    return out


def read_files(run: Run, profile: Profile) -> list:
    """Every requested file read as a workbook; the first unreadable one raises InputFileError."""
    headers = known_headers(profile)
    books = []
    for number, source in enumerate(run.request.files, start=1):
        run.report("ingest", (number - 1) / max(len(run.request.files), 1), f"Reading {source.name}")
        books.append(read_workbook(source.path, profile.ingest, known_headers=headers,
                                   display_name=source.name))
    return books


def ingest(run: Run, profile: Profile) -> int:
    """Stage ``ingest`` (see the module docstring); returns the number of source rows."""
    books = read_files(run, profile)
    found = Findings()
    for book in books:
        found.extend(book.findings)
    return store_sheets(run, [sheet for book in books for sheet in book.sheets], found)


def store_sheets(run: Run, sheets: list[SourceSheet], found: Findings | None = None) -> int:
    """The ``sheets`` catalogue and one ``sheet_<id>`` table per sheet, replacing what was there;
    ``found``: what reading the files noticed. Returns the number of source rows."""
    db = run.db
    db.clear_findings("ingest")
    for old in [t for t in db.tables() if t.startswith("sheet_")]:
        db.drop(old)
    catalogue = []
    for sheet_id, sheet in enumerate(sheets, start=1):
        store_sheet(run, sheet_id, sheet)
        catalogue.append((sheet_id, sheet.file, sheet.path, sheet.sha256, sheet.sheet,
                          sheet.header_row, json.dumps(sheet.columns), len(sheet.frame)))
    db.write("sheets", pd.DataFrame(catalogue, columns=SHEETS_COLUMNS),
             types={"sheet_id": pa.int64(), "header_row": pa.int64(), "rows": pa.int64()})
    db.add_findings("ingest", (found or Findings())._rows)
    return sum(row[-1] for row in catalogue)


def store_sheet(run: Run, sheet_id: int, sheet: SourceSheet) -> None:
    """One sheet as table ``sheet_<id>``: source_row, then c0, c1, ... as text."""
    frame = sheet.frame
    arrays = [pa.array(frame.index.to_numpy(dtype="int64"), type=pa.int64())]
    arrays += [text_column(frame.iloc[:, i].tolist()) for i in range(frame.shape[1])]
    names = ["source_row", *[f"c{i}" for i in range(frame.shape[1])]]
    run.db.write(f"sheet_{sheet_id}", pa.Table.from_arrays(arrays, names=names))


def load_sheets(run: Run) -> list[tuple[int, SourceSheet]]:
    """The stored sheets as ingest's :class:`SourceSheet` objects, in order."""
    out = []
    for sheet_id, file, path, sha, name, header_row, columns, _rows in run.db.rows(
            f"SELECT {', '.join(SHEETS_COLUMNS)} FROM sheets ORDER BY sheet_id"):
        labels = json.loads(columns)
        frame = run.db.frame(f"SELECT * FROM sheet_{int(sheet_id)} ORDER BY source_row")
        index = pd.Index(frame.pop("source_row").astype("int64"), name="source_row")
        frame.index = index
        frame.columns = labels
        out.append((int(sheet_id), SourceSheet(file=file, path=path, sha256=sha, sheet=name,
                                               header_row=int(header_row), columns=labels, frame=frame)))
    return out


def _sheet_mapping(m: dict, method: str | None = None) -> SheetMapping:
    return SheetMapping(m["file"], m["sheet"], m["role"], method or m.get("role_method", "saved"),
                        [ColumnMapping(**c) for c in m["columns"]], m.get("reason", ""), m.get("key"),
                        m.get("date"), float(m.get("confidence", 1.0)))


def saved_mappings(run: Run) -> list[SheetMapping]:
    """The saved mapping the request carries (none: map from scratch)."""
    return [_sheet_mapping(m) for m in run.request.mappings]


def map_columns(run: Run, profile: Profile) -> int:
    """Stage ``map`` (see the module docstring); returns the number of sheets mapped."""
    db = run.db
    db.clear_findings("map")
    rows, roles, found = [], [], Findings()
    stored = load_sheets(run)
    mappings = _mappings([sheet for _, sheet in stored], profile, saved_mappings(run), run.request.exact_mappings)
    for (sheet_id, sheet), mapping in zip(stored, mappings, strict=True):
        roles.append((sheet_id, sheet.file, sheet.sheet, mapping.role, mapping.role_method, mapping.reason,
                      mapping.key, mapping.date, mapping.confidence))
        for position, column in enumerate(mapping.columns):
            entity, _, name = (column.target or "").partition(".")
            rows.append((sheet_id, position, column.source, entity or None, name or None,
                         float(column.confidence), column.method))
        found.extend(mapping_findings(mapping, profile))
    db.write("column_map", pd.DataFrame(rows, columns=["sheet_id", "position", "source", "entity", "field",
                                                       "confidence", "method"]),
             types={"sheet_id": pa.int64(), "position": pa.int64(), "confidence": pa.float64()})
    db.write("sheet_roles", pd.DataFrame(roles, columns=["sheet_id", "file", "sheet", "role", "role_method",
                                                         "reason", "key", "date", "confidence"]),
             types={"sheet_id": pa.int64(), "reason": pa.string(), "key": pa.string(), "date": pa.string(),
                    "confidence": pa.float64()})
    db.set_meta("mappings", [asdict(m) for m in mappings])
    db.add_findings("map", found._rows)
    return len(mappings)


def _mappings(sheets: list[SourceSheet], profile: Profile, saved: list[SheetMapping],
              exact: bool) -> list[SheetMapping]:
    """The mapping of every sheet: a saved one as it is (``exact``, the workbench's own choices for
    these very sheets), else mapped afresh with the closest saved mapping re-applied."""
    out = map_sheets(sheets, profile, saved)
    if exact:
        for i, sheet in enumerate(sheets):
            same = next((m for m in saved if m.file == sheet.file and m.sheet == sheet.sheet
                         and [c.source for c in m.columns] == list(sheet.columns)), None)
            if same is not None:
                out[i] = same
    return out


def mapping_findings(mapping: SheetMapping, profile: Profile) -> Findings:
    """Unmapped and uncertain columns of one sheet, and its role."""
    found = Findings()
    where = {"file": mapping.file, "sheet": mapping.sheet}
    for col in mapping.columns:
        if col.target is None:
            found.add("mapping.unmapped_column", "kept as an extra column", "warning", column=col.source, **where)
        elif col.confidence < profile.mapping.confident_score:
            found.add("mapping.low_confidence", f"mapped to {col.target} by {col.method} "
                      f"with confidence {col.confidence:.0f}", "warning", column=col.source, **where)
    because = f": {mapping.reason}" if mapping.reason else ""
    found.add("mapping.sheet_role", f"role {mapping.role} ({mapping.role_method}){because}", "info", **where)
    return found


def stored_mappings(run: Run) -> list[SheetMapping]:
    """The mappings the ``map`` stage used, as :class:`SheetMapping` objects (to save a recipe)."""
    return [_sheet_mapping(m, m["role_method"]) for m in run.db.meta("mappings", [])]
