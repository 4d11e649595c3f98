"""The outcome of a validation run: one row per expectation, and findings for the failures."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hotpass.findings import Findings

#: Columns of :attr:`Validation.results`, in order.
COLUMNS = [
    "table", "expectation", "id", "type", "column", "description", "success", "blocking",
    "element_count", "unexpected_count", "unexpected_percent", "examples", "message",
]
_DTYPES = {"success": bool, "blocking": bool, "element_count": "int64",
           "unexpected_count": "int64", "unexpected_percent": "float64"}


def results_frame(rows: list[dict]) -> pd.DataFrame:
    """Result rows as a frame with :data:`COLUMNS` and fixed dtypes (text columns stay objects)."""
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    return frame.astype(_DTYPES)


def sheet_of(table: str) -> str:
    """The workbook sheet a table is written to: ``organisations`` -> ``Organisations``."""
    return table[:1].upper() + table[1:]


@dataclass
class Validation:
    """Every expectation's outcome (:data:`COLUMNS`) and how long the run took."""

    results: pd.DataFrame
    seconds: float

    def failed(self) -> pd.DataFrame:
        """Rows of the expectations that failed."""
        return self.results[~self.results["success"]]

    def blocking_failures(self) -> pd.DataFrame:
        """Rows of the failed expectations that block publishing."""
        return self.results[~self.results["success"] & self.results["blocking"]]

    def findings(self) -> Findings:
        """One finding per failed expectation: an error when it blocks, else a warning."""
        findings = Findings()
        for row in self.failed().itertuples(index=False):
            findings.add(
                f"validation.{row.table}.{row.expectation}",
                failure_message(row),
                "error" if row.blocking else "warning",
                sheet=sheet_of(row.table),
                column=row.column,
                rule=row.id,
            )
        return findings

    def to_frame(self) -> pd.DataFrame:
        """The results, for the workbook's Validation sheet."""
        return self.results.copy()


def failure_message(row) -> str:
    """'312 of 4,120 organisations (7.6%) fail: phone is E.164; e.g. 011 555 0101'."""
    if row.message:
        return f"{row.description}: could not be checked: {row.message}"
    if row.unexpected_count:
        text = (f"{row.unexpected_count:,} of {row.element_count:,} {row.table} "
                f"({row.unexpected_percent:.1f}%) fail: {row.description}")
    else:
        text = f"{row.table} fail: {row.description}"
    return f"{text}; e.g. {row.examples}" if row.examples else text
