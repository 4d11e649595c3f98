"""Read a Hotpass deliverable back: its golden tables and the profile it was made with."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hotpass.errors import InputFileError

TABLE_SHEETS = {"organisations": "Organisations", "contacts": "Contacts"}


def read_deliverable(path: str | Path) -> tuple[dict[str, pd.DataFrame], str | None]:
    """({"organisations": frame, "contacts": frame}, profile name from the Summary sheet or None).

    The file is read like any upload (safety checks, parsing in a child
    process); a workbook without an Organisations sheet is refused.
    """
    from hotpass.ingest import read_workbook

    book = read_workbook(path)
    sheets = {sheet.sheet: sheet.frame for sheet in book.sheets}
    if TABLE_SHEETS["organisations"] not in sheets:
        raise InputFileError(str(path), "has no Organisations sheet: not a Hotpass deliverable")
    tables = {
        table: _blank_to_none(sheets.get(name, pd.DataFrame()))
        for table, name in TABLE_SHEETS.items()
    }
    return tables, _profile_name(sheets.get("Summary"))


def _blank_to_none(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.astype(object)
    return out.where(out.notna(), None)


def _profile_name(summary: pd.DataFrame | None) -> str | None:
    if summary is None or summary.shape[1] < 2:
        return None
    for metric, value in zip(summary.iloc[:, 0], summary.iloc[:, 1]):
        if str(metric).strip() == "Profile" and isinstance(value, str) and value.strip():
            return value.strip()
    return None
