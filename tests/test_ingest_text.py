"""CSV (encodings, delimiters, record numbers) and parquet."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hotpass.errors import InputFileError
from hotpass.ingest import read_workbook
from hotpass.ingest.delimited import sniff_delimiter

ROWS = "Name,Phone,Town\nAcme,0821234567,Durban\nBéta Ltd,,Cape Town\n"


def _one(path, **kwargs):
    book = read_workbook(path, **kwargs)
    assert len(book.sheets) == 1
    return book, book.sheets[0]


def test_utf8_csv_reads_as_text_with_record_numbers(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(ROWS, encoding="utf-8")
    book, sheet = _one(path)
    assert (sheet.sheet, sheet.header_row, sheet.columns) == ("csv", 1, ["Name", "Phone", "Town"])
    assert sheet.frame.index.tolist() == [2, 3]
    assert sheet.frame.loc[2, "Phone"] == "0821234567"
    assert sheet.frame.loc[3].tolist() == ["Béta Ltd", None, "Cape Town"]
    assert all(dtype == object for dtype in sheet.frame.dtypes)
    assert book.findings.codes() == []


def test_utf8_bom_csv(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ROWS.encode("utf-8"))
    _, sheet = _one(path)
    assert sheet.columns[0] == "Name"  # the BOM is not part of the first header
    assert sheet.frame.loc[3, "Name"] == "Béta Ltd"


def test_utf16_bom_tab_separated(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes(ROWS.replace(",", "\t").encode("utf-16"))
    _, sheet = _one(path)
    assert sheet.frame.loc[3, "Town"] == "Cape Town"


def test_cp1252_fallback_is_a_finding(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes(ROWS.replace("Béta", "Béta – “quoted”").encode("cp1252"))
    book, sheet = _one(path)
    assert sheet.frame.loc[3, "Name"] == "Béta – “quoted” Ltd"
    [finding] = list(book.findings)
    assert finding.code == "ingest.encoding_fallback" and finding.file == "legacy.csv"


def test_semicolon_delimiter_with_commas_in_values(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text(
        "Name;Address;Phone\nAcme;1 Main Rd, Durban;031\nBeta;2 Long St, Cape Town;021\n"
    )
    _, sheet = _one(path)
    assert sheet.columns == ["Name", "Address", "Phone"]
    assert sheet.frame.loc[2, "Address"] == "1 Main Rd, Durban"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_sniffs_each_delimiter(delimiter):
    sample = "\n".join(delimiter.join(["a", "b c", "d"]) for _ in range(5))
    assert sniff_delimiter(sample)[:2] == (delimiter, 3)


def test_csv_title_rows_blank_lines_and_quoted_newlines(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Register of Training Organisations\n\n"
        'Name,Notes,Phone\n"Acme","two\nlines",021\n\nBeta,,031\n',
        encoding="utf-8",
    )
    book, sheet = _one(path)
    assert sheet.header_row == 3
    assert sheet.frame.index.tolist() == [4, 6]  # record numbers; blank records are dropped
    assert sheet.frame.loc[4, "Notes"] == "two\nlines"
    assert "ingest.title_rows" in book.findings.codes()


def test_csv_without_data_rows_raises(tmp_path):
    path = tmp_path / "header_only.csv"
    path.write_text("Name,Phone\n")
    with pytest.raises(InputFileError, match=r"header_only\.csv.*contains no data"):
        read_workbook(path)


def test_csv_wider_than_limit_rejected(tmp_path):
    from hotpass.profile import IngestSettings

    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20)) + "\n" + ",".join("x" * 20) + "\n")
    with pytest.raises(InputFileError, match=r"wide\.csv.*ingest\.max_columns"):
        read_workbook(path, settings=IngestSettings(max_columns=10))


def test_xlsx_that_is_really_a_csv_is_read_with_a_finding(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_text(ROWS)
    book, sheet = _one(path)
    assert sheet.sheet == "csv" and sheet.frame.loc[2, "Phone"] == "0821234567"
    assert "ingest.format_mismatch" in book.findings.codes()


def test_parquet_values_become_text(tmp_path):
    path = tmp_path / "orgs.parquet"
    table = pa.table(
        {
            "Name": ["Acme", None, "  Beta  "],
            "Phone": [27834230000.0, None, 12.5],
            "Staff": pa.array([5, None, 7], pa.int64()),
            "Since": [dt.date(2024, 3, 1), None, dt.date(2020, 1, 2)],
            "Active": [True, None, False],
        }
    )
    pq.write_table(table, path)
    book, sheet = _one(path)
    assert (sheet.sheet, sheet.header_row) == ("parquet", 0)
    assert sheet.frame.index.tolist() == [1, 3]  # the all-null record 2 is dropped
    assert sheet.frame.loc[1].tolist() == ["Acme", "27834230000", "5", "2024-03-01", "TRUE"]
    assert sheet.frame.loc[3].tolist() == ["Beta", "12.5", "7", "2020-01-02", "FALSE"]


def test_parquet_from_pandas_with_duplicate_like_names(tmp_path):
    path = tmp_path / "frame.parquet"
    pd.DataFrame({"Code": ["007", "0800"], "code": ["x", "y"]}).to_parquet(path, index=False)
    book, sheet = _one(path)
    assert sheet.columns == ["Code", "code (2)"]
    assert sheet.frame["Code"].tolist() == ["007", "0800"]
    assert "ingest.duplicate_header" in book.findings.codes()
