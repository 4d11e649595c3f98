"""CSV injection, table-driven against the OWASP rules, through every writer Hotpass has.

OWASP (CSV Injection) and ASVS 5.0 1.2.10: a cell whose first character is
``=``, ``+``, ``-``, ``@``, TAB, CR or NUL is prefixed with ``'``. Hotpass also
treats the full-width forms (``＝ ＋ － ＠``, which Excel folds to ASCII) and
leading spaces the same way, and leaves a plain number alone: ``+27821234567``
and ``-12.5`` are data a spreadsheet reads as a number, never as a formula.
``-1+1`` is not a plain number: Excel evaluates it (to 0), so it is escaped.
The workbook needs no prefix: every text cell is a string cell, never a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from hotpass.export import Table, csv_safe, write_csv, write_workbook
from hotpass.export.copy import copy_csv
from hotpass.rundb import RunDB

#: value -> what the CSV cell holds
OWASP = [
    ('=HYPERLINK("http://evil.test","open")', '\'=HYPERLINK("http://evil.test","open")'),
    ('\uff1dHYPERLINK("http://evil.test")', '\'\uff1dHYPERLINK("http://evil.test")'),  # full-width =
    ("\uff0b1+1", "'\uff0b1+1"),
    ("\uff0d1+1", "'\uff0d1+1"),
    ("\uff20SUM(1+1)", "'\uff20SUM(1+1)"),
    ("\uff0b27821234567", "'\uff0b27821234567"),  # not a number a spreadsheet reads
    ("+27821234567", "+27821234567"),  # E.164 phone: data
    ("-12.5", "-12.5"),  # negative number: data
    ("+1.5e3", "+1.5e3"),
    (" -5 ", " -5 "),  # a number with spaces round it is still a number
    ("-1+1", "'-1+1"),  # Excel evaluates it: escaped
    ("+1+1", "'+1+1"),
    ("-", "'-"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\n=1+1"),  # escaped, and the CR inside the cell becomes LF
    ("\x00=1+1", "'\x00=1+1"),  # ASVS 5.0: NUL first
    (" =1+1", "' =1+1"),  # space-led
    ("   @x", "'   @x"),
    ("a=b", "a=b"),  # = not at the start
    ("Smith-Jones", "Smith-Jones"),
    ("info@acme.test", "info@acme.test"),
    ("'=already", "'=already"),
    ("1-2", "1-2"),
    ("", ""),
]


@pytest.mark.parametrize(("value", "expected"), OWASP)
def test_csv_safe_follows_the_owasp_rules(value, expected):
    # csv_safe only prefixes; the writers turn a CR inside a cell into LF
    assert csv_safe(value).replace("\r", "\n") == expected


def _cells(path) -> list[str]:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["value"]
    return [row[0] if row else "" for row in rows[1:]]


def test_the_duckdb_csv_writer_escapes_exactly_the_same_cells(tmp_path):
    with RunDB() as db:
        db.write("cells", pd.DataFrame({"value": [v for v, _ in OWASP]}))
        path = copy_csv(db, "SELECT value FROM cells", tmp_path / "cells.csv")
    assert _cells(path) == [e for _, e in OWASP]


def test_the_frame_csv_writer_escapes_exactly_the_same_cells(tmp_path):
    (path,) = write_csv(tmp_path, [Table("cells", pd.DataFrame({"value": [v for v, _ in OWASP]}))])
    expected = [e for _, e in OWASP]
    assert _cells(path) == expected


def test_the_workbook_holds_every_value_as_text_and_no_formula(tmp_path):
    values = [v for v, _ in OWASP]
    path = write_workbook(tmp_path / "cells.xlsx", [Table("Cells", pd.DataFrame({"value": values}))])
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(archive.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml and "<f " not in xml, "a cell was written as a formula"
    sheet = openpyxl.load_workbook(path)["Cells"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2, max_col=1)]
    written = {c.value: c.data_type for c in cells if c.value is not None}
    for value in values:
        shown = value.replace("\x00", "").replace("\r", "\n")  # XML has no NUL; CR is a line break
        if not shown:
            continue
        assert written.get(shown) == "s", f"{value!r} is not a text cell: {written.get(shown)!r}"
