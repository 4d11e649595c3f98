"""Sheet roles: what each sheet of a workbook holds, with a reason an operator reads.

A sheet is one of

``entity``
    records of an entity type: a name column (or first and last names) and fields;
``side_table``
    rows that add fields or lines to an entity by its ID or name (addresses, notes, codes);
``activity_log``
    dated events about an entity (orders, calls): a date on most rows and a key that repeats;
``lookup``
    category and validation lists, admin pages: short distinct values, never records;
``ignore``
    empty, scratch (a few scattered cells), pivot-like summaries, a column of row numbers.

:func:`classify` decides from the sheet's labels, matched against what the
profile knows (:class:`RoleHints`, folded with :func:`hotpass.ingest.fold_header`),
and from the shape of a sample of its values (:mod:`hotpass.ingest.columns`).
It is pure: no I/O, no profile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import pandas as pd

from hotpass.ingest.columns import ColumnShape, cell_text, measure_columns
from hotpass.ingest.headers import fold_header, spelled_out
from hotpass.ingest.model import SourceSheet

ROLES = ("entity", "side_table", "activity_log", "lookup", "ignore")
SAMPLE_ROWS = 5000  # rows looked at per sheet, from the top
LOOKUP_ROWS = 300  # longest list a lookup sheet holds
LOOKUP_WORDS = tuple(
    "admin lookup dropdown picklist setting config option validation categor lists".split()
)
LOG_WORDS = tuple(
    "order invoice sale transaction activit history log call visit meeting event payment "
    "booking interaction timeline".split()
)
# Read from labels the hints do not know (a sheet classified without a profile).
ID_ENDINGS = ("id", "no", "nr", "number", "num", "ref", "reference", "key")
NAME_WORDS = frozenset(
    "organisation organization company business customer client account firm operator entity "
    "institution school supplier vendor person contact member employee".split()
)
_PERIOD = re.compile(
    r"^((19|20)\d\d|q[1-4]|fy ?\d{2,4}|jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|"
    r"july?|aug(ust)?|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?)([\s/_-].*)?$",
    re.I,
)
_SUMMARY = re.compile(r"^(grand total|total|row labels|(sum|count|average) of\b)", re.I)


@dataclass(frozen=True)
class RoleHints:
    """What the profile knows, as folded header synonyms (see ``fold_header``).

    ``name_headers``: columns that name an entity (organisation names, person
    names); ``id_headers``: ID, key and link columns; ``date_headers``: dates;
    ``field_headers``: every other field; ``known_values``: folded values seen as
    category values on other sheets (:func:`classify_all` adds them).
    """

    name_headers: frozenset[str] = frozenset()
    id_headers: frozenset[str] = frozenset()
    date_headers: frozenset[str] = frozenset()
    field_headers: frozenset[str] = frozenset()
    known_values: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SheetRole:
    """A sheet's role, why, and how sure; ``key``/``date`` name the linking and date columns."""

    role: str  # one of ROLES
    reason: str
    confidence: float  # 0..1
    key: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class _Sheet:
    """One sheet as the rules see it: name, sampled rows, non-empty columns and their kinds."""

    name: str
    rows: int
    columns: list[ColumnShape]
    kinds: dict[int, str]  # column position -> "name" | "id" | "date" | "field" | ""
    sample: pd.DataFrame
    hints: RoleHints

    def kind(self, column: ColumnShape) -> str:
        return self.kinds[column.position]

    def named_like(self, words: tuple[str, ...]) -> bool:
        return any(word in fold_header(self.name) for word in words)


def classify(sheet: SourceSheet, hints: RoleHints | None = None) -> SheetRole:
    """The role of one sheet, with a one-sentence reason and a confidence in 0..1."""
    return _decide(_measure(sheet, hints or RoleHints()))


def classify_all(sheets: Iterable[SourceSheet], hints: RoleHints | None = None) -> list[SheetRole]:
    """Every sheet's role; values used as categories on the other sheets are lookup evidence."""
    hints = hints or RoleHints()
    measured = [_measure(sheet, hints) for sheet in sheets]
    categories = [_category_values(seen) for seen in measured]
    roles = []
    for i, seen in enumerate(measured):
        others = frozenset().union(*(v for j, v in enumerate(categories) if j != i))
        known = replace(hints, known_values=hints.known_values | others)
        roles.append(_decide(replace(seen, hints=known)))
    return roles


def _measure(sheet: SourceSheet, hints: RoleHints) -> _Sheet:
    sample = sheet.frame.iloc[:SAMPLE_ROWS]
    columns = [c for c in measure_columns(sample) if c.count]
    kinds = {c.position: _kind(c.label, hints) for c in columns}
    return _Sheet(str(sheet.sheet), len(sample), columns, kinds, sample, hints)


def _decide(sheet: _Sheet) -> SheetRole:
    for rule in (_ignored, _lookup, _activity_log, _entity, _side_table):
        role = rule(sheet)
        if role is not None:
            return role
    return _fallback(sheet)


