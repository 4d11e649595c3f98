"""Uploaded files and their mappings, as the upload and mapping pages show them (no Streamlit here).

Each upload is written to the session's folder and read on its own, so one
bad file reports its own error and the others still load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hotpass.errors import HotpassError, MappingError
from hotpass.mapping import CONTACT, ORG, SheetMapping, map_sheet, set_target
from hotpass.pipeline import map_sources, read_sources
from hotpass.profile import Profile

IGNORE = "(ignore)"
ROLES = ("organisation", "contact", "mixed", "ignore")
PREVIEW_ROWS = 20
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass
class Upload:
    """One uploaded file: its workbook when it could be read, else the reason it could not."""

    file_id: str
    name: str
    size: int
    workbook: object | None = None  # hotpass.ingest.SourceWorkbook
    error: str | None = None


@dataclass
class Mapped:
    """The readable workbooks of a session, their sheets and one mapping per sheet (in order)."""

    workbooks: list = field(default_factory=list)
    sheets: list = field(default_factory=list)
    mappings: list[SheetMapping] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # hand edits that no longer fit
    version: int = -1

    def mapping_of(self, file: str, sheet: str) -> SheetMapping | None:
        return next((m for m in self.mappings if m.file == file and m.sheet == sheet), None)


def read_upload(
    file_id: str,
    name: str,
    data: bytes,
    directory: Path,
    profile: Profile,
    taken: set[str] = frozenset(),
) -> Upload:
    """Save ``data`` under ``directory`` and read it; an unreadable file sets ``error``."""
    upload = Upload(file_id, name, len(data))
    if name in taken:
        upload.error = f"{name}: a file with this name is already loaded; remove it first"
        return upload
    folder = directory / _UNSAFE.sub("_", file_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (_UNSAFE.sub("_", Path(name).name) or "upload")
    path.write_bytes(data)
    try:
        (upload.workbook,) = read_sources([path], profile, names=[name])
    except HotpassError as exc:
        upload.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken file must not stop the others
        upload.error = f"{name}: could not be read ({type(exc).__name__})"
    return upload


def map_uploads(uploads: list[Upload], profile: Profile, edits: dict, roles: dict) -> Mapped:
    """Map every sheet of the readable uploads, then apply the roles and targets chosen by hand."""
    workbooks = [u.workbook for u in uploads if u.workbook is not None]
    sheets, mappings = map_sources(workbooks, profile)
    for i, sheet in enumerate(sheets):
        role = roles.get((sheet.file, sheet.sheet))
        if role and role != mappings[i].role:
            mappings[i] = map_sheet(
                sheet, profile, SheetMapping(sheet.file, sheet.sheet, role, "manual")
            )
            mappings[i].role_method = "manual"
    mapped = Mapped(workbooks, sheets, mappings)
    for (file, sheet, source), target in edits.items():
        mapping = mapped.mapping_of(file, sheet)
        if mapping is None:
            continue
        try:
            set_target(mapping, source, target, profile)
        except MappingError as exc:
            mapped.problems.append(f"{exc} (a change made by hand was dropped)")
    return mapped


def preview(sheet) -> pd.DataFrame:
    """The first rows of a sheet, indexed by their Excel row number."""
    frame = sheet.frame.head(PREVIEW_ROWS).copy()
    frame.index.name = "row"
    return frame


def target_options(mapping: SheetMapping, profile: Profile) -> list[str]:
    """The targets a column of this sheet may take: its role's fields, and (ignore)."""
    kinds = {"organisation": [ORG], "contact": [CONTACT], "mixed": [ORG, CONTACT]}.get(
        mapping.role, []
    )
    options = [f"{kind}.{name}" for kind in kinds for name in profile.fields(kind)]
    options += [c.target for c in mapping.columns if c.target and c.target not in options]
    return [IGNORE, *options]


def mapping_table(mapping: SheetMapping, profile: Profile) -> pd.DataFrame:
    """One row per source column: where it goes, how sure the machine is, whether to check."""
    confident = profile.mapping.confident_score
    rows = [
        {
            "source column": c.source,
            "target field": c.target or IGNORE,
            "confidence": round(float(c.confidence)),
            "method": c.method,
            "check": "⚠ check" if c.target and c.confidence < confident else "",
        }
        for c in mapping.columns
    ]
    return pd.DataFrame(
        rows, columns=["source column", "target field", "confidence", "method", "check"]
    )


def changed_targets(mapping: SheetMapping, edited: pd.DataFrame) -> list[tuple[str, str | None]]:
    """(source column, new target or None) for each row whose target the editor changed."""
    current = {c.source: c.target or IGNORE for c in mapping.columns}
    changes = []
    for source, target in zip(edited["source column"], edited["target field"], strict=True):
        target = target if isinstance(target, str) and target else IGNORE
        if source in current and current[source] != target:
            changes.append((source, None if target == IGNORE else target))
    return changes


def sheet_summary(mapped: Mapped, profile: Profile) -> pd.DataFrame:
    """One row per sheet: file, sheet, header row, data rows, role, columns to check."""
    confident = profile.mapping.confident_score
    return pd.DataFrame(
        [
            {
                "file": s.file,
                "sheet": s.sheet,
                "header row": s.header_row or None,
                "data rows": len(s.frame),
                "role": m.role,
                "role from": m.role_method,
                "columns": len(m.columns),
                "to check": len(m.uncertain(confident)),
                "unmapped": len(m.extras()),
            }
            for s, m in zip(mapped.sheets, mapped.mappings, strict=True)
        ]
    )
