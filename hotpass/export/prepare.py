"""Prepare a slice of one column for the workbook writer.

Each value becomes ``None`` (blank cell), ``str`` (a text cell), a number or
a ``datetime`` (typed cell), or a :class:`Link`. The work is done once per
column slice so the row loop in :mod:`hotpass.export.sheet` only dispatches.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple
from xml.sax.saxutils import escape

import pandas as pd

from hotpass.export.cells import (
    EXCEL_CELL_LIMIT,
    clean_text,
    has_illegal,
    link_target,
    to_datetime,
    to_number,
    to_text,
    truncate,
    utf16_len,
)
from hotpass.export.table import DATE_KINDS, LINK_KINDS, TEXT_KINDS

#: Internal kind for the Summary sheet's value column: the type of each value decides.
AUTO = "auto"

# In constant_memory mode xlsxwriter copies a string that starts with "<r>" and
# ends with "</r>" into the sheet XML unescaped (it takes it for a rich string),
# so such a value could inject any cell, formulas included. We hand it over as a
# genuine one-run rich string holding the escaped text instead.
_RICH_OPEN = '<r><t xml:space="preserve">'
_RICH_CLOSE = "</t></r>"
#: Excel cannot show dates before this.
EXCEL_EPOCH = datetime(1900, 1, 1)


class Link(NamedTuple):
    """A hyperlink cell: where it points and the text it shows."""

    target: str
    text: str


@dataclass
class PreparedColumn:
    """A column slice ready to write; ``mixed`` when a typed column fell back to text."""

    values: list
    mixed: bool = False


def excel_text(value: str) -> str:
    """``value`` cleaned for a cell and safe from xlsxwriter's raw rich-string path.

    Line breaks become LF (what Excel uses inside a cell; a CR would be
    stored as ``_x000D_``).
    """
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = clean_text(value)
    if value.startswith("<r>") and value.endswith("</r>"):
        wrapped = _RICH_OPEN + escape(value) + _RICH_CLOSE
        if utf16_len(wrapped) <= EXCEL_CELL_LIMIT:
            return wrapped
        # Too long once escaped: cut it instead, so it ends with the marker, not "</r>".
        return truncate(value, utf16_len(value) - 1)
    return value


def prepare_column(series: pd.Series, kind: str) -> PreparedColumn:
    """Convert a column slice of ``kind`` into cell values (see module docstring)."""
    if kind in TEXT_KINDS:
        values = _text_values(series)
        if kind in LINK_KINDS:
            values = [None if v is None else _link_or_text(v, kind) for v in values]
        return PreparedColumn(values)
    if kind in DATE_KINDS and pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _datetime64_values(series)
    raw = series.tolist()
    missing = series.isna().tolist()
    if kind == AUTO:
        return PreparedColumn([None if m else _auto_value(v) for v, m in zip(raw, missing)])
    return _typed_values(raw, missing, kind)


def _text_values(series: pd.Series) -> list:
    """Text cells; empty strings become blanks, and only dirty columns pay for cleaning."""
    if isinstance(series.dtype, pd.StringDtype):
        values = series.to_numpy(dtype=object, na_value=None).tolist()
        if "" in values:
            values = [v or None for v in values]
    else:
        missing = series.isna().tolist()
        values = [
            None if m else ((v or None) if type(v) is str else to_text(v))
            for v, m in zip(series.tolist(), missing)
        ]
    present = list(filter(None, values))
    if not present or _is_clean(present):
        return values
    return [None if v is None else (excel_text(v) or None) for v in values]


def _is_clean(texts: list[str]) -> bool:
    """True when no text needs :func:`excel_text` (checked on the whole slice at once)."""
    if max(map(len, texts)) > EXCEL_CELL_LIMIT // 2:
        return False
    joined = "\n".join(texts)
    if "\r" in joined or joined.startswith("<r>") or "\n<r>" in joined:
        return False
    return not has_illegal(joined)


def _datetime64_values(series: pd.Series) -> PreparedColumn:
    """A datetime64 column: converted in one go; dates before 1900 become text."""
    if getattr(series.dtype, "tz", None) is not None:
        series = series.dt.tz_localize(None)  # keep the wall time, as for single values
    early = (series < EXCEL_EPOCH).tolist()
    missing = series.isna().tolist()
    moments = series.dt.to_pydatetime().tolist()
    if not any(early):
        return PreparedColumn([None if m else v for v, m in zip(moments, missing)])
    values = [None if m else (to_text(v) if e else v) for v, m, e in zip(moments, missing, early)]
    return PreparedColumn(values, mixed=True)


def _link_or_text(value: str, kind: str) -> Link | str:
    """A :class:`Link` when ``value`` is a safe link, else the text itself."""
    target = link_target(value, kind)
    return value if target is None else Link(target, value)


def _typed_values(raw: list, missing: list, kind: str) -> PreparedColumn:
    """Numbers or dates; a value that does not convert is kept as text."""
    is_date = kind in DATE_KINDS
    values: list = []
    mixed = False
    for value, is_missing in zip(raw, missing):
        if is_missing or (type(value) is str and not value.strip()):
            values.append(None)
            continue
        typed = to_datetime(value) if is_date else to_number(value, kind)
        if typed is None:
            typed = excel_text(to_text(value)) or None
            mixed = True
        values.append(typed)
    return PreparedColumn(values, mixed)


def _auto_value(value: object) -> object:
    """Summary values: numbers and dates stay typed, anything else is text."""
    if isinstance(value, datetime | date):
        moment = to_datetime(value)
        if moment is not None:
            return moment
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = to_number(value, "number")
        if number is not None:
            return number
    return excel_text(to_text(value)) or None
