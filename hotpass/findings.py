"""Findings are data: what Hotpass noticed or changed, with where it happened.

A finding is one row: ``code``, ``severity``, ``message``, ``file``, ``sheet``,
``row`` (Excel row number), ``column``, ``original``, ``new``, ``rule``.
Stages append findings to a :class:`Findings` collector, which keeps them as
columns so that hundreds of thousands of them stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

COLUMNS = ["code", "severity", "message", "file", "sheet", "row", "column", "original", "new", "rule"]
SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Finding:
    """One thing noticed in the data."""

    code: str
    message: str
    severity: str = "info"
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    original: str | None = None
    new: str | None = None
    rule: str | None = None


@dataclass
class Findings:
    """A column-wise collector of findings."""

    _rows: list[tuple] = field(default_factory=list)

    def add(self, code: str, message: str, severity: str = "info", **where) -> None:
        """Record one finding; ``where`` takes file, sheet, row, column, original, new, rule."""
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        self._rows.append(
            (
                code,
                severity,
                message,
                where.get("file"),
                where.get("sheet"),
                where.get("row"),
                where.get("column"),
                where.get("original"),
                where.get("new"),
                where.get("rule"),
            )
        )

    def add_finding(self, finding: Finding) -> None:
        """Record a :class:`Finding` object."""
        self.add(
            finding.code,
            finding.message,
            finding.severity,
            file=finding.file,
            sheet=finding.sheet,
            row=finding.row,
            column=finding.column,
            original=finding.original,
            new=finding.new,
            rule=finding.rule,
        )

    def extend(self, other: Findings | pd.DataFrame) -> None:
        """Append another collector or a findings frame."""
        if isinstance(other, Findings):
            self._rows.extend(other._rows)
        else:
            frame = other.reindex(columns=COLUMNS)
            self._rows.extend(frame.itertuples(index=False, name=None))

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self):
        for row in self._rows:
            yield Finding(
                code=row[0], severity=row[1], message=row[2], file=row[3], sheet=row[4],
                row=row[5], column=row[6], original=row[7], new=row[8], rule=row[9],
            )

    def codes(self) -> list[str]:
        """The code of every finding, in order."""
        return [row[0] for row in self._rows]

    def to_frame(self) -> pd.DataFrame:
        """All findings as a frame with :data:`COLUMNS`."""
        frame = pd.DataFrame(self._rows, columns=COLUMNS, dtype=object)
        frame["row"] = pd.array(frame["row"], dtype="Int64")
        return frame
