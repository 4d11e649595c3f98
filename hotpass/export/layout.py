"""Names and sizes: Excel-safe sheet names, file stems, fitted column widths."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from hotpass.export.cells import strip_illegal

#: Excel's limit on a sheet name's length.
SHEET_NAME_LIMIT = 31
#: Bounds of a fitted column width, in characters.
MIN_WIDTH, MAX_WIDTH = 8.0, 60.0
#: How many values per column are looked at to fit its width.
WIDTH_SAMPLE = 2_000

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILE_FORBIDDEN = re.compile(r"[^\w.-]+|_{2,}")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in range(10)
}


def sheet_names(names: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """Excel-safe, case-insensitively unique sheet names for ``names``, in order.

    Removes ``[]:*?/\\`` and control characters, trims apostrophes at the
    ends, avoids Excel's reserved ``History``, cuts to 31 characters and
    appends `` (2)``, `` (3)``... to repeats. ``reserved`` names are taken.
    """
    taken = {name.casefold() for name in reserved}
    result = []
    for name in names:
        base = _sheet_base(str(name))
        unique = _unique(base, taken, lambda b, n: f"{b[: SHEET_NAME_LIMIT - len(n)]}{n}", " ({})")
        taken.add(unique.casefold())
        result.append(unique)
    return result


def _sheet_base(name: str) -> str:
    """One name cleaned to Excel's rules, before de-duplication."""
    base = strip_illegal(_SHEET_FORBIDDEN.sub("", name)).strip().strip("'").strip()
    if not base:
        base = "Sheet"
    if base.casefold() == "history":
        base = "History_"
    return base[:SHEET_NAME_LIMIT]


def file_stems(names: Iterable[str]) -> list[str]:
    """Lower-case, filesystem-safe, unique file stems (spaces become ``_``)."""
    taken: set[str] = set()
    result = []
    for name in names:
        base = strip_illegal(str(name)).strip().lower().replace(" ", "_")
        base = _FILE_FORBIDDEN.sub("_", _FILE_FORBIDDEN.sub("_", base))
        base = base.strip("._")[:100] or "table"
        if base in _WINDOWS_RESERVED:
            base += "_"
        unique = _unique(base, taken, lambda b, n: b + n, "_{}")
        taken.add(unique)
        result.append(unique)
    return result


def _unique(base: str, taken: set[str], join, pattern: str) -> str:
    """``base``, or ``join(base, pattern.format(n))`` for the first free n >= 2."""
    candidate, number = base, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = join(base, pattern.format(number))
    return candidate


def text_width(value: str) -> int:
    """Display width of ``value`` in characters (East Asian wide characters count 2)."""
    if "\n" in value:
        return max(text_width(line) for line in value.split("\n"))
    if value.isascii() or len(value) > 4 * MAX_WIDTH:
        return len(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def shown_width(value: object, kind: str) -> int:
    """Width of a prepared cell value as the column's number format shows it."""
    if isinstance(value, str):
        return text_width(value)
    if isinstance(value, tuple):  # a Link: the text shown
        return text_width(value[1])
    if isinstance(value, datetime):
        return 16 if kind == "datetime" or (kind != "date" and value.time()) else 10
    if kind == "percent":
        return len(f"{value:.1%}")
    if kind == "integer" or isinstance(value, int):
        return len(f"{value:.0f}")
    return len(f"{value:,.2f}")


def fit_width(header: str, values: list, kind: str) -> float:
    """Column width for ``header`` and a sample of prepared values, in [8, 60]."""
    longest = max((shown_width(v, kind) for v in values if v is not None), default=0)
    width = max(text_width(header) * 1.1 + 3.0, longest + 2.0)  # header: bold + filter button
    return round(min(max(width, MIN_WIDTH), MAX_WIDTH), 1)