def _kind(label: str, hints: RoleHints) -> str:
    """What the label says the column is: from the profile first, then from common words
    ("#" reads as "no": "Mem #" is a member number)."""
    folded = fold_header(spelled_out(label))
    for kind, known in (
        ("id", hints.id_headers),
        ("name", hints.name_headers),
        ("date", hints.date_headers),
        ("field", hints.field_headers),
    ):
        if folded in known:
            return kind
    if folded.endswith(ID_ENDINGS) or folded.startswith("id"):
        return "id"
    if "name" in folded or folded in NAME_WORDS:
        return "name"
    return "date" if "date" in folded else ""


def _category_values(sheet: _Sheet) -> frozenset[str]:
    """Folded values of columns that repeat a few short values (categories)."""
    found: set[str] = set()
    for col in sheet.columns:
        short = col.mean_len <= 30 and col.numbers < 0.5 and sheet.kind(col) not in ("name", "id")
        if short and 2 <= len(col.values) <= 50 and col.distinct <= 0.5:
            found |= col.values
    return frozenset(found)


def _pct(share: float) -> str:
    return f"{round(100 * share)}%"


def _more(labels: list[str], shown: int = 4) -> str:
    return ", ".join(labels[:shown]) + (" ..." if len(labels) > shown else "")


def _ignored(sheet: _Sheet) -> SheetRole | None:
    """Empty, scratch, row numbers only, or a pivot-like summary."""
    columns, rows = sheet.columns, sheet.rows
    cells = sum(c.count for c in columns)
    if not columns or not rows:
        return SheetRole("ignore", "the sheet has no values", 0.95)
    if cells <= 20 and cells < 0.5 * rows * len(columns):
        reason = f"a scratch sheet: {cells} scattered cells in {rows} rows, not a table"
        return SheetRole("ignore", reason, 0.8)
    if all(c.row_numbers for c in columns):
        reason = f"only row numbers ({_more([c.label for c in columns])}: 1, 2, 3, ...)"
        return SheetRole("ignore", reason, 0.9)
    periods = [c.label for c in columns if _PERIOD.match(c.label) or _SUMMARY.match(c.label)]
    numeric = [c for c in columns[1:] if c.numbers >= 0.9]
    if len(periods) >= 2 and len(numeric) >= 0.8 * max(len(columns) - 1, 1):
        reason = (
            f"a summary table (columns {_more(periods)} of numbers per "
            f"{columns[0].label}), not records"
        )
        return SheetRole("ignore", reason, 0.85)
    return None


def _lookup_evidence(sheet: _Sheet) -> list[tuple[str, int]]:
    """(evidence, weight) that the sheet holds lists; none when its shape rules lists out."""
    columns, known_values = sheet.columns, sheet.hints.known_values
    named = sheet.named_like(LOOKUP_WORDS)
    if sheet.rows > LOOKUP_ROWS or any(c.distinct < 0.9 or c.mean_len > 30 for c in columns):
        return []
    if any(c.contacts > 0.2 or c.long_text > 0.2 or c.dates > 0.5 for c in columns):
        return []
    if not named and any(sheet.kind(c) in ("name", "id") for c in columns):
        return []
    ends = [c.last for c in columns]
    known = [
        c.label for c in columns if c.values and len(c.values & known_values) >= 0.5 * len(c.values)
    ]
    evidence = [
        ("named like an admin or list page", 2, named),
        ("lists of different lengths", 2, max(ends) - min(ends) >= 2),
        (f"values used as categories on other sheets ({_more(known, 3)})", 2, bool(known)),
        ("", 1, len(columns) == 1),  # said by the reason already
        ("at most 60 rows", 1, sheet.rows <= 60),
    ]
    return [(text, weight) for text, weight, ok in evidence if ok]


def _lookup(sheet: _Sheet) -> SheetRole | None:
    """Short lists of distinct values with no name, contact, date or long text column."""
    evidence = _lookup_evidence(sheet)
    score = sum(weight for _, weight in evidence)
    if score < 2:
        return None
    columns = sheet.columns
    what = "a single column" if len(columns) == 1 else f"{len(columns)} columns"
    said = "; ".join(text for text, _ in evidence if text)
    reason = (
        f"{what} ({_more([c.label for c in columns])}) of at most "
        f"{max(c.count for c in columns)} short distinct values, no name or contact column"
        + (f" ({said})" if said else "")
    )
    return SheetRole("lookup", reason, round(min(0.95, 0.5 + 0.1 * score), 2))


def _names(sheet: _Sheet) -> list[ColumnShape]:
    return [c for c in sheet.columns if sheet.kind(c) == "name" and c.contacts < 0.5]


def _key(sheet: _Sheet, exclude: int | None = None) -> ColumnShape | None:
    """The column most likely to reference an entity: an ID, else a name; repeating first."""
    candidates = [
        c
        for c in sheet.columns
        if c.position != exclude
        and c.filled >= 0.5
        and sheet.kind(c) in ("id", "name")
        and c.contacts < 0.5
        and c.dates < 0.5
    ]
    return min(candidates, key=lambda c: (sheet.kind(c) != "id", c.distinct), default=None)


