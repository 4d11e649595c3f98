"""Uploaded files, as the upload, mapping and run pages use them (no Streamlit).

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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hotpass import HotpassError, Profile, known_headers, read_workbook
from workbench import kept

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


def preview(sheet) -> pd.DataFrame:
    """The first rows of a sheet, indexed by their Excel row number."""
    frame = sheet.frame.head(PREVIEW_ROWS).copy()
    frame.index.name = "row"
    return frame


def signature(uploads: list[Upload]) -> str:
    """A short name for a set of uploads: the same files under the same names give the same one."""
    text = json.dumps(sorted([u.sha256, u.name] for u in uploads if u.workbook is not None))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
