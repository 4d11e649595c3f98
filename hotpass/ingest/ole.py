"""Just enough of the OLE2 / Compound File Binary format to list its entry names.

Legacy ``.xls`` workbooks are OLE2 containers holding a ``Workbook`` (or
``Book``) stream; password-protected ``.xlsx`` files are OLE2 containers too,
holding ``EncryptionInfo`` and ``EncryptedPackage`` streams. Listing the
directory tells them apart without any third-party parser. Every read is
bounds-checked and every sector chain is guarded against loops.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE
_MAX_REGULAR = 0xFFFFFFFA
_DIR_ENTRY = 128


class OleError(ValueError):
    """The container is malformed."""


def _read_at(handle: BinaryIO, offset: int, size: int) -> bytes:
    handle.seek(offset)
    data = handle.read(size)
    if len(data) != size:
        raise OleError("truncated compound file")
    return data


def _fat_sector_ids(handle: BinaryIO, header: bytes, shift: int, total: int) -> list[int]:
    """Sector numbers of the FAT: 109 from the header, the rest from the DIFAT chain."""
    count = struct.unpack_from("<I", header, 0x2C)[0]
    if count > total:
        raise OleError("FAT larger than the file")
    ids = list(struct.unpack_from("<109I", header, 0x4C))
    difat, per_sector = struct.unpack_from("<I", header, 0x44)[0], (1 << shift) // 4 - 1
    seen = 0
    while difat <= _MAX_REGULAR and len(ids) < count:
        seen += 1
        if seen > total:
            raise OleError("DIFAT chain loops")
        block = _read_at(handle, (difat + 1) << shift, 1 << shift)
        values = struct.unpack(f"<{per_sector + 1}I", block)
        ids.extend(values[:per_sector])
        difat = values[per_sector]
    return [i for i in ids[:count] if i <= _MAX_REGULAR]


def _chain(fat: list[int], start: int, total: int) -> list[int]:
    """The sectors of one chain, refusing loops and out-of-range links."""
    sectors, current = [], start
    while current != _END:
        if current > _MAX_REGULAR or current >= len(fat) or len(sectors) > total:
            raise OleError("broken sector chain")
        sectors.append(current)
        current = fat[current]
    return sectors


def list_entries(handle: BinaryIO, file_size: int) -> list[str]:
    """Names of every storage and stream in the container (root entry excluded)."""
    header = _read_at(handle, 0, 512)
    if header[:8] != MAGIC:
        raise OleError("not a compound file")
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        raise OleError("unsupported sector size")
    total = max(file_size >> shift, 1)
    fat: list[int] = []
    for sector in _fat_sector_ids(handle, header, shift, total):
        block = _read_at(handle, (sector + 1) << shift, 1 << shift)
        fat.extend(struct.unpack(f"<{len(block) // 4}I", block))
    names = []
    for sector in _chain(fat, struct.unpack_from("<I", header, 0x30)[0], total):
        block = _read_at(handle, (sector + 1) << shift, 1 << shift)
        for offset in range(0, len(block), _DIR_ENTRY):
            entry = block[offset : offset + _DIR_ENTRY]
            length, kind = struct.unpack_from("<HB", entry, 0x40)
            if kind in (1, 2) and 2 <= length <= 64:
                names.append(entry[: length - 2].decode("utf-16-le", errors="replace"))
    return names
