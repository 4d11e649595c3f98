"""What the ingest stage hands to the mapping stage, and the raw sheets it builds them from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hotpass.findings import Findings

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class SourceSheet:
    """One table read from a file: cleaned header labels and text-only data rows.

    ``frame`` has exactly ``columns``, object dtype, every value a ``str`` or
    ``None``; its index (named ``source_row``) holds the Excel row number
    (1-based) of each data row (for CSV the record number, header = 1; for
    parquet the record number from 1). Fully empty rows are dropped.
    ``header_row`` is 0 when the header came from the format (parquet) or no
    row looked like one (columns are then named ``column_A``, ...).
    """

    file: str
    path: str
    sha256: str
    sheet: str
    header_row: int
    columns: list[str]
    frame: pd.DataFrame
    role_hint: str | None = None


@dataclass
class SourceWorkbook:
    """Every non-empty sheet of one file, the names of its empty sheets, and findings."""

    file: str
    path: str
    sha256: str
    sheets: list[SourceSheet]
    empty_sheets: list[str]
    findings: Findings = field(default_factory=Findings)


@dataclass
class RawSheet:
    """A sheet as read: text columns of the non-empty rows and their row numbers."""

    name: str
    columns: list[list[str | None]]
    row_numbers: list[int]
    first_col: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    header: list[str] | None = None  # given by the format (parquet); else detected
    visible: str = "Visible"
    cells: list[tuple[int, int, str, str]] = field(default_factory=list)  # see _cellscan
    cell_total: int = 0  # cells without a value in all, listed or not


@dataclass
class SheetContext:
    """Who the sheet belongs to and how to read its header."""

    file: str
    path: str
    sha256: str
    scan_rows: int
    known_headers: set[str]
    findings: Findings
