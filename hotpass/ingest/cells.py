"""Findings for cells whose value could not be read: formulas never calculated, error values."""

from __future__ import annotations

from hotpass.ingest.headers import column_letter
from hotpass.ingest.model import RawSheet, SheetContext

NO_VALUE = (
    "has no saved value (the file was saved by a program that does not calculate "
    "formulas); the cell is read as empty. Open and save the file in Excel or LibreOffice "
    "to store the values"
)


def note_cells(
    raw: RawSheet, columns: list[tuple[int, str]], header_row: int, ctx: SheetContext
) -> None:
    """One finding per listed cell (``raw.cells``), and one for those beyond the list."""
    labels = dict(columns)
    for row, col, kind, text in raw.cells:
        letter = column_letter(col)
        label = labels.get(col - raw.first_col) if row > header_row else None
        where = f"sheet {raw.name!r} cell {letter}{row}" + (f" (column {label!r})" if label else "")
        if kind == "error":
            code, message = (
                "ingest.error_value",
                f"{where} holds the error {text or '(unknown)'}; it is read as empty",
            )
        else:
            formula = f"the formula {text!r}" if text else "a shared formula"
            code, message = "ingest.formula_without_value", f"{where}: {formula} {NO_VALUE}"
        ctx.findings.add(
            code,
            message,
            "warning",
            file=ctx.file,
            sheet=raw.name,
            row=row,
            column=label or letter,
            original=text or None,
        )
    rest = raw.cell_total - len(raw.cells)
    if rest > 0:
        ctx.findings.add(
            "ingest.cells_not_listed",
            f"sheet {raw.name!r}: {rest} more cells with a formula without a saved value or an "
            "error value are not listed one by one",
            "warning",
            file=ctx.file,
            sheet=raw.name,
        )
