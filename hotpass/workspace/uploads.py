"""Files people uploaded, kept per user so a reload of the workbench still has them.

The bytes live under ``<workspace>/uploads/<username>/<sha256>/<safe name>``;
the uploads table says who uploaded what and when, and whether it was
removed. The same bytes uploaded again by the same user reuse the active row.
A file is deleted when no active row refers to it any more. File work that
must agree with the table (checking the file is there, deleting it) happens
inside the write transaction, so two processes cannot undo each other's.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from hotpass.errors import WorkspaceError
from hotpass.workspace.database import Database, now

MAX_NAME_BYTES = 200
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")
_COLUMNS = "upload_id, username, name, sha256, size, path, uploaded_at, removed_at"


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder (last path part, no control characters or leading dots)."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = _UNSAFE.sub("_", text).strip().lstrip(".").strip()
    if len(text.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, suffix = text.rpartition(".")
        suffix = dot + suffix if dot and len(suffix) <= 10 else ""
        stem = (stem if suffix else text).encode("utf-8")[:MAX_NAME_BYTES - len(suffix.encode())]
        text = stem.decode("utf-8", "ignore").rstrip() + suffix
    return text or "upload"


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file, flushed, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Uploads(Database):
    """The uploads table and the files it names."""

    directory: Path

    def add_upload(self, username: str, name: str, data: bytes) -> dict:
        """Keep an uploaded file for ``username``; returns its row (``path`` is absolute)."""
        folder = self._user_folder(username)
        digest = hashlib.sha256(data).hexdigest()
        relative = f"uploads/{folder}/{digest}/{safe_name(name)}"
        target = self.directory / relative
        try:
            if self._active(username, digest) is None:  # written before the transaction, which is short
                _write(target, data)
            with self.transaction():
                found = self._active(username, digest)
                if found is None:
                    if not target.is_file() or target.stat().st_size != len(data):
                        _write(target, data)  # removed by another process meanwhile
                    upload_id = self.execute(
                        "INSERT INTO uploads (username, name, sha256, size, path, uploaded_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        [username, safe_name(name), digest, len(data), relative, now()]).lastrowid
                    found = self._upload(upload_id)
                    self.audit(username, "upload.add", upload_id=upload_id, size=len(data))
                else:
                    self.audit(username, "upload.add", upload_id=found["upload_id"], size=len(data),
                               reused=True)
                self._drop_unused(relative)
        except OSError as exc:
            raise WorkspaceError(f"{target}: cannot keep the upload ({exc.strerror or exc})") from None
        return found

    def uploads(self, username: str) -> list[dict]:
        """The user's active uploads, in upload order."""
        rows = self.query_dicts(f"SELECT {_COLUMNS} FROM uploads WHERE username = ? AND removed_at IS NULL "
                                "ORDER BY upload_id", [username])
        return [self._absolute(row) for row in rows]

    def remove_upload(self, username: str, upload_id: int) -> None:
        """Mark an upload removed; its file goes when no active upload refers to it."""
        try:
            with self.transaction():
                rows = self.query("SELECT path, size FROM uploads WHERE upload_id = ? AND username = ? "
                                  "AND removed_at IS NULL", [int(upload_id), username])
                if not rows:
                    raise WorkspaceError(f"{self.path}: {username} has no upload {upload_id}")
                (relative, size), = rows
                self.execute("UPDATE uploads SET removed_at = ? WHERE upload_id = ?", [now(), int(upload_id)])
                self.audit(username, "upload.remove", upload_id=int(upload_id), size=size)
                self._drop_unused(relative)
        except OSError as exc:
            raise WorkspaceError(f"{self.directory}: cannot delete upload {upload_id} ({exc.strerror or exc})") \
                from None

    def _user_folder(self, username: str) -> str:
        if not isinstance(username, str) or not _USERNAME.fullmatch(username):
            raise WorkspaceError(f"{self.path}: cannot keep uploads for the username {username!r}")
        return username

    def _active(self, username: str, digest: str) -> dict | None:
        rows = self.query_dicts(f"SELECT {_COLUMNS} FROM uploads WHERE username = ? AND sha256 = ? "
                                "AND removed_at IS NULL ORDER BY upload_id LIMIT 1", [username, digest])
        return self._absolute(rows[0]) if rows else None

    def _upload(self, upload_id: int) -> dict:
        rows = self.query_dicts(f"SELECT {_COLUMNS} FROM uploads WHERE upload_id = ?", [int(upload_id)])
        return self._absolute(rows[0])

    def _absolute(self, row: dict) -> dict:
        return {**row, "path": self.directory / row["path"]}

    def _drop_unused(self, relative: str) -> None:
        """Delete the file (and its emptied folder) when no active upload names it."""
        if self.query("SELECT 1 FROM uploads WHERE path = ? AND removed_at IS NULL LIMIT 1", [relative]):
            return
        path = self.directory / relative
        path.unlink(missing_ok=True)
        try:
            path.parent.rmdir()
        except OSError:  # another name for the same bytes is still there
            pass
