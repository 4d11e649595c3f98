"""CSV and Parquet export, csv_safe, file naming and atomic writes."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date, datetime

import pandas as pd
import pytest

from hotpass.errors import ExportError
from hotpass.export import Table, atomic_path, csv_safe, write_csv, write_parquet
from tests.conftest import ROOT


def contacts() -> Table:
    """A small table with hostile text, numbers and dates."""
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", 'Zoë, "Z"\nNel', None],
            "email": ["a@b.co", "\tx@y.z", "\rq@r.s", "ok@ok.ok", "", None],
            "joined": [
                "2024-01-05",
                date(2023, 2, 1),
                datetime(2023, 2, 1, 8, 30),
                None,
                "n/a",
                "x",
            ],
            "calls": [3, 4.0, "-5", "=1+2", None, 7],
        }
    )
    return Table("Contact List", frame, {"email": "email", "joined": "date", "calls": "integer"})


def read_csv_rows(path) -> list[list[str]]:
    """Rows of a written CSV, decoded as Excel would (UTF-8 with BOM)."""
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2-A1", "'-2-A1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\uff1dHYPERLINK(\"http://x\")", "'\uff1dHYPERLINK(\"http://x\")"),  # full-width =
        ("\uff0b1", "'\uff0b1"),
        (" =1", "' =1"),  # spaces first do not hide a formula
        ("", ""),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("+27821234567", "+27821234567"),  # an E.164 phone is data
        ("-2", "-2"),  # so is a negative number
        ("-2.5e3", "-2.5e3"),
        ("+", "'+"),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_csv_is_utf8_with_bom_newline_terminated_and_safe(tmp_path):
    [path] = write_csv(tmp_path / "out", [contacts()])
    assert path.name == "contact_list.csv"
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data  # CR inside a cell is written as LF, lines end with LF
    assert data.endswith(b"\n") and not data.endswith(b"\r\n")
    rows = read_csv_rows(path)
    assert rows[0] == ["name", "email", "joined", "calls"]
    assert [r[0] for r in rows[1:]] == [
        '\'=HYPERLINK("http://x")',
        "'+1+1",
        "-2",
        "'@SUM(A1)",
        'Zoë, "Z"\nNel',
        "",
    ]
    assert [r[1] for r in rows[1:]] == ["a@b.co", "'\tx@y.z", "'\nq@r.s", "ok@ok.ok", "", ""]
    assert [r[2] for r in rows[1:]] == [
        "2024-01-05",
        "2023-02-01",
        "2023-02-01 08:30:00",
        "",
        "n/a",
        "x",
    ]
    assert [r[3] for r in rows[1:]] == ["3", "4", "-5", "'=1+2", "", "7"]


def test_no_csv_cell_can_start_a_formula(tmp_path):
    [path] = write_csv(tmp_path, [contacts()])
    for row in read_csv_rows(path):
        for cell in row:
            if cell.startswith(("=", "+", "@", "\t", "\r")):
                pytest.fail(f"unsafe cell {cell!r}")
            if cell.startswith("-"):
                float(cell)  # only plain negative numbers may start with "-"


def test_csv_is_deterministic_and_names_are_unique(tmp_path):
    tables = [
        contacts(),
        Table("contact list", pd.DataFrame({"a": ["1"]})),
        Table("a/b:c", pd.DataFrame()),
    ]
    first = write_csv(tmp_path / "1", tables)
    second = write_csv(tmp_path / "2", tables)
    assert [p.name for p in first] == ["contact_list.csv", "contact_list_2.csv", "a_b_c.csv"]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert first[2].read_bytes() == b"\xef\xbb\xbf\n"  # no columns: an empty header line


def test_parquet_round_trip(tmp_path):
    frame = pd.DataFrame(
        {
            "name": ["Acme", None, "=1+1"],
            "n": [1.5, None, 3.0],
            "count": pd.array([1, None, 3], dtype="Int64"),
            "mixed": ["2024-01-01", 5, None],
            "when": pd.to_datetime(["2024-01-01", None, "2024-03-04 05:06"], format="ISO8601"),
        }
    )
    table = Table(
        "Orgs", frame, {"n": "number", "count": "integer", "mixed": "date", "when": "datetime"}
    )
    [path] = write_parquet(tmp_path, [table])
    back = pd.read_parquet(path)
    assert list(back.columns) == list(frame.columns)
    assert back["name"].tolist()[0::2] == ["Acme", "=1+1"] and pd.isna(back["name"][1])
    assert back["n"].tolist()[0::2] == [1.5, 3.0]
    assert back["count"].tolist()[0::2] == [1, 3]
    assert back["mixed"].tolist()[:2] == ["2024-01-01", "5"]  # mixed values kept as text
    assert back["when"].iloc[2] == pd.Timestamp("2024-03-04 05:06")


def test_parquet_is_deterministic_and_text_columns_are_strings(tmp_path):
    import pyarrow.parquet as pq

    frame = pd.DataFrame({"a": [1, "x", None], "a ": ["p", "q", "r"]})
    frame.columns = ["a", "a"]  # duplicate names become a, a_2
    first = write_parquet(tmp_path / "1", [Table("T", frame)])
    second = write_parquet(tmp_path / "2", [Table("T", frame)])
    assert first[0].read_bytes() == second[0].read_bytes()
    schema = pq.read_schema(first[0])
    assert schema.names == ["a", "a_2"]
    assert str(schema.field("a").type) == "string"
    assert pq.read_table(first[0]).column("a").to_pylist() == ["1", "x", None]


def test_atomic_path_replaces_only_on_success(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as temp:
            assert temp.parent == tmp_path and temp != target
            temp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with atomic_path(target) as temp:
        temp.write_text("new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_failed_csv_export_leaves_no_files(tmp_path):
    class Boom:
        def __str__(self):
            raise OSError(28, "No space left on device")

    tables = [contacts(), Table("bad", pd.DataFrame({"a": [Boom()]}))]
    with pytest.raises(ExportError, match=r"bad\.csv: cannot write: the disk is full"):
        write_csv(tmp_path, tables)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_raises_export_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ExportError, match="file"):
        write_csv(blocker, [contacts()])
    with pytest.raises(ExportError, match="not a folder"):
        with atomic_path(blocker / "x.csv"):
            pass


WRITE_AS_ROOT_WITHOUT_OVERRIDE = """
import sys
from pathlib import Path
from hotpass.errors import ExportError
from hotpass.export import write_parquet
from tests.test_export_flat import contacts
try:
    write_parquet(Path(sys.argv[1]), [contacts()])
except ExportError as exc:
    sys.exit(f"ExportError: {exc}")
"""


def test_read_only_folder_raises_export_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.geteuid() == 0:  # root ignores folder permissions: write without CAP_DAC_OVERRIDE
            drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
            run = subprocess.run([*drop, sys.executable, "-c", WRITE_AS_ROOT_WITHOUT_OVERRIDE, str(folder)],
                                 capture_output=True, text=True, cwd=ROOT, timeout=120)
            assert run.returncode == 1 and "ExportError:" in run.stderr, run.stderr
            assert "permission denied" in run.stderr
        else:
            with pytest.raises(ExportError, match="permission denied"):
                write_parquet(folder, [contacts()])
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)
