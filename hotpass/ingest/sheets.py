"""Turn raw text rows of one sheet into a :class:`SourceSheet` with findings."""

from __future__ import annotations

import pandas as pd

from hotpass.ingest.cells import note_cells
from hotpass.ingest.header_rows import Header, read_header
from hotpass.ingest.headers import clean_label, column_letter, dedupe_labels, detect_header
from hotpass.ingest.model import RawSheet, SheetContext, SourceSheet

MAX_LISTED = 20  # merged ranges spelled out in one finding message


def _top_rows(raw: RawSheet, count: int) -> list[list[str | None]]:
    """The first ``count`` rows, row-wise."""
    count = min(count, len(raw.row_numbers))
    return [[column[i] for column in raw.columns] for i in range(count)]


def _locate_header(raw: RawSheet, ctx: SheetContext) -> tuple[list[str | None], int, int]:
    """(header cells, header Excel row or 0, index of the first data row)."""
    if raw.header is not None:
        return list(raw.header), 0, 0
    top = _top_rows(raw, ctx.scan_rows + 6)
    index = detect_header(top, ctx.scan_rows, ctx.known_headers)
    if index is None:
        ctx.findings.add(
            "ingest.no_header",
            f"sheet {raw.name!r} has no header row in its top {ctx.scan_rows} "
            "rows; columns are named by letter and every row is data",
            "warning",
            file=ctx.file,
            sheet=raw.name,
        )
        return [None] * len(raw.columns), 0, 0
    header = read_header(raw, top, index, ctx.known_headers)
    index = header.index
    _note_titles(raw, ctx, top, index - len(header.rows) + 1, raw.row_numbers[index])
    _note_header(raw, ctx, header)
    return header.cells, raw.row_numbers[index], index + 1


def _note_titles(raw: RawSheet, ctx: SheetContext, top: list, count: int, header_row: int) -> None:
    """One finding for the title rows skipped above the header."""
    if count <= 0:
        return
    titles = [" ".join(v for v in row if v) for row in top[:count]]
    ctx.findings.add(
        "ingest.title_rows",
        f"sheet {raw.name!r}: {count} title row(s) above the header "
        f"(row {header_row}) were skipped",
        "info",
        file=ctx.file,
        sheet=raw.name,
        row=header_row,
        original=" | ".join(titles)[:500],
    )


def _note_header(raw: RawSheet, ctx: SheetContext, header: Header) -> None:
    """Findings saying which merged header cells were spread and which header rows joined."""
    where = {"file": ctx.file, "sheet": raw.name, "row": header.rows[-1]}
    spread = list(dict.fromkeys(header.spread))
    if spread:
        more = f" and {len(spread) - MAX_LISTED} more" if len(spread) > MAX_LISTED else ""
        ctx.findings.add(
            "ingest.merged_header",
            f"sheet {raw.name!r}: merged header cell(s) {', '.join(spread[:MAX_LISTED])}{more} "
            "label every column they cover",
            "info",
            original=", ".join(spread),
            **where,
        )
    if len(header.rows) > 1:
        groups = ", ".join(repr(g) for g in header.groups)
        joined = f"; the group labels {groups} were joined to the labels below them"
        ctx.findings.add(
            "ingest.header_rows_combined",
            f"sheet {raw.name!r}: rows {header.rows[0]}-{header.rows[-1]} are one header"
            + (joined if groups else ""),
            "info",
            original=" | ".join(header.groups)[:500] or None,
            **where,
        )


def _labels(
    raw: RawSheet, cells: list, header_row: int, start: int, ctx: SheetContext
) -> list[tuple[int, str]]:
    """(column position, label) of every kept column, with blank/duplicate findings."""
    kept = []
    for pos, cell in enumerate(cells):
        label = clean_label(cell)
        has_data = any(v is not None for v in raw.columns[pos][start:])
        if not label:
            if not has_data:
                continue  # nothing above nor below: an unused column
            label = f"column_{column_letter(raw.first_col + pos)}"
            if header_row:
                ctx.findings.add(
                    "ingest.blank_header",
                    f"sheet {raw.name!r}: column {column_letter(raw.first_col + pos)} "
                    f"has data but no header; named {label!r}",
                    "warning",
                    file=ctx.file,
                    sheet=raw.name,
                    row=header_row,
                    column=label,
                    new=label,
                )
        kept.append((pos, label))
    labels = [label for _, label in kept]
    for original, new in dedupe_labels(labels):
        ctx.findings.add(
            "ingest.duplicate_header",
            f"sheet {raw.name!r}: header {original!r} appears more than " f"once; renamed {new!r}",
            "warning",
            file=ctx.file,
            sheet=raw.name,
            row=header_row or None,
            column=new,
            original=original,
            new=new,
        )
    return [(pos, label) for (pos, _), label in zip(kept, labels)]


def _note_merged(raw: RawSheet, ctx: SheetContext) -> None:
    """One finding listing the sheet's merged ranges (their value sits in the top-left cell)."""
    if not raw.merged:
        return
    refs = [
        f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}" for r0, c0, r1, c1 in raw.merged
    ]
    shown = ", ".join(refs[:MAX_LISTED]) + (
        f" and {len(refs) - MAX_LISTED} more" if len(refs) > MAX_LISTED else ""
    )
    r0, c0 = raw.merged[0][0], raw.merged[0][1]
    ctx.findings.add(
        "ingest.merged_cells",
        f"sheet {raw.name!r} has {len(refs)} merged cell range(s): {shown}; "
        "each value is kept in the top-left cell only (a merged header cell labels every "
        "column it covers)",
        "info",
        file=ctx.file,
        sheet=raw.name,
        row=r0 + 1,
        column=column_letter(c0),
        original=", ".join(refs),
    )


def build_sheet(raw: RawSheet, ctx: SheetContext) -> SourceSheet | None:
    """The sheet as a :class:`SourceSheet`, or None when it has no data rows."""
    _note_merged(raw, ctx)
    if raw.visible != "Visible":
        ctx.findings.add(
            "ingest.hidden_sheet",
            f"sheet {raw.name!r} is hidden in the workbook; it was read like the others",
            "info",
            file=ctx.file,
            sheet=raw.name,
        )
    if not raw.row_numbers:
        note_cells(raw, [], 0, ctx)
        return None
    cells, header_row, start = _locate_header(raw, ctx)
    columns = _labels(raw, cells, header_row, start, ctx)
    note_cells(raw, columns, header_row, ctx)
    if start >= len(raw.row_numbers) or not columns:
        return None
    data = {label: raw.columns[pos][start:] for pos, label in columns}
    index = pd.Index(raw.row_numbers[start:], dtype="int64", name="source_row")
    frame = pd.DataFrame(data, index=index, dtype=object, columns=[label for _, label in columns])
    return SourceSheet(
        file=ctx.file,
        path=ctx.path,
        sha256=ctx.sha256,
        sheet=raw.name,
        header_row=header_row,
        columns=list(frame.columns),
        frame=frame,
    )