def _log_parts(sheet: _Sheet) -> tuple[ColumnShape, ColumnShape, list[str]] | None:
    """(date, key, other labels) of a sheet shaped like a log, else None."""
    dates = [
        c
        for c in sheet.columns
        if (sheet.kind(c) == "date" or c.dates >= 0.8) and c.dates >= 0.5 and c.filled >= 0.7
    ]
    if not dates or sheet.rows < 2:
        return None
    names = _names(sheet)
    if len(names) >= 2 and _joint_distinct(sheet, names) >= 0.8:
        return None  # names that repeat apart but seldom together (given names, surnames): people
    date = max(dates, key=lambda c: c.filled)
    key = _key(sheet, date.position)
    if key is None or (key.distinct > 0.67 and not sheet.named_like(LOG_WORDS)):
        return None
    others = [c.label for c in sheet.columns if c.position not in (key.position, date.position)]
    people = [c for c in _names(sheet) if c.position != key.position and c.distinct >= 0.8]
    return None if not others or people else (date, key, others)


def _activity_log(sheet: _Sheet) -> SheetRole | None:
    """A date on most rows and a key that repeats (or a sheet named like a log)."""
    parts = _log_parts(sheet)
    if parts is None:
        return None
    date, key, others = parts
    per_key = 1 / key.distinct if key.distinct else 0.0
    reason = (
        f"dated rows: {date.label!r} is filled on {_pct(date.filled)} of the rows and "
        f"{key.label!r} repeats ({per_key:.1f} rows per value), with {_more(others)}"
    )
    confidence = (
        0.6
        + 0.1 * (sheet.kind(date) == "date")
        + 0.1 * (key.distinct <= 0.67)
        + 0.1 * sheet.named_like(LOG_WORDS)
    )
    return SheetRole("activity_log", reason, round(min(confidence, 0.95), 2), key.label, date.label)


def _joint_distinct(sheet: _Sheet, names: list[ColumnShape]) -> float:
    """Distinct combinations of the name columns / rows naming anyone."""
    rows = sheet.sample.iloc[:, [c.position for c in names]].itertuples(index=False, name=None)
    combos = [tuple(map(cell_text, row)) for row in rows]
    combos = [c for c in combos if any(v is not None for v in c)]
    return len(set(combos)) / len(combos) if combos else 0.0


def _entity(sheet: _Sheet) -> SheetRole | None:
    """A name column (or first and last names) whose values are mostly distinct."""
    names = _names(sheet)
    if not names:
        return None
    share = _joint_distinct(sheet, names)
    if share < 0.5 and sheet.rows >= 4:
        return None
    labels = " + ".join(c.label for c in names)
    fields = len(sheet.columns) - len(names)
    hinted = any(fold_header(c.label) in sheet.hints.name_headers for c in names)
    verb = "is" if len(names) == 1 else "are"
    reason = (
        f"one record per row: {labels} {verb} {_pct(share)} distinct, with {fields} other field(s)"
    )
    confidence = 0.6 + 0.15 * hinted + 0.1 * (share >= 0.8) + 0.1 * (fields > 0)
    return SheetRole("entity", reason, round(min(confidence, 0.95), 2))


def _side_table(sheet: _Sheet) -> SheetRole | None:
    """Rows keyed by an entity's ID or name that add a few fields."""
    key = _key(sheet)
    others = [c.label for c in sheet.columns if key is not None and c.position != key.position]
    if key is None or not others:
        return None
    per_key = 1 / key.distinct if key.distinct else 0.0
    repeat = f"{per_key:.1f} rows per value" if key.distinct <= 0.9 else "about one row per value"
    reason = (
        f"rows keyed by {key.label!r} ({repeat}) adding {_more(others)}; no column names an entity"
    )
    confidence = (
        0.6 + 0.1 * (sheet.kind(key) == "id") + 0.1 * (len(others) <= 8) + 0.1 * (key.filled > 0.9)
    )
    return SheetRole("side_table", reason, round(min(confidence, 0.9), 2), key.label)


def _fallback(sheet: _Sheet) -> SheetRole:
    """No label says what the sheet is: a column of distinct text may still name records."""
    text = [
        c
        for c in sheet.columns
        if c.numbers < 0.5
        and c.dates < 0.5
        and c.contacts < 0.5
        and 4 <= c.mean_len <= 60
        and c.distinct >= 0.8
        and c.count >= 3
    ]
    if text:
        best = max(text, key=lambda c: (c.distinct, c.count))
        reason = (
            f"no column is labelled as a name or key; {best.label!r} holds "
            f"{_pct(best.distinct)} distinct text values"
        )
        return SheetRole("entity", reason, 0.4)
    reason = "no column names an entity or links to one (no name, ID or key column)"
    return SheetRole("ignore", reason, 0.5)
