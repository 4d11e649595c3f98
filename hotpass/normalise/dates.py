"""Dates -> ISO ``YYYY-MM-DD``.

Read: ISO dates and timestamps, day-first numeric dates (the South African
convention: "01/03/2024" is 1 March; month-first is tried only when day-first
is impossible), month names ("1 March 2024", "Mar 1, 2024", "01-Mar-24"),
``YYYYMMDD`` and Excel serial numbers ("45352" is 2024-03-01). Two-digit
years below 70 are 20xx, others 19xx.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from hotpass.normalise.result import MISSING, Result, clean_text

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[AaPp][Mm])?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$")
_DAY_FIRST = re.compile(rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}|\d{{2}}){_TIME}$")
_COMPACT = re.compile(r"^(19\d{2}|20\d{2})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
_TRAILING_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp][Mm])?$")
_NAMED_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d %b %y", "%d %B %y")
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (10_000, 80_000)


def normalise_date(value: str) -> Result:
    """The date in ``value`` as ISO text; unreadable dates kept with ``date.invalid``."""
    text = clean_text(value)
    if not text:
        return MISSING
    parsed = parse_date(text)
    if parsed is None:
        return Result((text,), None if text == value else "date.whitespace", "date.invalid")
    iso = parsed.isoformat()
    return Result((iso,), None if iso == value else "date.iso")


def parse_date(text: str) -> date | None:
    """The date written in ``text``, or None."""
    for reader in (_read_iso, _read_day_first, _read_compact, _read_serial, _read_named):
        found = reader(text)
        if found is not None:
            return found
    return None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _read_iso(text: str) -> date | None:
    match = _ISO.match(text)
    return _make(*map(int, match.groups())) if match else None


def _read_day_first(text: str) -> date | None:
    match = _DAY_FIRST.match(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if len(match.group(3)) == 2:
        year += 2000 if year < 70 else 1900
    return _make(year, month, day) or _make(year, day, month)


def _read_compact(text: str) -> date | None:
    match = _COMPACT.match(text)
    return _make(*map(int, match.groups())) if match else None


def _read_serial(text: str) -> date | None:
    match = _SERIAL.match(text)
    if not match or not _SERIAL_RANGE[0] <= int(match.group(1)) <= _SERIAL_RANGE[1]:
        return None
    return _EXCEL_EPOCH + timedelta(days=int(match.group(1)))


def _read_named(text: str) -> date | None:
    cleaned = _TRAILING_TIME.sub("", _ORDINAL.sub("", _WEEKDAY.sub("", text)))
    cleaned = re.sub(r"[,.\-/]+", " ", cleaned)
    cleaned = re.sub(r"\bsept\b", "sep", " ".join(cleaned.split()), flags=re.IGNORECASE)
    if len(cleaned) > 40:
        return None
    for pattern in _NAMED_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None
