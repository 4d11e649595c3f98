"""Safety checks run on a file before any reader library touches it.

Everything here reads only headers: the size of the file, what its bytes
really are (magic bytes, not the extension), the directory of OLE2 files
(legacy .xls versus an encrypted xlsx) and, for xlsx/xlsm archives, the checks
in :mod:`hotpass.ingest.ooxml`. A file that passes can still be
hostile in ways a cheap check cannot see, which is why parsing also runs in a
memory-limited child process (:mod:`hotpass.ingest.isolation`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

from hotpass.errors import InputFileError
from hotpass.ingest import ole
from hotpass.ingest.ooxml import ENCRYPTED, MB, check_ooxml, mb_text
from hotpass.ingest.sniff import NOUNS, content_kind, expected_kind
from hotpass.profile import IngestSettings


@dataclass
class Inspection:
    """What a file is and what was noticed while checking it."""

    kind: str  # "xlsx", "xls", "csv" or "parquet"
    expected: str  # what the name promised: "excel", "csv" or "parquet"
    size: int
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (code, message, severity)

    @property
    def mislabelled_text(self) -> bool:
        """Text content in a file named as a workbook or parquet file."""
        return self.kind == "csv" and self.expected != "csv"


def inspect(
    path: Path, settings: IngestSettings, label: str, display_name: str | None = None
) -> Inspection:
    """Run every check for ``path``; raise :class:`InputFileError` naming ``label`` on failure."""
    size = _checked_size(path, settings, label)
    expected = expected_kind(path, display_name, label)
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise InputFileError(label, f"cannot be read: {exc.strerror or exc}") from None
    actual = content_kind(head, expected, label)
    if actual == "zip":
        result = Inspection("xlsx", expected, size, check_ooxml(path, size, settings, label))
    elif actual == "ole":
        result = Inspection("xls", expected, size, _check_ole(path, size, label))
    elif actual == "parquet":
        result = Inspection("parquet", expected, size, _check_parquet(path, size, label))
    else:
        result = Inspection("csv", expected, size)
    wanted = {"xlsx": "excel", "xls": "excel"}.get(result.kind, result.kind)
    if wanted != expected:
        result.notes.append(
            (
                "ingest.format_mismatch",
                f"{label} is named like {NOUNS[expected]} but is "
                f"{NOUNS[wanted]}; it was read as such",
                "warning",
            )
        )
    return result


def _checked_size(path: Path, settings: IngestSettings, label: str) -> int:
    """The file size, after checking the file exists, is not empty and not too big."""
    try:
        if not path.is_file():
            raise InputFileError(label, "does not exist or is not a file")
        size = path.stat().st_size
    except OSError as exc:
        raise InputFileError(label, f"cannot be read: {exc.strerror or exc}") from None
    if size == 0:
        raise InputFileError(label, "is empty (0 bytes)")
    if size > settings.max_file_mb * MB:
        raise InputFileError(
            label,
            f"is {mb_text(size)} MB, larger than the limit of {settings.max_file_mb:g} MB "
            "(raise setting ingest.max_file_mb to accept it)",
        )
    return size


def _check_ole(path: Path, size: int, label: str) -> list:
    """An OLE2 file must be a legacy workbook; an encrypted xlsx is refused by name."""
    try:
        with path.open("rb") as handle:
            names = {n.lower() for n in ole.list_entries(handle, size)}
    except (ole.OleError, struct.error, OSError):
        raise InputFileError(
            label, "is not a valid workbook (corrupt or truncated OLE2 file)"
        ) from None
    if names & {"encryptioninfo", "encryptedpackage"}:
        raise InputFileError(label, ENCRYPTED)
    if names & {"workbook", "book"}:
        return []
    if "worddocument" in names:
        raise InputFileError(label, "looks like a Word document (.doc), not an Excel workbook")
    if "powerpoint document" in names:
        raise InputFileError(
            label, "looks like a PowerPoint presentation (.ppt), not an Excel workbook"
        )
    raise InputFileError(
        label, "is an OLE2 document without a workbook stream, not an Excel workbook"
    )


def _check_parquet(path: Path, size: int, label: str) -> list:
    """A parquet file ends with the PAR1 magic too (else it is truncated)."""
    with path.open("rb") as handle:
        handle.seek(max(0, size - 4))
        if size < 12 or handle.read(4) != b"PAR1":
            raise InputFileError(label, "is not a valid Parquet file (corrupt or truncated)")
    return []
