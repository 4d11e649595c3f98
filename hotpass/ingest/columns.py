"""What the values of a sheet's columns look like: how filled, how distinct, of which shapes.

Measured on text cells as ingest reads them (``str`` or ``None``; other values
are turned into text, NaN counts as empty). Each distinct value is looked at
once and weighted by how often it occurs, so repetitive columns cost little.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from hotpass.ingest.headers import fold_header

MAX_VALUES = 200  # folded distinct values kept per column
DATE = re.compile(
    r"^(\d{4}-\d\d-\d\d([ T][\d:.]+)?|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|"
    r"\d{1,2} [A-Za-z]{3,9},? \d{4})$"
)
NUMBER = re.compile(r"^[+-]?\d[\d\s]*([.,]\d+)?%?$")
CONTACT = re.compile(r"@|://|^www\.|\.(co\.za|com|org|net)\b|^\+?[\d\s()-]{9,18}$", re.I)


@dataclass(frozen=True)
class ColumnShape:
    """One column of a sheet: its label, position and the look of its values."""

    label: str
    position: int  # in the frame it was measured from
    count: int  # values (non-empty cells)
    filled: float  # share of rows with a value
    distinct: float  # distinct values / values
    numbers: float  # share of the values that read as numbers (amounts, counts, codes)
    dates: float  # ... as dates
    contacts: float  # ... as e-mail or web addresses or phone numbers
    long_text: float  # ... as sentences (over 40 characters with spaces)
    mean_len: float
    last: int  # index of the last row with a value, -1 if none
    row_numbers: bool  # the values count rows: 1, 2, 3, ...
    values: frozenset[str]  # up to MAX_VALUES folded distinct values, the smallest first


def cell_text(value: object) -> str | None:
    """A cell as stripped text; None for empty cells, NaN, NA, NaT and blanks."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    return str(value).strip() or None


def measure_columns(frame: pd.DataFrame) -> list[ColumnShape]:
    """The shape of every column of ``frame``, by position (labels may repeat)."""
    return [
        measure(str(label), i, frame.iloc[:, i].tolist()) for i, label in enumerate(frame.columns)
    ]


def measure(label: str, position: int, cells: list) -> ColumnShape:
    """The shape of one column of cells."""
    texts = [cell_text(c) for c in cells]
    values = [t for t in texts if t is not None]
    counts = Counter(values)
    count = len(values)

    def share(test) -> float:
        return sum(n for v, n in counts.items() if test(v)) / count if count else 0.0

    return ColumnShape(
        label=label,
        position=position,
        count=count,
        filled=count / len(cells) if cells else 0.0,
        distinct=len(counts) / count if count else 0.0,
        numbers=share(NUMBER.match),
        dates=share(DATE.match),
        contacts=share(CONTACT.search),
        long_text=share(lambda v: len(v) > 40 and " " in v),
        mean_len=sum(len(v) * n for v, n in counts.items()) / count if count else 0.0,
        last=max((i for i, t in enumerate(texts) if t is not None), default=-1),
        row_numbers=_counts_rows(values),
        values=frozenset(fold_header(v) for v in sorted(counts)[:MAX_VALUES]) - {""},
    )


def _counts_rows(values: list[str]) -> bool:
    """Are the values 1, 2, 3, ... (each one more than the last)?"""
    if len(values) < 3 or not all(v.isascii() and v.isdigit() and len(v) < 10 for v in values):
        return False
    numbers = [int(v) for v in values]
    return sum(b - a == 1 for a, b in pairwise(numbers)) >= 0.9 * (len(numbers) - 1)
