"""Builders for the ingest tests: hand-made xlsx archives, OLE2 containers and BIFF8 .xls.

Nothing binary is committed: every file is written into ``tmp_path`` at test
time. The few tests at the bottom check the builders themselves.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF

_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SMALL_CELLS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>5</v></c></row>'
)


def sheet_xml(cells: str = SMALL_CELLS, dimension: str | None = "A1:B2") -> str:
    """A worksheet part; ``dimension=None`` leaves the <dimension> element out."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{cells}</sheetData></worksheet>"
    )


def sst_xml(items: tuple[str, ...] = ("Name", "Phone"), declared: int | None = None) -> str:
    """A shared-strings part declaring ``declared`` strings (default: the real count)."""
    count = len(items) if declared is None else declared
    body = "".join(f"<si><t>{t}</t></si>" for t in items)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{count}" uniqueCount="{count}">{body}</sst>'
    )


def crafted_xlsx(
    path: Path, sheet: str | None = None, sst: str | None = None, extra: dict | None = None
) -> Path:
    """A minimal xlsx built member by member, so any part can be made hostile."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet if sheet is not None else sheet_xml())
        archive.writestr("xl/sharedStrings.xml", sst if sst is not None else sst_xml())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def _dir_entry(
    name: str, kind: int, start: int, size: int, child: int = _NOSTREAM, right: int = _NOSTREAM
) -> bytes:
    """One 128-byte directory entry of a compound file."""
    raw = name.encode("utf-16-le") + b"\x00\x00"
    entry = raw.ljust(64, b"\x00")
    entry += struct.pack("<HBB", len(raw), kind, 1)  # name length, type, colour black
    entry += struct.pack("<III", _NOSTREAM, right, child)  # left, right, child
    entry += b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16  # clsid, state bits, times
    entry += struct.pack("<IQ", start, size)
    return entry


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 OLE2 compound file holding up to 3 streams, each stored in the regular FAT.

    Streams are padded to 4096 bytes (the mini-stream cutoff) so no mini FAT is
    needed. Stream names must be given in directory order (shorter names first).
    """
    names = list(streams)
    assert 1 <= len(names) <= 3
    data = [streams[n].ljust(4096, b"\x00") for n in names]
    data = [d + b"\x00" * (-len(d) % 512) for d in data]
    fat = [_FATSECT, _END]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for block in data:
        first = len(fat)
        count = len(block) // 512
        fat.extend(range(first + 1, first + count))
        fat.append(_END)
        starts.append(first)
    assert len(fat) <= 128
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    entries = [_dir_entry("Root Entry", 5, _END, 0, child=1)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else _NOSTREAM
        entries.append(_dir_entry(name, 2, starts[i], len(data[i]), right=right))
    directory = b"".join(entries).ljust(512, b"\x00")
    header = OLE_MAGIC + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    header += struct.pack("<109I", 0, *([_FREE] * 108))
    return header + fat_sector + directory + b"".join(data)


def _record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def biff8_workbook(
    sheet_name: str, strings: list[str], cells: list[tuple], encrypted: bool = False
) -> bytes:
    """A minimal BIFF8 workbook stream with one sheet.

    ``cells`` are (row, col, value) with value a str (shared string), float,
    ("date", serial) or bool. XF 0 is General, XF 1 a built-in date format.
    """
    bof = lambda kind: _record(
        0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06)
    )  # noqa: E731
    xf = lambda fmt: _record(
        0x00E0, struct.pack("<HHHH", 0, fmt, 0x0001, 0) + b"\x00" * 12
    )  # noqa: E731
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(
        struct.pack("<HB", len(s), 0) + s.encode("latin-1") for s in strings
    )
    name = sheet_name.encode("latin-1")
    globals_tail = _record(0x00FC, sst) + _record(0x000A)
    filepass = _record(0x002F, struct.pack("<H", 1) + b"\x00" * 52) if encrypted else b""
    head = bof(0x0005) + filepass + _record(0x0042, struct.pack("<H", 1200)) + xf(0) + xf(14)
    sheet_offset = len(head) + len(_record(0x0085, b"\x00" * (8 + len(name)))) + len(globals_tail)
    boundsheet = _record(0x0085, struct.pack("<IBBBB", sheet_offset, 0, 0, len(name), 0) + name)
    body = b""
    for row, col, value in cells:
        if isinstance(value, bool):
            body += _record(0x0205, struct.pack("<HHHBB", row, col, 0, int(value), 0))
        elif isinstance(value, str):
            body += _record(0x00FD, struct.pack("<HHHI", row, col, 0, strings.index(value)))
        elif isinstance(value, tuple):
            body += _record(0x0203, struct.pack("<HHHd", row, col, 1, float(value[1])))
        else:
            body += _record(0x0203, struct.pack("<HHHd", row, col, 0, float(value)))
    rows = max(r for r, _, _ in cells) + 1
    cols = max(c for _, c, _ in cells) + 1
    sheet = (
        bof(0x0010)
        + _record(0x0200, struct.pack("<IIHHH", 0, rows, 0, cols, 0))
        + body
        + _record(0x000A)
    )
    return head + boundsheet + globals_tail + sheet


def legacy_xls(path: Path, cells: list[tuple], strings: list[str], encrypted: bool = False) -> Path:
    """A real (tiny) .xls file: a BIFF8 stream named 'Workbook' in a compound file."""
    stream = biff8_workbook("Data", strings, cells, encrypted=encrypted)
    path.write_bytes(compound_file({"Workbook": stream}))
    return path


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a password-protected xlsx: OLE2 with EncryptionInfo etc."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0"?><encryption/>'
    package = struct.pack("<Q", 1000) + b"\x5a" * 1000
    path.write_bytes(compound_file({"EncryptionInfo": info, "EncryptedPackage": package}))
    return path


# --- checks of the builders themselves ------------------------------------------


def test_compound_file_lists_its_streams(tmp_path):
    from hotpass.ingest.ole import list_entries

    path = encrypted_xlsx(tmp_path / "enc.xlsx")
    with path.open("rb") as handle:
        assert list_entries(handle, path.stat().st_size) == ["EncryptionInfo", "EncryptedPackage"]


def test_legacy_xls_is_readable_by_xlrd(tmp_path):
    import xlrd

    path = legacy_xls(
        tmp_path / "t.xls", [(0, 0, "Name"), (1, 0, "Acme"), (1, 1, 12.5)], ["Name", "Acme"]
    )
    book = xlrd.open_workbook(str(path))
    sheet = book.sheet_by_index(0)
    assert sheet.name == "Data"
    assert sheet.cell_value(1, 0) == "Acme"
    assert sheet.cell_value(1, 1) == 12.5
