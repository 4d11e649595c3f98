"""Parse one spreadsheet file, normally inside a memory-limited child process.

This module is run as a script (``python -P _child.py``) by
:mod:`hotpass.ingest.isolation`; it reads a JSON job on stdin and writes a
pickled result on stdout. It imports only the standard library and its sibling
:mod:`hotpass.ingest._cellscan` (standard library too) at the top and the
reader libraries inside functions, so the child starts fast and never imports
the rest of Hotpass. A crafted file that makes a reader abort (a Rust
allocation failure inside calamine kills the whole process) therefore only
kills the child.

The same :func:`parse_job` runs in-process when isolation is switched off.

Result (plain lists, strings, bytes and ints only, so the parent can unpickle
it with every class lookup forbidden)::

    {"ok": True, "sheets": [sheet, ...]}
    {"ok": False, "error": "password" | "corrupt" | "limit" | "memory" | "failed", "message": str}

    sheet = {"name": str, "visible": str, "first_col": int,
             "rows": bytes (array "q" of Excel row numbers of non-empty rows),
             "columns": [encoded column, ...], "merged": [(r0, c0, r1, c1), ...],
             "header": [str, ...] | None,
             "cells": [(row, col, "no_value" | "error", text), ...], "cell_total": int}

    A successful result may carry ``"notes": [(code, message), ...]`` (a check
    that could not run). ``cells`` lists formulas without a cached value and
    error values (see :mod:`hotpass.ingest._cellscan`).
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import os
import pickle
import sys
from array import array
from itertools import compress

if __package__:
    from hotpass.ingest import _cellscan
else:  # run as a script with -P: find the sibling module after the standard library
    sys.path.append(os.path.dirname(os.path.abspath(__file__)))
    import _cellscan

RESULT_MAGIC = b"HPINGEST1\n"
_SEP = "\x00"


class LimitError(Exception):
    """A sheet holds more rows or columns than the settings allow."""

    def __init__(self, what: str, rows: int, columns: int, limits: dict):
        super().__init__(
            f"{what} holds {rows} rows x {columns} columns, more than {limits['max_rows']} x "
            f"{limits['max_columns']} (settings ingest.max_rows / ingest.max_columns)"
        )


def to_text(value) -> str | None:
    """One cell value as text: numbers exact, dates ISO, booleans TRUE/FALSE, '' -> None."""
    kind = type(value)
    if kind is str:
        return value.strip() or None
    if value is None:
        return None
    if kind is float:
        return _float_text(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if kind is int:
        return str(value)
    if isinstance(value, _dt.datetime):
        if value.hour or value.minute or value.second or value.microsecond or value.tzinfo:
            return value.isoformat()
        return value.date().isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").strip() or None
    return str(value).strip() or None


def _float_text(value: float) -> str | None:
    """Shortest exact text of a float; integers below 1e15 without '.0' or exponent."""
    if value.is_integer() and -1e15 < value < 1e15:
        return str(int(value))
    if value != value:  # NaN
        return None
    text = repr(value)
    if len(text) > 17 and "e" not in text:  # binary noise beyond Excel's 15 significant digits
        short = format(value, ".15g")
        if "e" not in short:
            return short
    return text[:-2] if text.endswith(".0") else text


def _encode_column(values: list) -> object:
    """A text column as ``(joined, length)``, fast to pickle; the plain list if a value holds NUL.

    Text values are never empty strings (empty cells are None), so an empty
    field in ``joined`` always stands for None.
    """
    joined = _SEP.join([v or "" for v in values] if None in values else values)
    if joined.count(_SEP) != max(len(values) - 1, 0):
        return list(values)
    return (joined, len(values))


def _pack(name: str, visible: str, columns: list[list], numbers: list[int], **extra) -> dict:
    """Drop fully empty rows from text columns and encode each column compactly."""
    first = columns[0] if columns else []
    empty = {i for i, v in enumerate(first) if v is None and all(c[i] is None for c in columns)}
    if empty:
        keep = [i not in empty for i in range(len(numbers))]
        columns = [list(compress(column, keep)) for column in columns]
        numbers = list(compress(numbers, keep))
    if not numbers or not columns:
        columns, numbers = [], []
    return {
        "name": name,
        "visible": visible,
        "rows": array("q", numbers).tobytes(),
        "columns": [_encode_column(c) for c in columns],
        "first_col": extra.get("first_col", 0),
        "merged": extra.get("merged", []),
        "header": extra.get("header"),
        "cells": [],
        "cell_total": 0,
    }


def text_column(values) -> list:
    """Convert one column of reader values to text.

    Columns of strings take a fast path; columns that repeat values (dates,
    codes, amounts) convert each distinct value once. Booleans compare equal
    to 1 and 0, so a column mixing them with numbers is converted value by value.
    """
    types = set(map(type, values))
    if types == {str}:
        return [v.strip() or None for v in values]
    distinct = set(values)
    if len(distinct) * 2 > len(values) or (bool in types and (int in types or float in types)):
        conv, floats = to_text, _float_text
        return [floats(v) if type(v) is float else conv(v) for v in values]
    mapping = {v: to_text(v) for v in distinct}
    return list(map(mapping.__getitem__, values))


def _read_calamine_sheet(book, meta, limits: dict) -> dict | None:
    """One worksheet as a packed sheet, or None for chart/macro sheets."""
    if "WorkSheet" not in str(meta.typ):
        return None
    sheet = book.get_sheet_by_name(meta.name)
    if sheet.height > limits["max_rows"] or sheet.width > limits["max_columns"]:
        raise LimitError(f"sheet {meta.name!r}", sheet.height, sheet.width, limits)
    start = sheet.start or (0, 0)
    raw = sheet.to_python(skip_empty_area=True)
    numbers = list(range(start[0] + 1, start[0] + 1 + len(raw)))
    merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
    visible = str(meta.visible).rsplit(".", 1)[-1]
    columns = [text_column(column) for column in zip(*raw)]
    del raw
    return _pack(meta.name, visible, columns, numbers, first_col=start[1], merged=merged)


def parse_excel(path: str, limits: dict) -> dict:
    """Every worksheet of an xlsx/xlsm/xls file, read with python-calamine."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(path)
    try:
        sheets = [_read_calamine_sheet(book, meta, limits) for meta in book.sheets_metadata]
    finally:
        book.close()
    sheets = [s for s in sheets if s is not None]
    found, problem = _cellscan.scan_workbook(path, [s["name"] for s in sheets])
    for sheet in sheets:
        sheet["cells"], sheet["cell_total"] = found.get(sheet["name"], ([], 0))
    notes = [("ingest.formula_check_skipped", problem)] if problem else []
    return {"ok": True, "sheets": sheets, "notes": notes}


