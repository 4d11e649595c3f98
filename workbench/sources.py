"""Uploaded files and their mappings, as the upload, mapping and run pages use them (no Streamlit).

Uploads are kept in the workspace per user (``Workspace.add_upload``), under
a safe file name; the name the file was uploaded under is kept beside it
(:mod:`workbench.kept`) and is the name shown, read and run with. Each file
is read on its own, so one bad file reports its own error and the others
still load.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hotpass import (
    HotpassError,
    MappingError,
    Profile,
    SheetMapping,
    known_headers,
    map_sheet,
    read_workbook,
    set_target,
)
from workbench import kept

ORG, CONTACT = "organisation", "contact"
IGNORE = "(ignore)"
ROLES = ("organisation", "contact", "mixed", "ignore")
PREVIEW_ROWS = 20
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Upload:
    """One kept upload: its workbook when it could be read, else the reason it could not."""

    upload_id: int
    name: str  # as uploaded (shown, and the file name in every output)
    size: int
    sha256: str
    path: Path
    workbook: object | None = None  # hotpass.SourceWorkbook
    error: str | None = None

    @property
    def file(self) -> str:
        """The file name the sheets of this upload carry."""
        return Path(self.name).name


@dataclass
class Mapped:
    """The readable workbooks of a user, their sheets and one mapping per sheet (in order)."""

    workbooks: list = field(default_factory=list)
    sheets: list = field(default_factory=list)
    mappings: list[SheetMapping] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # hand edits that no longer fit
    version: str = ""

    def mapping_of(self, file: str, sheet: str) -> SheetMapping | None:
        return next((m for m in self.mappings if m.file == file and m.sheet == sheet), None)


def kept_uploads(ws, username: str) -> list[Upload]:
    """The user's uploads in upload order (not read yet), under the names they were uploaded as."""
    names = kept.names(ws, username)
    return [Upload(int(row["upload_id"]), names.get(int(row["upload_id"]), row["name"]),
                   int(row["size"]), row["sha256"], Path(row["path"]))
            for row in ws.uploads(username)]


def clean_name(name: str) -> str:
    """The name a file was uploaded under, without control characters (never part of a name)."""
    return _CONTROL.sub("_", str(name or "")).strip() or "upload"


def keep(ws, username: str, name: str, data: bytes) -> str | None:
    """Keep an uploaded file for ``username``; returns why it was refused, or None."""
    name = clean_name(name)
    file = Path(name).name
    digest = hashlib.sha256(data).hexdigest()
    clash = [u for u in kept_uploads(ws, username) if u.file == file and u.sha256 != digest]
    if clash:
        return f"{name}: a different file with this name is already loaded; remove it first"
    row = ws.add_upload(username, name, data)
    kept.set_name(ws, username, int(row["upload_id"]), name)
    return None


def remove(ws, username: str, upload_id: int) -> None:
    """Forget one of the user's uploads (its file goes once nothing refers to it)."""
    ws.remove_upload(username, upload_id)
    kept.forget_name(ws, username, upload_id)


def reading_key(profile: Profile) -> str:
    """What reading a file depends on in a profile (its ingest settings and header synonyms)."""
    settings = profile.ingest.model_dump(mode="json")
    text = json.dumps([settings, sorted(known_headers(profile))], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_upload(upload: Upload, profile: Profile) -> Upload:
    """``upload`` read from its kept file; an unreadable file sets ``error``."""
    try:
        upload.workbook = read_workbook(upload.path, profile.ingest,
                                        known_headers=known_headers(profile),
                                        display_name=upload.name)
    except HotpassError as exc:
        upload.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken file must not stop the others
        upload.error = f"{upload.name}: could not be read ({type(exc).__name__})"
    return upload


def map_uploads(uploads: list[Upload], profile: Profile, edits: dict, roles: dict) -> Mapped:
    """Map every sheet of the readable uploads, then apply the roles and targets chosen by hand."""
    workbooks = [u.workbook for u in uploads if u.workbook is not None]
    sheets = [sheet for book in workbooks for sheet in book.sheets]
    mappings = []
    for sheet in sheets:
        role = roles.get((sheet.file, sheet.sheet))
        mapping = map_sheet(sheet, profile)
        if role and role != mapping.role:
            manual = SheetMapping(sheet.file, sheet.sheet, role, "manual")
            mapping = map_sheet(sheet, profile, manual)
            mapping.role_method = "manual"
        mappings.append(mapping)
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
