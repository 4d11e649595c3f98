"""Cheap checks of an xlsx/xlsm archive before any reader parses it.

Only the zip end record, the central directory and the first kilobytes of a
few members are read: member count, declared sizes, compression ratios, the
package type, the shared-string count declared in ``<sst>`` and each sheet's
declared ``<dimension>``. A 5 KB file declaring two billion shared strings or
a sheet ending at XFD1048576 is refused here, before calamine would try to
allocate for it.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

from hotpass.errors import InputFileError
from hotpass.profile import IngestSettings

MB = 1024 * 1024
RATIO_MIN_SIZE = MB  # members smaller than this may compress as well as they like
HEAD_BYTES = 16 * 1024
CORRUPT = "is not a valid workbook (corrupt or truncated archive)"
ENCRYPTED = "is password-protected/encrypted; save an unprotected copy and try again"
_SST = re.compile(rb"<(?:\w+:)?sst\b([^>]*)>")
_COUNT = re.compile(rb"\b(count|uniqueCount)\s*=\s*[\"'](\d+)[\"']")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']([^\"']+)[\"']")
_CELL = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,9})$")
_PACKAGES = (
    ("word/document.xml", "a Word document (.docx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
    (
        "xl/workbook.bin",
        "an Excel binary workbook (.xlsb), which is not supported: save it as .xlsx",
    ),
)


def mb_text(size: int) -> str:
    """A byte count in MB, readable at any scale."""
    value = size / MB
    return f"{value:.1f}" if value >= 10 else f"{value:.3g}"


def _check_central_directory(path: Path, size: int, settings: IngestSettings, label: str) -> None:
    """Refuse archives whose end record declares too many members, before zipfile lists them."""
    with path.open("rb") as handle:
        handle.seek(max(0, size - 65_557))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise InputFileError(label, CORRUPT)
    entries, cd_size = struct.unpack_from("<HI", tail, at + 10)
    limit = settings.max_archive_members
    if (entries > limit and entries != 0xFFFF) or cd_size > limit * 1024:
        raise InputFileError(
            label,
            f"is an archive with more than {limit} members (raise setting "
            "ingest.max_archive_members to accept it)",
        )


def check_ooxml(path: Path, size: int, settings: IngestSettings, label: str) -> list:
    """All archive checks for an xlsx/xlsm; returns notes (e.g. macros present)."""
    _check_central_directory(path, size, settings, label)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_members(infos, settings, label)
            _check_package({i.filename for i in infos}, label)
            _check_shared_strings(archive, infos, settings, label)
            _check_dimensions(archive, infos, settings, label)
    except InputFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        raise InputFileError(label, CORRUPT) from None
    except RuntimeError:  # zipfile: member is encrypted, password required
        raise InputFileError(label, ENCRYPTED) from None
    if any(i.filename.lower().endswith("vbaproject.bin") for i in infos):
        return [
            (
                "ingest.macros_ignored",
                f"{label} contains VBA macros; they were not run and are not kept",
                "info",
            )
        ]
    return []


def _check_members(infos: list[zipfile.ZipInfo], settings: IngestSettings, label: str) -> None:
    """Member count, total declared size, per-member compression ratio, zip encryption."""
    if len(infos) > settings.max_archive_members:
        raise InputFileError(
            label,
            f"is an archive with {len(infos)} members, more than the limit of "
            f"{settings.max_archive_members}"
            " (raise setting ingest.max_archive_members to accept it)",
        )
    total = sum(i.file_size for i in infos)
    if total > settings.max_uncompressed_mb * MB:
        raise InputFileError(
            label,
            f"would expand to {mb_text(total)} MB, more than the limit of "
            f"{settings.max_uncompressed_mb:g} MB"
            " (raise setting ingest.max_uncompressed_mb to accept it)",
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputFileError(label, ENCRYPTED)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_SIZE and ratio > settings.max_compression_ratio:
            raise InputFileError(
                label,
                f"member {info.filename} is compressed {ratio:.0f}:1, more than the limit of "
                f"{settings.max_compression_ratio:g}:1 (setting ingest.max_compression_ratio); "
                "it looks like a zip bomb",
            )


def _check_package(names: set[str], label: str) -> None:
    """The archive must be an OOXML spreadsheet package."""
    if "[Content_Types].xml" not in names:
        if "mimetype" in names and any(n.startswith("content.xml") for n in names):
            raise InputFileError(
                label,
                "looks like an OpenDocument file (.ods), not an Excel "
                "workbook: save it as .xlsx",
            )
        raise InputFileError(
            label, "is a zip archive but not an Excel workbook (no [Content_Types].xml)"
        )
    for part, what in _PACKAGES:
        if part in names:
            raise InputFileError(
                label, f"looks like {what}" + ("" if "xlsb" in part else ", not an Excel workbook")
            )
    if "xl/workbook.xml" not in names:
        raise InputFileError(
            label, "is an Office archive but not an Excel workbook (no xl/workbook.xml)"
        )


def _head(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` uncompressed bytes of a member (never the whole member)."""
    with archive.open(info) as member:
        return member.read(size)


def _check_shared_strings(
    archive: zipfile.ZipFile, infos: list, settings: IngestSettings, label: str
) -> None:
    """The shared-string counts declared in the <sst> tag must be within the limit."""
    for info in infos:
        base = info.filename.rsplit("/", 1)[-1].lower()
        if not (base.startswith("sharedstrings") and base.endswith(".xml")) or info.file_size == 0:
            continue
        head = _head(archive, info, 64 * 1024)
        tag = _SST.search(head)
        if tag is None:
            raise InputFileError(label, f"has a malformed shared-strings part ({info.filename})")
        declared = max((int(v) for _, v in _COUNT.findall(tag.group(1))), default=0)
        if declared > settings.max_shared_strings:
            raise InputFileError(
                label,
                f"declares {declared} shared strings, more than the limit of "
                f"{settings.max_shared_strings}"
                " (raise setting ingest.max_shared_strings to accept it)",
            )


def _span(ref: str) -> tuple[int, int] | None:
    """(rows, columns) covered by a reference like 'A1:XFD1048576'; None if unreadable."""
    corners = []
    for part in ref.strip().split(":")[:2]:
        match = _CELL.match(part.strip())
        if not match:
            return None
        col = 0
        for ch in match.group(1).upper():
            col = col * 26 + ord(ch) - 64
        corners.append((int(match.group(2)), col))
    (r0, c0), (r1, c1) = corners[0], corners[-1]
    return abs(r1 - r0) + 1, abs(c1 - c0) + 1


def _check_dimensions(
    archive: zipfile.ZipFile, infos: list, settings: IngestSettings, label: str
) -> None:
    """Each worksheet's declared <dimension> must fit in max_rows x max_columns."""
    for info in infos:
        name = info.filename
        if (
            not (name.startswith("xl/") and name.lower().endswith(".xml"))
            or "sharedstrings" in name.lower()
        ):
            continue
        match = _DIMENSION.search(_head(archive, info))
        span = _span(match.group(1).decode("ascii", "replace")) if match else None
        if span and (span[0] > settings.max_rows or span[1] > settings.max_columns):
            raise InputFileError(
                label,
                f"declares a sheet range {match.group(1).decode('ascii', 'replace')} in {name} "
                f"({span[0]} rows x {span[1]} columns), more than {settings.max_rows} x "
                f"{settings.max_columns} (settings ingest.max_rows / ingest.max_columns)",
            )
