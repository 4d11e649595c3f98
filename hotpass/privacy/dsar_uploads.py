"""Uploaded files rewritten without a data subject (part of :mod:`hotpass.privacy.dsar_erase`).

The rows an erasure takes out of a file are those its runs found wholly the
subject's (every record built from the row was theirs); in every other row
that holds them their email, phone and name are cut out of the cells. An
Excel file is edited in place with openpyxl (its other sheets, rows and
styles kept), a CSV file keeps its delimiter and byte-order mark, and a file
openpyxl cannot write back (``.xls``, Parquet) becomes a workbook of its
sheets as ingest read them. The new bytes are kept where their hash says and
the upload points at them; a file every row of which was theirs is removed.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from hotpass.findings import Findings
from hotpass.ingest import read_workbook
from hotpass.ingest.delimited import decode, sniff_delimiter
from hotpass.privacy import dsar
from hotpass.privacy.dsar_match import EXACT, Matcher
from hotpass.privacy.dsar_scan import Place
from hotpass.workspace.database import now
from hotpass.workspace.uploads import _write, safe_name


def erase_upload(ws, upload: dict, matcher: Matcher, rows: set[tuple[str, int]], held: list[Place],
                 done) -> int:
    """Rewrite an uploaded file without the subject's rows and cells, or remove it when every row
    was theirs (``done``: the :class:`~hotpass.privacy.dsar_erase.Erasure` counted in); returns the
    rows taken out."""
    path = Path(upload["path"])
    book = read_workbook(path, display_name=upload["name"])
    total = sum(len(s.frame) for s in book.sheets)
    hit_rows = {(p.sheet, int(p.row)) for p in held}
    data_rows = {(s.sheet, int(r)) for s in book.sheets for r in s.frame.index}
    gone = {r for r in rows if r in data_rows}
    if total and len(gone) >= total:
        _remove_upload(ws, upload, done)
        return len(gone)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        data = _rewrite_xlsx(path, matcher, gone, hit_rows, done)
    elif suffix in (".csv", ".txt", ".tsv"):
        data = _rewrite_csv(path, matcher, gone, hit_rows, done)
    else:
        data = _rewrite_frames(book, matcher, gone, done)
        upload = {**upload, "name": Path(upload["name"]).with_suffix(".xlsx").name}
    _replace_upload(ws, upload, data, done)
    return len(gone)


def _cut(value, matcher: Matcher, split_name: bool):
    """A cell without the subject: their email, phone, name cut out (a cell that only held a part of
    their name, in a row where their name is split over cells, emptied)."""
    if matcher.cell(value):
        return matcher.redact(value)
    return None if split_name else value


def _rewrite_xlsx(path: Path, matcher: Matcher, gone: set, hit_rows: set, done) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(path)
    for sheet in book.worksheets:
        for number in sorted({r for s, r in hit_rows if s == sheet.title} - {r for s, r in gone if s == sheet.title}):
            cells = {c.coordinate: c for c in sheet[number]}
            hits = matcher.row({k: c.value for k, c in cells.items()})
            for coordinate, found in hits.items():
                if EXACT in found.values():
                    cells[coordinate].value = _cut(cells[coordinate].value, matcher, True)
                    done.cells += 1
        for number in sorted((r for s, r in gone if s == sheet.title), reverse=True):
            sheet.delete_rows(number)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite_csv(path: Path, matcher: Matcher, gone: set, hit_rows: set, done) -> bytes:
    raw = path.read_bytes()
    text = decode(raw, str(path), Findings())
    delimiter = sniff_delimiter(text[:65_536])[0]
    sheet = next(iter({s for s, _ in gone | hit_rows}), None)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        if (sheet, number) in gone:
            continue
        if (sheet, number) in hit_rows:
            hits = matcher.row({str(i): v for i, v in enumerate(record)})
            for column, found in hits.items():
                if EXACT in found.values():
                    record[int(column)] = _cut(record[int(column)], matcher, True) or ""
                    done.cells += 1
        writer.writerow(record)
    return (b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b"") + out.getvalue().encode("utf-8")


def _rewrite_frames(book, matcher: Matcher, gone: set, done) -> bytes:
    """A file openpyxl cannot write back (xls, Parquet) as a workbook of its sheets, as ingest read them."""
    from openpyxl import Workbook

    out_book = Workbook()
    out_book.remove(out_book.active)
    for source in book.sheets:
        sheet = out_book.create_sheet(source.sheet[:31])
        sheet.append(list(source.columns))
        for number, row in zip(source.frame.index, source.frame.itertuples(index=False), strict=True):
            if (source.sheet, int(number)) in gone:
                continue
            values = list(row)
            hits = matcher.row({str(i): v for i, v in enumerate(values)})
            for column, found in hits.items():
                if EXACT in found.values():
                    values[int(column)] = _cut(values[int(column)], matcher, True)
                    done.cells += 1
            sheet.append(values)
    out = io.BytesIO()
    out_book.save(out)
    return out.getvalue()


def _replace_upload(ws, upload: dict, data: bytes, done) -> None:
    """Keep the rewritten bytes where their hash says, point the upload at them, drop the old file."""
    digest = hashlib.sha256(data).hexdigest()
    relative = f"uploads/{upload['username']}/{digest}/{safe_name(upload['name'])}"
    old = Path(upload["path"])
    _write(Path(ws.directory) / relative, data)
    with ws.transaction():
        ws.execute("UPDATE uploads SET sha256 = ?, size = ?, path = ?, name = ? WHERE upload_id = ?",
                   [digest, len(data), relative, safe_name(upload["name"]), upload["upload_id"]])
        ws._drop_unused(dsar.relative(ws, old))
    done.uploads_rewritten.append(int(upload["upload_id"]))


def _remove_upload(ws, upload: dict, done) -> None:
    """Every row of the file was the subject's: the upload is removed, its file deleted."""
    with ws.transaction():
        ws.execute("UPDATE uploads SET removed_at = ? WHERE upload_id = ?", [now(), upload["upload_id"]])
        ws._drop_unused(dsar.relative(ws, upload["path"]))
    done.uploads_removed.append(int(upload["upload_id"]))
