"""Export stage: tables -> styled .xlsx workbook, CSV files, Parquet files.

The public API::

    Table(name, frame, kinds={column: kind}, widths={column: width})
    write_workbook(path, tables, summary=None, progress=None) -> Path
    write_csv(directory, tables) -> list[Path]
    write_parquet(directory, tables) -> list[Path]
    csv_safe(value) -> str
    atomic_path(path)  # context manager: temp path beside ``path``, moved in on success

Column kinds: ``text`` (default), ``url``, ``email``, ``date``, ``datetime``,
``integer``, ``number``, ``percent``. Every file is written atomically; a
file that cannot be written raises :class:`~hotpass.errors.ExportError`.
"""

from hotpass.export.atomic import atomic_path
from hotpass.export.cells import csv_safe
from hotpass.export.flat import write_csv, write_parquet
from hotpass.export.table import FAILED_RED, KINDS, SCORE_SCALE, Table
from hotpass.export.xlsx import write_workbook

__all__ = [
    "FAILED_RED",
    "KINDS",
    "SCORE_SCALE",
    "Table",
    "atomic_path",
    "csv_safe",
    "write_csv",
    "write_parquet",
    "write_workbook",
]
