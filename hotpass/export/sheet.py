"""Write one table into one constant_memory worksheet, row by row.

Rows are prepared in slices of :data:`CHUNK_ROWS` (bounded memory at a
million rows) and written through one precomputed writer per column, so the
inner loop is a list lookup and a call per non-blank cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from hotpass.export.layout import WIDTH_SAMPLE, fit_width
from hotpass.export.prepare import AUTO, Link, PreparedColumn, excel_text, prepare_column
from hotpass.export.table import DATE_KINDS, LINK_KINDS, TEXT_KINDS

#: Rows prepared and written per slice (and per progress report).
CHUNK_ROWS = 10_000
#: Excel's limit on hyperlinks in one worksheet.
EXCEL_LINK_LIMIT = 65_530
#: Widest column Excel allows.
EXCEL_MAX_WIDTH = 255.0

CellWriter = Callable[[int, int, object, Format | None], object]


#: Fill colour of header cells (dark teal); header text is bold white.
HEADER_FILL = "#115E67"
#: Excel number formats per column kind (text kinds have none).
NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "integer": "0",
    "number": "#,##0.00",
    "percent": "0.0%",
}


#: Cell formats a conditional rule may name with ``"format": "<name>"``.
NAMED_FORMATS = {
    "bad": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "good": {"bg_color": "#C6EFCE", "font_color": "#006100"},
}


@dataclass
class Styles:
    """The formats of one workbook: the header and one per typed column kind."""

    header: Format
    by_kind: dict[str, Format]
    named: dict[str, Format] | None = None  # formats conditional rules may name: "bad", "good"

    @classmethod
    def create(cls, workbook: Workbook) -> Styles:
        """Register the header and number formats with ``workbook``."""
        header = workbook.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "valign": "top"}
        )
        by_kind = {k: workbook.add_format({"num_format": f}) for k, f in NUMBER_FORMATS.items()}
        named = {name: workbook.add_format(spec) for name, spec in NAMED_FORMATS.items()}
        return cls(header, by_kind, named)


@dataclass
class SheetSpec:
    """What to write: headers, per-column kinds and fixed widths (None = fit)."""

    headers: list[str]
    kinds: list[str]
    widths: list[float | None]
    conditional: list[tuple[int, dict]] | None = None  # (column index, conditional_format options)


class LinkWriter:
    """Writes :class:`Link` cells as hyperlinks until the worksheet's limit, then as text."""

    def __init__(self, worksheet: Worksheet):
        self.worksheet = worksheet
        self.remaining = EXCEL_LINK_LIMIT

    def write(self, row: int, col: int, value: object, fmt: Format | None) -> None:
        """Write ``value``: a hyperlink if it is a Link and the budget allows."""
        if type(value) is not Link:
            self.worksheet.write_string(row, col, value, fmt)
            return
        if self.remaining > 0:
            self.remaining -= 1
            try:
                if self.worksheet.write_url(row, col, value.target, None, value.text) == 0:
                    return
            except ValueError:  # a target xlsxwriter refuses: show it as text
                pass
        self.worksheet.write_string(row, col, value.text, fmt)


def write_sheet(
    worksheet: Worksheet,
    frame: pd.DataFrame,
    spec: SheetSpec,
    styles: Styles,
    on_rows: Callable[[int], None],
) -> int:
    """Write ``frame`` under a styled header; return a rough size of the sheet XML in bytes."""
    for col, header in enumerate(spec.headers):
        worksheet.write_string(0, col, excel_text(header), styles.header)
    formats = [styles.by_kind.get(kind) for kind in spec.kinds]
    links = LinkWriter(worksheet)
    size = 0
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        columns = [prepare_column(chunk.iloc[:, i], k) for i, k in enumerate(spec.kinds)]
        if start == 0:
            _set_widths(worksheet, spec, [c.values[:WIDTH_SAMPLE] for c in columns])
            size = _estimate_bytes(columns, len(frame))
        writers = [_writer(worksheet, k, c, links, styles) for k, c in zip(spec.kinds, columns)]
        _write_rows(start + 1, [c.values for c in columns], writers, formats)
        on_rows(len(chunk))
    if len(frame) == 0:
        _set_widths(worksheet, spec, [[] for _ in spec.headers])
    _finish(worksheet, len(frame), len(spec.headers))
    for col, options in spec.conditional or ():
        if len(frame):
            rule = dict(options)
            if isinstance(rule.get("format"), str):
                rule["format"] = (styles.named or {})[rule["format"]]
            worksheet.conditional_format(1, col, len(frame), col, rule)
    return size


def _write_rows(first_row: int, columns: list[list], writers: list, formats: list) -> None:
    """The hot loop: one call per non-blank cell, rows in order (constant_memory)."""
    for row, values in enumerate(zip(*columns), start=first_row):
        for col, value in enumerate(values):
            if value is not None:
                writers[col](row, col, value, formats[col])


def _writer(
    worksheet: Worksheet, kind: str, column: PreparedColumn, links: LinkWriter, styles: Styles
) -> CellWriter:
    """The cell writer for one column slice."""
    if kind in LINK_KINDS:
        return links.write
    if kind in TEXT_KINDS:
        return worksheet.write_string
    if kind == AUTO:
        return _auto_writer(worksheet, styles)
    typed = worksheet.write_datetime if kind in DATE_KINDS else worksheet.write_number
    if not column.mixed:
        return typed
    write_string = worksheet.write_string

    def write_mixed(row: int, col: int, value: object, fmt: Format | None) -> None:
        """Text fallbacks as strings, the rest typed."""
        if type(value) is str:
            write_string(row, col, value)
        else:
            typed(row, col, value, fmt)

    return write_mixed


def _auto_writer(worksheet: Worksheet, styles: Styles) -> CellWriter:
    """Writer for Summary values: the format follows each value's type."""
    fmt = styles.by_kind

    def write_auto(row: int, col: int, value: object, _fmt: Format | None) -> None:
        """One Summary value, formatted by its type."""
        if type(value) is str:
            worksheet.write_string(row, col, value)
        elif isinstance(value, datetime):
            kind = "datetime" if value.time() else "date"
            worksheet.write_datetime(row, col, value, fmt[kind])
        else:
            kind = "integer" if isinstance(value, int) else "number"
            worksheet.write_number(row, col, value, fmt[kind])

    return write_auto


def _set_widths(worksheet: Worksheet, spec: SheetSpec, samples: list[list]) -> None:
    """Fixed widths where given, else widths fitted to the header and sampled values."""
    for col, (header, kind, fixed, sample) in enumerate(
        zip(spec.headers, spec.kinds, spec.widths, samples)
    ):
        width = fixed if fixed is not None else fit_width(header, sample, kind)
        worksheet.set_column(col, col, min(max(float(width), 0.0), EXCEL_MAX_WIDTH))


def _finish(worksheet: Worksheet, rows: int, cols: int) -> None:
    """Freeze the header row and put a filter over the used range."""
    worksheet.freeze_panes(1, 0)
    if cols:
        worksheet.autofilter(0, 0, rows, cols - 1)


def _estimate_bytes(columns: list[PreparedColumn], rows: int) -> int:
    """Rough size of the sheet XML, from the first slice, to decide on ZIP64."""
    sampled = max(len(columns[0].values), 1) if columns else 1
    text = sum(len(v) for c in columns for v in c.values if type(v) is str)
    return rows * 60 * len(columns) + text * rows // sampled
