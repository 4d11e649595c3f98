"""Reading CSV (and other delimited text) files as text, never guessing types.

Encoding: a byte-order mark wins, then UTF-16 without one (recognised by the
NUL high bytes of Latin text), then strict UTF-8, then Windows-1252 (with
an ``ingest.encoding_fallback`` finding; Latin-1 if even cp1252 fails). The
delimiter is sniffed among ``, ; TAB |`` by how consistently each splits the
first 64 KB into the same number of fields. Row numbers are record numbers:
the first record (usually the header) is 1.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from hotpass.errors import InputFileError
from hotpass.findings import Findings
from hotpass.ingest.model import RawSheet
from hotpass.ingest.sniff import bom_encoding, utf16_encoding
from hotpass.profile import IngestSettings

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_CHARS = 65_536


def decode(data: bytes, label: str, findings: Findings, file_name: str | None = None) -> str:
    """Bytes to text: BOM, then UTF-16 without one, then strict UTF-8, then cp1252 (noted as a
    finding)."""
    announced = bom_encoding(data[:4])
    if announced:
        try:
            return data.decode(announced)
        except UnicodeDecodeError:
            raise InputFileError(
                label, f"is not valid {announced.upper()} text despite its byte-order mark"
            ) from None
    guessed = utf16_encoding(data[:4096])
    if guessed:
        try:
            return data.decode(guessed)
        except UnicodeDecodeError as error:
            raise InputFileError(
                label, f"looks like {guessed.upper()} text without a byte-order mark, but byte "
                f"{error.start:,} is not valid {guessed.upper()}"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding, name in (("cp1252", "Windows-1252 (cp1252)"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        findings.add(
            "ingest.encoding_fallback",
            f"{label} is not valid UTF-8; it was read as {name}. Check accented letters",
            "warning",
            file=file_name or label,
            sheet="csv",
            rule=encoding,
        )
        return text
    raise InputFileError(label, "is not readable text")  # unreachable: latin-1 decodes anything


def sniff_delimiter(sample: str) -> tuple[str, int, float]:
    """(delimiter, modal field count, share of records with that count) for a text sample."""
    if len(sample) >= SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # drop a line cut in half
    best = (",", 1, 0.0)
    for delimiter in DELIMITERS:
        try:
            counts = [
                len(r)
                for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                if r
            ]
        except csv.Error:
            continue
        if not counts:
            continue
        modal, hits = Counter(counts).most_common(1)[0]
        share = hits / len(counts) if modal > 1 else 0.0
        if (share, modal) > (best[2], best[1]):
            best = (delimiter, modal, share)
    return best


def _records(
    text: str, delimiter: str, label: str, settings: IngestSettings
) -> tuple[list, list[int]]:
    """Non-empty records as lists of stripped text/None, and their record numbers."""
    rows, numbers = [], []
    try:
        for number, record in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1
        ):
            if len(record) > settings.max_columns:
                raise InputFileError(
                    label,
                    f"record {number} has {len(record)} fields, more than the limit of "
                    f"{settings.max_columns} (setting ingest.max_columns)",
                )
            values = [v.strip() or None for v in record]
            if any(values):
                rows.append(values)
                numbers.append(number)
    except csv.Error as exc:
        raise InputFileError(label, f"is not a valid CSV file: {exc}") from None
    if numbers and numbers[-1] > settings.max_rows:
        raise InputFileError(
            label, f"has more than {settings.max_rows} records (setting ingest.max_rows)"
        )
    return rows, numbers


def read_delimited(
    path: Path,
    label: str,
    settings: IngestSettings,
    findings: Findings,
    strict_noun: str | None = None,
    file_name: str | None = None,
) -> RawSheet:
    """Read a delimited text file as one sheet named 'csv'.

    ``strict_noun`` (e.g. "an Excel workbook", for text in a file named .xlsx):
    accept the text only when it clearly is a table (2+ fields on at least 80 %
    of records), else raise "looks like a text file, not <noun>".
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(label, f"cannot be read: {exc.strerror or exc}") from None
    text = decode(data, label, findings, file_name)
    delimiter, modal, share = sniff_delimiter(text[:SAMPLE_CHARS])
    if strict_noun and (modal < 2 or share < 0.8):
        raise InputFileError(label, f"looks like a text file, not {strict_noun}")
    rows, numbers = _records(text, delimiter, label, settings)
    width = max((len(r) for r in rows), default=0)
    padded = [r + [None] * (width - len(r)) if len(r) < width else r for r in rows]
    columns = [list(c) for c in zip(*padded)] if padded else []
    return RawSheet(name="csv", columns=columns, row_numbers=numbers)
