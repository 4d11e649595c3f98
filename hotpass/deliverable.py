"""Read a Hotpass deliverable back: its golden tables and the profile it was made with."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from hotpass.errors import InputFileError
from hotpass.ingest import read_workbook
from hotpass.profile import Profile
from hotpass.stages.deliver import sheet_name


def read_deliverable(path: str | Path) -> tuple[dict[str, pd.DataFrame], str | None]:
    """(sheet name -> frame, profile name from the Summary sheet or None).

    The file is read like any upload (safety checks, parsing in a child process);
    :func:`golden_tables` picks the entities' tables out of it.
    """
    book = read_workbook(path)  # the safety checks and parsing of any upload
    sheets = {sheet.sheet: sheet.frame for sheet in book.sheets}
    return sheets, _profile_name(path) if "Summary" in sheets else None


def golden_tables(sheets: dict[str, pd.DataFrame], profile: Profile, path: str | Path) -> dict[str, pd.DataFrame]:
    """Each entity's golden table (keyed by its plural) from a deliverable's sheets; a workbook
    without the primary entity's sheet is refused."""
    primary = sheet_name(profile.plural(profile.primary))
    if primary not in sheets:
        raise InputFileError(str(path), f"has no {primary} sheet: not a Hotpass deliverable of the "
                             f"{profile.name} profile")
    return {profile.plural(entity): _blank_to_none(sheets.get(sheet_name(profile.plural(entity)), pd.DataFrame()))
            for entity in profile.entities}


def _blank_to_none(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.astype(object)
    return out.where(out.notna(), None)


def _profile_name(path: str | Path) -> str | None:
    """The profile named on the Summary sheet's "Profile" row (its first rows, read directly: the
    sheet holds several small tables, so its header as ingest reads it is not the first one)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for metric, value, *_ in book["Summary"].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
            if str(metric).strip() == "Profile" and isinstance(value, str) and value.strip():
                return value.strip()
    except ValueError:  # a row of fewer than two cells
        return None
    finally:
        book.close()
    return None
