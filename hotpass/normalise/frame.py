"""Normalising whole record frames, with one finding per changed or suspect cell.

Each unique (kind, value) pair is normalised once, so a million rows with
repeated values cost little. When a cell yields several values the first stays
in the column and the rest go to ``<column>_other`` joined by "; ". An
``org_name`` column also fills ``legal_suffix`` where that is empty; a person
name column puts titles it removed into ``<column>_title``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from hotpass.findings import Findings
from hotpass.normalise.context import Normaliser
from hotpass.normalise.result import MISSING, Result

if TYPE_CHECKING:
    from hotpass.profile import Profile

OTHER_SUFFIX = "_other"
TITLE_SUFFIX = "_title"
LEGAL_SUFFIX_COLUMN = "legal_suffix"
_PERSON_KINDS = ("person_name", "first_name", "last_name")
Cache = dict[tuple[str, str], tuple[Result, "str | None"]]


def normalise_frame(
    frame: pd.DataFrame, kinds: dict[str, str], ctx: Normaliser | Profile, cache: Cache | None = None
) -> tuple[pd.DataFrame, Findings]:
    """Normalise every column named in ``kinds`` (column -> field kind); return a new frame.

    ``cache`` maps (kind, text) to what :meth:`Normaliser.read` made of it;
    values missing from it are read here and added.
    """
    if not isinstance(ctx, Normaliser):
        ctx = Normaliser.from_profile(ctx)
    out = frame.copy()
    findings = Findings()
    cache = {} if cache is None else cache
    where = _provenance(frame)
    suffixes: list[list[str | None]] = []
    for column, kind in kinds.items():
        if column not in frame.columns:
            continue
        originals = [as_text(v) for v in frame[column].tolist()]
        read = [_read(ctx, kind, value, cache) for value in originals]
        results = [r[0] for r in read]
        _set(out, column, [r.value for r in results])
        _set_joined(out, column + OTHER_SUFFIX, [r.values[1:] for r in results])
        _add_findings(findings, column, kind, originals, results, where)
        extras = [r[1] for r in read]
        if kind == "org_name":
            suffixes.append(extras)
        elif kind in _PERSON_KINDS:
            _set_joined(out, column + TITLE_SUFFIX, [(e,) if e else () for e in extras])
    for extras in suffixes:
        _fill_legal_suffix(out, extras)
    return out, findings


def as_text(value: object) -> str | None:
    """A cell as text: None for missing, integral floats without ".0"."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def distinct_values(frame: pd.DataFrame, kinds: dict[str, str]) -> list[tuple[str, str]]:
    """Every distinct (kind, text) pair of the columns named in ``kinds``, in first-seen order."""
    seen: dict[tuple[str, str], None] = {}
    for column, kind in kinds.items():
        if column in frame.columns:
            for value in frame[column].drop_duplicates().tolist():
                text = as_text(value)
                if text is not None:
                    seen[(kind, text)] = None
    return list(seen)


_NOTHING = (MISSING, None)


def _read(ctx: Normaliser, kind: str, value: str | None, cache: Cache) -> tuple[Result, str | None]:
    if value is None:
        return _NOTHING
    key = (kind, value)
    found = cache.get(key)
    if found is None:
        found = cache[key] = ctx.read(kind, value)
    return found


def _provenance(frame: pd.DataFrame) -> tuple[list, list, list]:
    """Per-row source file, sheet and row number (None where a column is absent)."""

    def column(name: str, cast=None) -> list:
        if name not in frame.columns:
            return [None] * len(frame)
        values = [as_text(v) for v in frame[name].tolist()]
        return [
            cast(v) if cast and v is not None and v.lstrip("-").isdigit() else v for v in values
        ]

    return column("source_file"), column("source_sheet"), column("source_row", int)


def _set(out: pd.DataFrame, column: str, values: list[str | None]) -> None:
    out[column] = pd.Series(values, index=out.index, dtype=object)


def _set_joined(out: pd.DataFrame, column: str, parts: list[tuple[str, ...]]) -> None:
    """Write "; "-joined extra values to ``column``, creating it only when needed."""
    if not any(parts):
        return
    existing = out[column].tolist() if column in out.columns else [None] * len(out)
    merged = []
    for old, new in zip(existing, parts, strict=True):
        old = as_text(old) or None
        merged.append("; ".join(filter(None, (old, *new))) or None)
    _set(out, column, merged)


def _fill_legal_suffix(out: pd.DataFrame, suffixes: list[str | None]) -> None:
    """Put suffixes taken off names into ``legal_suffix`` where it is empty."""
    if not any(suffixes):
        return
    if LEGAL_SUFFIX_COLUMN in out.columns:
        current = [as_text(v) for v in out[LEGAL_SUFFIX_COLUMN].tolist()]
    else:
        current = [None] * len(out)
    filled = [
        old if old and old.strip() else new for old, new in zip(current, suffixes, strict=True)
    ]
    _set(out, LEGAL_SUFFIX_COLUMN, filled)


def _add_findings(
    findings: Findings, column: str, kind: str, originals: list, results: list[Result], where: tuple
) -> None:
    """One finding per cell whose result has a rule or a problem (added in one batch)."""
    files, sheets, rows = where
    described: dict[str, tuple] = {}
    batch: list[tuple] = []
    for i, result in enumerate(results):
        if result.rule is None and result.problem is None:
            continue
        original = originals[i]
        if original not in described:
            described[original] = _describe(kind, original, result)
        code, severity, message, new = described[original]
        where_row = (files[i], sheets[i], rows[i], column)
        batch.append((code, severity, message, *where_row, original, new, result.rule))
    if batch:
        # Rows are tuples in findings.COLUMNS order; a collector built from them merges cheaply.
        findings.extend(Findings(batch))


def _describe(kind: str, original: str, result: Result) -> tuple[str, str, str, str | None]:
    """(code, severity, message, new value) of the finding for one result."""
    new = "; ".join(result.values) or None
    if result.problem:
        code, severity = f"normalise.{result.problem}", "warning"
        message = f"{kind} value {original!r} looks wrong ({result.problem}); kept as {new!r}"
    elif new is None:
        code, severity = f"normalise.{result.rule}", "info"
        message = f"{kind} value {original!r} treated as missing ({result.rule})"
    else:
        code, severity = f"normalise.{result.rule}", "info"
        message = f"{kind} value {original!r} changed to {new!r} ({result.rule})"
    return code, severity, message, new
