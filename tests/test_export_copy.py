"""CSV and Parquet straight from a run's tables follow the same rules as the frame writers."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pyarrow.parquet as pq

from hotpass.export import Table, write_csv
from hotpass.export.copy import copy_csv, copy_parquet
from hotpass.rundb import RunDB

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", 'Zoë, "Z"\r\nNel', None, "+27821234567",
           "\uff1dcmd|' /C calc'!A0", " =1", "\tx"]


def _rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_copy_csv_writes_what_the_frame_writer_writes(tmp_path):
    frame = pd.DataFrame({"text": HOSTILE, "n": [1.5, None, 3.0, 4.25, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
                          "count": pd.array([1, None, 3, 4, 5, 6, 7, 8, 9, 10], dtype="Int64"),
                          "flag": [True, False, None, True, True, True, True, True, True, False]})
    db = RunDB()
    db.write("t", frame)
    fast = copy_csv(db, "SELECT * FROM t", tmp_path / "fast.csv")
    [slow] = write_csv(tmp_path / "slow", [Table("t", frame, {"n": "number", "count": "integer"})])
    assert fast.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r" not in fast.read_bytes()
    assert _rows(fast) == _rows(slow)
    cells = [row[0] for row in _rows(fast)[1:]]
    assert cells[0].startswith("'=") and cells[1] == "'+1+1" and cells[2] == "-2"
    assert cells[6] == "+27821234567" and cells[7].startswith("'\uff1d") and cells[8] == "' =1"
    assert cells[4] == 'Zoë, "Z"\nNel' and cells[5] == ""


def test_copy_is_deterministic_and_parquet_keeps_types(tmp_path):
    db = RunDB()
    db.write("t", pd.DataFrame({"a": ["x", None], "b": [1, 2]}))
    one = copy_csv(db, "SELECT * FROM t", tmp_path / "1.csv").read_bytes()
    two = copy_csv(db, "SELECT * FROM t", tmp_path / "2.csv").read_bytes()
    assert one == two
    path = copy_parquet(db, "SELECT * FROM t", tmp_path / "t.parquet")
    table = pq.read_table(path)
    assert str(table.schema.field("a").type) == "string" and str(table.schema.field("b").type) == "int64"
    assert copy_parquet(db, "SELECT * FROM t", tmp_path / "u.parquet").read_bytes() == path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.csv", "2.csv", "t.parquet", "u.parquet"]
