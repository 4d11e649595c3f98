"""Ingest: read xlsx/xlsm/xls/csv/parquet files into text-only tables with provenance.

``read_workbook`` checks the file (:mod:`.safety`), parses it (Excel and
parquet in a memory-limited child process, :mod:`.isolation`; CSV in-process,
:mod:`.delimited`), finds each sheet's header row (:mod:`.headers`) and returns
a :class:`SourceWorkbook` whose sheets hold only ``str``/``None`` values indexed
by Excel row number. Headers over several rows and merged header cells are
read as one label per column (:mod:`.header_rows`). Formula cells are read by
their cached value; a formula saved without one, and an error value, become
findings naming the cell (:mod:`._cellscan`, :mod:`.cells`). Problems in the
data become findings; a file that cannot be read raises
:class:`~hotpass.errors.InputFileError` naming the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from hotpass.errors import InputFileError
from hotpass.findings import Findings
from hotpass.ingest import isolation
from hotpass.ingest.delimited import read_delimited
from hotpass.ingest.headers import fold_header
from hotpass.ingest.model import RawSheet, SheetContext, SourceSheet, SourceWorkbook
from hotpass.ingest.safety import Inspection, inspect
from hotpass.ingest.sheets import build_sheet
from hotpass.ingest.sniff import NOUNS, SUPPORTED
from hotpass.profile import IngestSettings

__all__ = [
    "SUPPORTED",
    "SourceSheet",
    "SourceWorkbook",
    "fold_header",
    "inspect_file",
    "read_workbook",
]


def inspect_file(
    path: str | Path, settings: IngestSettings | None = None, display_name: str | None = None
) -> None:
    """Run the safety checks alone (size, real format, archive limits); raise InputFileError."""
    path = Path(path)
    inspect(path, settings or IngestSettings(), display_name or str(path), display_name)


def read_workbook(
    path: str | Path,
    settings: IngestSettings | None = None,
    known_headers: set[str] | None = None,
    display_name: str | None = None,
    *,
    isolate: bool | None = None,
) -> SourceWorkbook:
    """Read every non-empty sheet of a file as text.

    ``known_headers``: folded header synonyms (see :func:`fold_header`) that
    help header detection. ``display_name``: the name used in messages and
    provenance instead of the path's (uploads live under temporary names).
    ``isolate``: parse Excel/parquet in a child process (default
    :data:`hotpass.ingest.isolation.PARSE_IN_CHILD`, i.e. yes).
    """
    path = Path(path)
    settings = settings or IngestSettings()
    file_name = Path(display_name).name if display_name else path.name
    label = display_name or str(path)
    checked = inspect(path, settings, label, display_name)
    findings = Findings()
    for code, message, severity in checked.notes:
        findings.add(code, message, severity, file=file_name)
    digest = _sha256(path, label)
    raws = _read_raw(path, checked, label, file_name, settings, findings, isolate)
    ctx = SheetContext(
        file=file_name,
        path=str(path),
        sha256=digest,
        scan_rows=settings.header_scan_rows,
        known_headers=set(known_headers or ()),
        findings=findings,
    )
    sheets, empty = _build_sheets(raws, ctx)
    if not sheets:
        count = f" (all {len(raws)} sheets are empty)" if len(raws) > 1 else ""
        raise InputFileError(label, f"contains no data{count}{_uncalculated(raws)}")
    return SourceWorkbook(
        file=file_name,
        path=str(path),
        sha256=digest,
        sheets=sheets,
        empty_sheets=empty,
        findings=findings,
    )


def _build_sheets(raws: list[RawSheet], ctx: SheetContext) -> tuple[list[SourceSheet], list[str]]:
    """Build every sheet; sheets without data rows are returned by name (with a finding)."""
    sheets, empty = [], []
    for raw in raws:
        sheet = build_sheet(raw, ctx)
        if sheet is not None:
            sheets.append(sheet)
            continue
        empty.append(raw.name)
        what = "has a header but no data rows" if raw.row_numbers else "is empty"
        ctx.findings.add(
            "ingest.empty_sheet",
            f"sheet {raw.name!r} {what}",
            "info",
            file=ctx.file,
            sheet=raw.name,
        )
    return sheets, empty


def _uncalculated(raws: list[RawSheet]) -> str:
    """A hint for a workbook whose only content is formulas saved without values."""
    count = sum(cell[2] == "no_value" for raw in raws for cell in raw.cells)
    if not count:
        return ""
    more = "at least " if any(raw.cell_total > len(raw.cells) for raw in raws) else ""
    return (
        f"; {more}{count} formula cell(s) have no saved value: open and save the file in "
        "Excel or LibreOffice to store the values"
    )


def _sha256(path: Path, label: str) -> str:
    """SHA-256 of the file bytes, read in 1 MB blocks."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InputFileError(label, f"cannot be read: {exc.strerror or exc}") from None
    return digest.hexdigest()


def _read_raw(
    path: Path,
    checked: Inspection,
    label: str,
    findings_file: str,
    settings: IngestSettings,
    findings: Findings,
    isolate: bool | None,
) -> list[RawSheet]:
    """Parse the file into raw sheets according to what it really is."""
    if checked.kind == "csv":
        noun = NOUNS[checked.expected] if checked.mislabelled_text else None
        return [
            read_delimited(
                path, label, settings, findings, strict_noun=noun, file_name=findings_file
            )
        ]
    job = {
        "kind": "parquet" if checked.kind == "parquet" else "excel",
        "path": str(path.resolve()),
        "limits": {"max_rows": settings.max_rows, "max_columns": settings.max_columns},
    }
    result = isolation.run_parse(job, label, settings.parse_memory_mb, isolate)
    for code, reason in result.get("notes", ()):
        findings.add(
            code,
            f"{label}: formulas without a saved value and error cells could not be looked "
            f"for ({reason})",
            "warning",
            file=findings_file,
        )
    return [_raw_sheet(payload) for payload in result["sheets"]]


def _raw_sheet(payload: dict) -> RawSheet:
    """A child's sheet payload as a :class:`RawSheet`."""
    return RawSheet(
        name=str(payload["name"]),
        columns=[isolation.decode_column(c) for c in payload["columns"]],
        row_numbers=isolation.decode_rows(payload["rows"]),
        first_col=int(payload["first_col"]),
        merged=[tuple(m) for m in payload["merged"]],
        header=payload["header"],
        visible=str(payload["visible"]),
        cells=[tuple(c) for c in payload.get("cells", ())],
        cell_total=int(payload.get("cell_total", 0)),
    )
