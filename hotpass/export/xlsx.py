"""The workbook deliverable: styled sheets written by xlsxwriter in constant_memory mode.

Text is always written with ``write_string`` and the workbook refuses to
guess formulas, URLs or numbers from strings, so no value can become a
formula. The creation date is fixed, so the same tables give the same bytes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from hotpass.errors import ExportError
from hotpass.export.atomic import atomic_path
from hotpass.export.layout import sheet_names
from hotpass.export.prepare import AUTO
from hotpass.export.sheet import SheetSpec, Styles, write_sheet
from hotpass.export.table import Table

#: Options every workbook is created with.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}
#: Fixed document creation date, so output is deterministic.
CREATED = datetime(2000, 1, 1)
#: Name of the optional last sheet of metrics.
SUMMARY_SHEET = "Summary"
#: Data rows and columns one worksheet can hold (row 1 is the header).
MAX_DATA_ROWS, MAX_COLUMNS = 1_048_575, 16_384
#: Above this estimated size the zip container needs ZIP64 extensions.
ZIP64_THRESHOLD = 3_500_000_000
#: Share of the progress bar spent writing rows; the rest is compressing.
ROWS_SHARE = 0.95


def write_workbook(
    path: os.PathLike | str,
    tables: list[Table],
    summary: list[tuple[str, object]] | None = None,
    progress: Callable[[float], None] | None = None,
    scorecard: pd.DataFrame | None = None,
) -> Path:
    """Write ``tables`` as styled sheets of an .xlsx file at ``path``; return the path.

    A ``Summary`` sheet (Metric | Value) follows the tables when ``summary``
    is given; a ``scorecard`` (columns measure, raw, refined, unit: "share"
    or "count") is written below it as a before/after table. ``progress`` receives fractions from 0 to 1 as rows are
    written. Raises :class:`~hotpass.errors.ExportError` naming the file when
    it cannot be written; no partial file is left behind.
    """
    target = Path(path)
    sheets = _plan(tables, summary)
    _check_limits(target, sheets)
    report = _Progress(progress, sum(len(frame) for _, frame, _ in sheets))
    with atomic_path(target) as temp, _row_files(temp) as rows_dir:
        # constant_memory's row files (the data) go beside the workbook, not in the system's temp
        # folder: removed when writing ends, and a killed run leaves them in its staging folder,
        # which the next run removes
        workbook = xlsxwriter.Workbook(str(temp), {**WORKBOOK_OPTIONS, "tmpdir": rows_dir})
        try:
            styles = Styles.create(workbook)
            size = 0
            for name, frame, spec in sheets:
                worksheet = workbook.add_worksheet(name)
                size += write_sheet(worksheet, frame, spec, styles, report.rows)
                if name == SUMMARY_SHEET and scorecard is not None and len(scorecard):
                    _write_scorecard(workbook, worksheet, len(frame) + 2, scorecard, styles)
            workbook.set_properties({"created": CREATED})
            if size > ZIP64_THRESHOLD:
                workbook.use_zip64()
            workbook.close()
        except XlsxWriterException as error:
            raise ExportError(f"{target}: cannot write: {error}") from error
    report.finish()
    return target


@contextmanager
def _row_files(temp: Path) -> Iterator[str]:
    """A private folder beside ``temp`` for xlsxwriter's row files, removed afterwards."""
    folder = tempfile.mkdtemp(prefix=f"{temp.name}.rows-", dir=temp.parent)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _plan(
    tables: list[Table], summary: list[tuple[str, object]] | None
) -> list[tuple[str, pd.DataFrame, SheetSpec]]:
    """Sheet name, frame and spec for every sheet, in workbook order."""
    reserved = [SUMMARY_SHEET] if summary is not None else []
    names = sheet_names([t.name for t in tables], reserved)
    sheets = [(name, t.frame, _spec(t)) for name, t in zip(names, tables)]
    if summary is not None:
        sheets.append((SUMMARY_SHEET, *_summary_sheet(summary)))
    return sheets


def _spec(table: Table) -> SheetSpec:
    """Headers, kinds and fixed widths of ``table``'s columns."""
    columns = list(table.frame.columns)
    return SheetSpec(
        headers=table.headers(),
        kinds=[table.kind_of(c) for c in columns],
        widths=[table.widths.get(c) for c in columns],
        conditional=[(columns.index(c), o) for c, o in table.conditional.items() if c in columns],
    )


def _summary_sheet(summary: list[tuple[str, object]]) -> tuple[pd.DataFrame, SheetSpec]:
    """The Summary sheet: metric names as text, values typed by their own type."""
    frame = pd.DataFrame(
        {"Metric": [str(k) for k, _ in summary], "Value": [v for _, v in summary]}, dtype=object
    )
    return frame, SheetSpec(["Metric", "Value"], ["text", AUTO], [None, None])


SCORECARD_HEADERS = ("Before / after", "Raw input", "Refined", "Change")


def _write_scorecard(workbook, worksheet, first_row: int, scorecard: pd.DataFrame,
                     styles: Styles) -> None:
    """The before/after table under the Summary metrics: shares as percentages, counts as integers."""
    for col, header in enumerate(SCORECARD_HEADERS):
        worksheet.write_string(first_row, col, header, styles.header)
    points = workbook.add_format({"num_format": '+0.0" pp";-0.0" pp";0.0" pp"'})
    signed = workbook.add_format({"num_format": "+#,##0;-#,##0;0"})
    for row, item in enumerate(scorecard.itertuples(index=False), start=first_row + 1):
        share = item.unit == "share"
        fmt = styles.by_kind["percent" if share else "integer"]
        worksheet.write_string(row, 0, str(item.measure))
        for col, value in ((1, item.raw), (2, item.refined)):
            if value is not None and not pd.isna(value):
                worksheet.write_number(row, col, float(value), fmt)
        if not (pd.isna(item.raw) or pd.isna(item.refined)):
            change = (item.refined - item.raw) * (100 if share else 1)
            worksheet.write_number(row, 3, float(change), points if share else signed)
    worksheet.set_column(2, 3, 12)


def _check_limits(target: Path, sheets: list[tuple[str, pd.DataFrame, SheetSpec]]) -> None:
    """Refuse, before writing anything, a table too big for one worksheet."""
    for name, frame, _ in sheets:
        rows, cols = frame.shape
        if rows > MAX_DATA_ROWS or cols > MAX_COLUMNS:
            raise ExportError(
                f"{target}, sheet {name!r}: {rows:,} rows x {cols:,} columns does not fit a "
                f"worksheet (at most {MAX_DATA_ROWS:,} x {MAX_COLUMNS:,}); export CSV or Parquet"
            )


class _Progress:
    """Turns rows written into fractions for an optional callback."""

    def __init__(self, callback: Callable[[float], None] | None, total_rows: int):
        self.callback = callback
        self.total = max(total_rows, 1)
        self.done = 0
        self._send(0.0)

    def rows(self, count: int) -> None:
        """Record ``count`` more rows written."""
        self.done += count
        self._send(ROWS_SHARE * min(self.done / self.total, 1.0))

    def finish(self) -> None:
        """Report completion."""
        self._send(1.0)

    def _send(self, fraction: float) -> None:
        """Pass ``fraction`` on, if anyone listens."""
        if self.callback is not None:
            self.callback(fraction)
