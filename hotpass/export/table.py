"""The unit of export: one named frame with a kind and an optional width per column."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: Column kinds shown as text (hyperlinks for ``url`` and ``email``).
TEXT_KINDS = frozenset({"text", "url", "email"})
#: Column kinds that become hyperlinks in a workbook.
LINK_KINDS = frozenset({"url", "email"})
#: Column kinds written as Excel dates.
DATE_KINDS = frozenset({"date", "datetime"})
#: Column kinds written as Excel numbers.
NUMBER_KINDS = frozenset({"integer", "number", "percent"})
#: Every kind a caller may name in ``Table.kinds``.
KINDS = TEXT_KINDS | DATE_KINDS | NUMBER_KINDS
#: Red-amber-green colour scale for 0-100 scores.
SCORE_SCALE = {
    "type": "3_color_scale",
    "min_type": "num", "min_value": 0, "min_color": "#F8696B",
    "mid_type": "num", "mid_value": 60, "mid_color": "#FFEB84",
    "max_type": "num", "max_value": 100, "max_color": "#63BE7B",
}
#: Red cells where the text is "failed".
FAILED_RED = {"type": "cell", "criteria": "==", "value": '"failed"', "format": "bad"}


@dataclass
class Table:
    """One deliverable table.

    ``name`` is the sheet name in a workbook (sanitised to Excel's rules) and
    the file stem for CSV and Parquet. ``kinds`` maps a column to one of
    :data:`KINDS`; unnamed columns are ``"text"``. ``widths`` fixes the
    width of a column in a workbook instead of fitting it to the content.
    ``conditional`` gives a column an Excel conditional-formatting rule
    (xlsxwriter ``conditional_format`` options, e.g. :data:`SCORE_SCALE`)
    over its data rows; CSV and Parquet ignore it.
    """

    name: str
    frame: pd.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    conditional: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise TypeError(f"table {self.name!r}: frame must be a pandas DataFrame")
        unknown = sorted({k for k in self.kinds.values() if k not in KINDS})
        if unknown:
            raise ValueError(
                f"table {self.name!r}: unknown column kind(s) {unknown}; "
                f"use one of {sorted(KINDS)}"
            )

    def kind_of(self, column: object) -> str:
        """The kind of ``column`` (``"text"`` when not named in ``kinds``)."""
        return self.kinds.get(column, "text")  # type: ignore[call-overload]

    def headers(self) -> list[str]:
        """Column headers as text, in frame order."""
        return [str(c) for c in self.frame.columns]
