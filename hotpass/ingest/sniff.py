"""Decide what a file really is from its first bytes, not only its extension."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from hotpass.errors import InputFileError
from hotpass.ingest.ole import MAGIC as OLE_MAGIC

EXTENSIONS = {
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
}
SUPPORTED = ", ".join(EXTENSIONS)
NOUNS = {"excel": "an Excel workbook", "csv": "a CSV file", "parquet": "a Parquet file"}

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_OTHER_BINARY = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"{\\rtf", "an RTF document"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a program (Windows executable)"),
)
_MARKUP = (
    (
        re.compile(rb"^\s*(<!doctype html|<html|<table)", re.I),
        "an HTML page",
        " (some systems export HTML tables named .xls: open it in Excel and save it as .xlsx)",
    ),
    (
        re.compile(rb"^\s*<\?xml[^>]*>\s*(<\?mso-application[^>]*>\s*)?<(ss:)?Workbook", re.I),
        "an Excel 2003 XML spreadsheet",
        " (not supported: open it in Excel and save it as .xlsx)",
    ),
    (re.compile(rb"^\s*<", re.I), "an XML or HTML document", ""),
)


def expected_kind(path: Path, display_name: str | None, label: str) -> str:
    """The kind of file the name promises ('excel', 'csv', 'parquet'); unknown raises."""
    for name in (display_name, path.name):
        suffix = Path(name).suffix.lower() if name else ""
        if suffix:
            if suffix in EXTENSIONS:
                return EXTENSIONS[suffix]
            raise InputFileError(
                label, f"has an unsupported file type {suffix!r} (supported: {SUPPORTED})"
            )
    raise InputFileError(label, f"has no file extension (supported: {SUPPORTED})")


def bom_encoding(head: bytes) -> str | None:
    """The encoding announced by a byte-order mark, if any."""
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding
    return None


#: Share of the characters of a UTF-16 sample that must have a zero high byte (mostly Latin text:
#: CSV headers, digits, punctuation) for text without a byte-order mark to be taken as UTF-16.
UTF16_ZERO_SHARE = 0.6


def utf16_encoding(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when bytes without a byte-order mark are UTF-16 text.

    Latin text in UTF-16 has a NUL in every other byte (the high byte of each
    character): odd positions for little-endian, even ones for big-endian. The
    other positions must hold no NUL, and the sample must decode and hold no
    control characters besides TAB, CR and LF.
    """
    sample = head[: len(head) // 2 * 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= UTF16_ZERO_SHARE * pairs and even == 0:
        encoding = "utf-16-le"
    elif even >= UTF16_ZERO_SHARE * pairs and odd == 0:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
        return None
    return encoding


def looks_like_text(head: bytes) -> bool:
    """True when the first bytes read as text (BOM, UTF-16 without one, UTF-8 or a single-byte
    code page)."""
    if bom_encoding(head) or utf16_encoding(head):
        return True
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return True
    except UnicodeDecodeError:
        pass
    controls = sum(b < 32 and b not in (9, 10, 13) for b in head)
    return controls <= len(head) // 100


def content_kind(head: bytes, expected: str, label: str) -> str:
    """What the bytes are: 'zip', 'ole', 'parquet' or 'text'; anything else raises."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"PAR1"):
        return "parquet"
    noun = NOUNS[expected]
    for magic, what in _OTHER_BINARY:
        if head.startswith(magic):
            raise InputFileError(label, f"looks like {what}, not {noun}")
    if looks_like_text(head):
        text_head = head[3:] if head.startswith(codecs.BOM_UTF8) else head
        for pattern, what, advice in _MARKUP:
            if pattern.match(text_head):
                raise InputFileError(label, f"looks like {what}, not {noun}{advice}")
        return "text"
    raise InputFileError(
        label, f"is not {noun} (unrecognised binary content; supported: {SUPPORTED})"
    )
