"""Flat deliverables: one CSV or Parquet file per table.

CSV files are UTF-8 with a byte-order mark (so Excel detects the encoding
when the file is double-clicked), ``\\n`` line endings and minimal quoting;
every text cell goes through :func:`csv_safe` so a spreadsheet app opening
the file never evaluates a formula, and line breaks inside a cell become
``\\n`` (Python's csv writer would leave a bare CR unquoted). Parquet keeps
the frame's own column types, with text columns stored as strings. Both are
deterministic: the same tables give byte-identical files.

The files of one call are all written to temporary files first and moved
into place together at the end, so a failure leaves none of them behind.
"""

from __future__ import annotations

import csv
import os
from contextlib import ExitStack
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hotpass.export.atomic import atomic_path, export_error
from hotpass.export.cells import csv_safe, to_number, to_text
from hotpass.export.layout import file_stems
from hotpass.export.table import NUMBER_KINDS, TEXT_KINDS, Table

#: Encoding of CSV files: UTF-8 with a BOM, which Excel needs to read UTF-8.
CSV_ENCODING = "utf-8-sig"
#: Rows formatted per slice when writing CSV (bounded memory).
CSV_CHUNK_ROWS = 50_000


def write_csv(directory: os.PathLike | str, tables: list[Table]) -> list[Path]:
    """Write ``<name>.csv`` per table into ``directory`` (created if missing)."""
    return _write_all(directory, tables, "csv", _write_one_csv)


def write_parquet(directory: os.PathLike | str, tables: list[Table]) -> list[Path]:
    """Write ``<name>.parquet`` per table into ``directory`` (created if missing)."""
    return _write_all(directory, tables, "parquet", _write_one_parquet)


def _write_all(directory, tables: list[Table], suffix: str, write_one) -> list[Path]:
    """Write every table through its own temp file; move them all into place at the end."""
    folder = Path(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise export_error(folder, error) from error
    paths = [folder / f"{stem}.{suffix}" for stem in file_stems(t.name for t in tables)]
    with ExitStack() as stack:
        for table, path in zip(tables, paths):
            temp = stack.enter_context(atomic_path(path))
            try:
                write_one(temp, table)
            except OSError as error:
                raise export_error(path, error) from error
    return paths


def _write_one_csv(path: Path, table: Table) -> None:
    """One table as CSV."""
    frame = table.frame
    kinds = [table.kind_of(c) for c in frame.columns]
    with open(path, "w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([_one_line_ending(csv_safe(h)) for h in table.headers()])
        for start in range(0, len(frame), CSV_CHUNK_ROWS):
            chunk = frame.iloc[start : start + CSV_CHUNK_ROWS]
            columns = [_csv_column(chunk.iloc[:, i], k) for i, k in enumerate(kinds)]
            writer.writerows(zip(*columns))


def _csv_column(series: pd.Series, kind: str) -> list[str]:
    """Cells of one column slice as CSV text."""
    missing = series.isna().tolist()
    return ["" if m else _csv_cell(v, kind) for v, m in zip(series.tolist(), missing)]


def _csv_cell(value: object, kind: str) -> str:
    """One value as CSV text: numbers and dates in plain ISO/decimal form, text made safe."""
    if isinstance(value, str):
        if kind in NUMBER_KINDS and to_number(value, "number") is not None:
            return value  # a plain decimal like "-2.5" is a number, not a formula
        return _one_line_ending(csv_safe(value))
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return _csv_float(value, kind)
    if isinstance(value, datetime):
        if kind == "date" and value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | int):
        return to_text(value)
    return _one_line_ending(csv_safe(to_text(value)))


def _one_line_ending(text: str) -> str:
    """CR and CRLF inside a cell become LF, which the writer quotes (a bare CR it would not)."""
    if "\r" in text:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _csv_float(value: float, kind: str) -> str:
    """A float in the shortest form that reads back exactly (``5.0`` -> ``5``)."""
    if value.is_integer() and (kind == "integer" or kind in TEXT_KINDS):
        return str(int(value))
    return repr(value)


def _write_one_parquet(path: Path, table: Table) -> None:
    """One table as Parquet (no index, no pandas metadata: deterministic)."""
    frame = table.frame
    arrays = [
        _arrow_column(frame.iloc[:, i], table.kind_of(c)) for i, c in enumerate(frame.columns)
    ]
    names = _unique_names(table.headers())
    pq.write_table(pa.Table.from_arrays(arrays, names=names), path)


def _arrow_column(series: pd.Series, kind: str) -> pa.Array:
    """Text kinds as strings; other kinds as pyarrow infers them, else as strings."""
    if kind not in TEXT_KINDS:
        try:
            return pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            pass
    try:
        return pa.array(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        missing = series.isna().tolist()
        values = [None if m else to_text(v) for v, m in zip(series.tolist(), missing)]
        return pa.array(values, type=pa.string())


def _unique_names(headers: list[str]) -> list[str]:
    """Column names made unique (``name``, ``name_2``...), as Parquet readers expect."""
    seen: set[str] = set()
    result = []
    for header in headers:
        name, number = header, 1
        while name in seen:
            number += 1
            name = f"{header}_{number}"
        seen.add(name)
        result.append(name)
    return result
