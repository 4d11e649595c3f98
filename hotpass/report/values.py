"""Read a report dict defensively and format its numbers the same way everywhere.

Every key of a report may be missing, ``None`` or of the wrong shape; these
helpers turn that into empty lists and dicts, and format missing numbers as
``"–"``, so the renderers never crash on a partial report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

DASH = "–"
TABLE_ORDER = ("organisations", "contacts")
TOTAL_LABELS = {
    "source_rows": "Source rows",
    "organisation_records": "Organisation records",
    "contact_records": "Contact records",
    "organisations": "Organisations",
    "contacts": "Contacts",
}


def section(report: Mapping, key: str) -> dict:
    """``report[key]`` if it is a mapping, else ``{}``."""
    value = report.get(key) if isinstance(report, Mapping) else None
    return dict(value) if isinstance(value, Mapping) else {}


def rows(report: Mapping, key: str) -> list[dict]:
    """``report[key]`` as a list of mappings (anything else is skipped)."""
    value = report.get(key) if isinstance(report, Mapping) else None
    if not isinstance(value, list | tuple):
        return []
    return [dict(row) for row in value if isinstance(row, Mapping)]


def items(value: object) -> list:
    """``value`` as a list: a list or array as it is, a scalar as ``[value]``, None as ``[]``."""
    if value is None:
        return []
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy arrays, pandas series
        value = value.tolist()
    return list(value) if isinstance(value, list | tuple) else [value]


def text(value: object) -> str:
    """Plain text for a cell; None becomes ``""``."""
    return "" if value is None else str(value)


def number(value: object) -> float | None:
    """``value`` as a finite float, or None when it is missing or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def count(value: object) -> str:
    """``7581`` -> ``"7,581"``; fractional values keep one decimal."""
    result = number(value)
    if result is None:
        return DASH
    return f"{result:,.0f}" if result == int(result) else f"{result:,.1f}"


def share(value: object) -> str:
    """A share 0..1 as a percentage: ``0.93`` -> ``"93.0%"``."""
    result = number(value)
    return DASH if result is None else f"{result * 100:.1f}%"


def percent(value: object) -> str:
    """A value already in percent (0..100): ``0.06`` -> ``"0.06%"``, ``12.5`` -> ``"12.5%"``."""
    result = number(value)
    if result is None:
        return DASH
    return f"{result:.2f}%" if abs(result) < 1 else f"{result:.1f}%"


def decimal(value: object) -> str:
    """A score or other measure: one decimal, thousands separated."""
    result = number(value)
    return DASH if result is None else f"{result:,.1f}"


def measure(value: object, unit: object) -> str:
    """A scorecard value in its unit: ``share`` as a percentage, ``count`` with separators."""
    if unit == "share":
        return share(value)
    if unit == "count":
        return count(value)
    return decimal(value)


def change(raw: object, refined: object, unit: object) -> str:
    """Refined minus raw: ``"+87.0 pp"`` for shares, ``"-2,481"`` for counts."""
    before, after = number(raw), number(refined)
    if before is None or after is None:
        return DASH
    delta = after - before
    if unit == "share":
        return f"{delta * 100:+.1f} pp"
    if unit == "count":
        return f"{delta:+,.0f}" if delta == int(delta) else f"{delta:+,.1f}"
    return f"{delta:+,.1f}"


def label(key: object) -> str:
    """A readable label for a key: ``"organisation_records"`` -> ``"Organisation records"``."""
    name = text(key)
    return TOTAL_LABELS.get(name) or name.replace("_", " ").capitalize()


def tables_of(records: list[dict]) -> list[str]:
    """The distinct ``table`` values of ``records``: organisations, contacts, then the rest."""
    seen = list(dict.fromkeys(text(row.get("table")) for row in records))
    return sorted(seen, key=lambda t: (TABLE_ORDER.index(t) if t in TABLE_ORDER else 9, t))