def parse_parquet(path: str, limits: dict) -> dict:
    """A parquet file as one sheet named 'parquet'; header from the schema."""
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as handle:
        meta = handle.metadata
        if meta.num_rows > limits["max_rows"] or meta.num_columns > limits["max_columns"]:
            raise LimitError("the file", meta.num_rows, meta.num_columns, limits)
        table = handle.read()
    names = [str(n) for n in table.column_names]
    columns = [text_column(table.column(i).to_pylist()) for i in range(len(names))]
    numbers = list(range(1, table.num_rows + 1))
    return {"ok": True, "sheets": [_pack("parquet", "Visible", columns, numbers, header=names)]}


def _classify(exc: BaseException) -> tuple[str, str]:
    """Map a reader exception to an error kind and a one-line message (no traceback)."""
    name = type(exc).__name__
    text = " ".join(str(exc).split())[:300]
    if isinstance(exc, LimitError):
        return "limit", text
    if isinstance(exc, MemoryError):
        return "memory", "the reader ran out of memory"
    if name == "PasswordError" or "password" in text.lower() or "encrypt" in text.lower():
        return "password", text
    if name in {"ZipError", "XmlError", "CalamineError", "ArrowInvalid", "ArrowIOError", "OSError"}:
        return "corrupt", f"{name}: {text}" if text else name
    return "failed", f"{name}: {text}" if text else name


def parse_job(job: dict) -> dict:
    """Run one job ({"kind": "excel"|"parquet", "path": ..., "limits": {...}}); never raises."""
    try:
        if job["kind"] == "parquet":
            return parse_parquet(job["path"], job["limits"])
        return parse_excel(job["path"], job["limits"])
    except BaseException as exc:  # noqa: BLE001 - the parent decides what to raise
        if isinstance(exc, KeyboardInterrupt):
            raise
        kind, message = _classify(exc)
        return {"ok": False, "error": kind, "message": message}


def _limit_memory(megabytes: int | None) -> None:
    """Cap the address space of this process and switch off core dumps."""
    try:
        import resource
    except ImportError:  # not on POSIX: run without a limit
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if megabytes:
        limit = int(megabytes) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main() -> int:
    """Child entry point: JSON job on stdin, magic + pickled result on stdout."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but the result may reach the parent's pipe
    job = json.loads(sys.stdin.buffer.read())
    _limit_memory(job.get("memory_mb"))
    gc.disable()  # a short-lived process building millions of objects: collection is wasted work
    result = parse_job(job)
    out.write(RESULT_MAGIC)
    pickle.dump(result, out, protocol=5)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
