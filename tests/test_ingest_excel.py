"""Reading real workbooks: header detection, exact text values, findings, provenance."""

from __future__ import annotations

import datetime as dt
import hashlib

import openpyxl
import pytest
import xlsxwriter

from hotpass.errors import InputFileError
from hotpass.ingest import SourceSheet, SourceWorkbook, fold_header, read_workbook

try:
    from . import test_ingest_fixtures as fx
except ImportError:  # tests/ is not a package
    import test_ingest_fixtures as fx


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """A CAA-style register: title rows, merged title, duplicate/blank headers, an empty sheet."""
    path = tmp_path_factory.mktemp("wb") / "register.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ATOs"
    sheet["A1"] = "Civil Aviation Authority — Register of Approved Training Organisations"
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "Extracted 2024-05-01"
    sheet.append([])
    sheet.append(["Organisation", "Phone", "Phone", None, " E-mail Address ", "Registered"])
    sheet.append(
        [
            "Acme Flight School",
            27834230000,
            "0821234567",
            "note",
            "a@acme.co.za",
            dt.date(2024, 3, 1),
        ]
    )
    sheet.append(
        ["  Beta Aero  ", 12.5, None, None, "b@beta.co.za", dt.datetime(2024, 3, 1, 10, 30)]
    )
    sheet.append([])
    sheet.append(["Gamma", None, "", None, None, True])
    book.create_sheet("Notes")
    book.save(path)
    return path


@pytest.fixture(scope="module")
def register_book(register) -> SourceWorkbook:
    return read_workbook(register)


def test_types_and_provenance(register, register_book):
    assert isinstance(register_book, SourceWorkbook)
    assert register_book.file == "register.xlsx"
    assert register_book.sha256 == hashlib.sha256(register.read_bytes()).hexdigest()
    [sheet] = register_book.sheets
    assert isinstance(sheet, SourceSheet)
    assert (sheet.file, sheet.path, sheet.sheet) == ("register.xlsx", str(register), "ATOs")
    assert sheet.sha256 == register_book.sha256
    assert sheet.role_hint is None


def test_title_rows_skipped_and_header_row_recorded(register_book):
    sheet = register_book.sheets[0]
    assert sheet.header_row == 4
    assert sheet.frame.index.tolist() == [5, 6, 8]  # Excel rows; the blank row 7 is dropped
    title = [f for f in register_book.findings if f.code == "ingest.title_rows"]
    assert len(title) == 1 and title[0].row == 4 and "2 title row" in title[0].message


def test_values_are_exact_text(register_book):
    frame = register_book.sheets[0].frame
    assert all(dtype == object for dtype in frame.dtypes)
    assert all(v is None or isinstance(v, str) for v in frame.to_numpy().ravel())
    assert frame.loc[5, "Phone"] == "27834230000"
    assert frame.loc[5, "Phone (2)"] == "0821234567"
    assert frame.loc[6, "Phone"] == "12.5"
    assert frame.loc[5, "Registered"] == "2024-03-01"
    assert frame.loc[6, "Registered"] == "2024-03-01T10:30:00"
    assert frame.loc[8, "Registered"] == "TRUE"
    assert frame.loc[6, "Organisation"] == "Beta Aero"
    assert frame.loc[8, "Phone (2)"] is None


def test_duplicate_and_blank_headers_renamed_with_findings(register_book):
    sheet = register_book.sheets[0]
    assert sheet.columns == [
        "Organisation",
        "Phone",
        "Phone (2)",
        "column_D",
        "E-mail Address",
        "Registered",
    ]
    assert list(sheet.frame.columns) == sheet.columns
    assert sheet.frame.loc[5, "column_D"] == "note"  # data under a blank header is kept
    found = {f.code: f for f in register_book.findings}
    dup = found["ingest.duplicate_header"]
    assert (dup.original, dup.new, dup.row, dup.sheet, dup.file) == (
        "Phone",
        "Phone (2)",
        4,
        "ATOs",
        "register.xlsx",
    )
    assert found["ingest.blank_header"].column == "column_D"


def test_merged_cells_and_empty_sheet_are_findings(register_book):
    found = {f.code: f for f in register_book.findings}
    assert "A1:F1" in found["ingest.merged_cells"].message
    assert register_book.empty_sheets == ["Notes"]
    assert found["ingest.empty_sheet"].sheet == "Notes"


def test_isolated_and_in_process_reads_agree(register, register_book):
    direct = read_workbook(register, isolate=False)
    assert direct.sheets[0].frame.equals(register_book.sheets[0].frame)
    assert direct.findings.codes() == register_book.findings.codes()


def test_display_name_used_in_provenance_and_messages(tmp_path, register):
    temp = tmp_path / "upload_3f9a.xlsx"
    temp.write_bytes(register.read_bytes())
    book = read_workbook(temp, display_name="Flight schools.xlsx")
    assert book.file == book.sheets[0].file == "Flight schools.xlsx"
    assert book.sheets[0].path == str(temp)
    assert {f.file for f in book.findings} == {"Flight schools.xlsx"}
    empty = tmp_path / "tmp123"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match="Contacts.xlsx"):
        read_workbook(empty, display_name="Contacts.xlsx")


def test_numbers_written_by_xlsxwriter(tmp_path):
    path = tmp_path / "numbers.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Contacts")
    sheet.write_row(0, 0, ["Name", "Phone", "Code", "Big", "Ratio", "Noise"])
    sheet.write_row(1, 0, ["Acme", 27834230000, "0012", 1e16, 0.1, 0.1 + 0.2])
    sheet.write_row(2, 0, ["Beta", 27834230000.0, "0800", 123456789012345, -0.0, 1 / 3])
    book.close()
    frame = read_workbook(path).sheets[0].frame
    assert frame.loc[2].tolist() == ["Acme", "27834230000", "0012", "1e+16", "0.1", "0.3"]
    assert frame.loc[3].tolist() == [
        "Beta",
        "27834230000",
        "0800",
        "123456789012345",
        "0",
        "0.333333333333333",
    ]


def test_all_empty_workbook_raises(tmp_path):
    path = tmp_path / "blank.xlsx"
    book = openpyxl.Workbook()
    book.create_sheet("Other")
    book.save(path)
    with pytest.raises(InputFileError, match=r"blank\.xlsx.*contains no data"):
        read_workbook(path)


def test_header_only_sheet_counts_as_empty(tmp_path):
    path = tmp_path / "template.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Name", "Phone"])
    data = book.create_sheet("Data")
    data.append(["Name", "Phone"])
    data.append(["Acme", "021"])
    book.save(path)
    result = read_workbook(path)
    assert [s.sheet for s in result.sheets] == ["Data"]
    assert result.empty_sheets == ["Sheet"]


def test_known_headers_pick_the_right_row(tmp_path):
    path = tmp_path / "two_tables.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Report", "Quarterly", "Summary"])
    sheet.append(["Organisation", "Telephone", "Email"])
    sheet.append(["Acme", "021 555 0000", "a@acme.co.za"])
    book.save(path)
    known = {fold_header(h) for h in ("Organisation", "Telephone", "E-mail")}
    assert read_workbook(path, known_headers=known).sheets[0].header_row == 2


def test_numeric_table_without_header_keeps_every_row(tmp_path):
    path = tmp_path / "numbers_only.xlsx"
    book = openpyxl.Workbook()
    for row in ([1, 2, 3], [4, 5, 6]):
        book.active.append(row)
    book.save(path)
    result = read_workbook(path)
    sheet = result.sheets[0]
    assert sheet.header_row == 0 and sheet.columns == ["column_A", "column_B", "column_C"]
    assert sheet.frame.index.tolist() == [1, 2]
    assert "ingest.no_header" in result.findings.codes()


def test_table_not_starting_at_a1(tmp_path):
    path = tmp_path / "offset.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C5"], sheet["E5"] = "Name", "Town"
    sheet["C6"], sheet["D6"], sheet["E6"] = "Acme", "stray", "Durban"
    book.save(path)
    result = read_workbook(path)
    assert result.sheets[0].columns == ["Name", "column_D", "Town"]
    assert result.sheets[0].frame.index.tolist() == [6]


def test_xlsm_macros_not_kept(tmp_path):
    path = fx.crafted_xlsx(tmp_path / "macro.xlsm", extra={"xl/vbaProject.bin": b"\x00" * 64})
    result = read_workbook(path)
    assert result.sheets[0].frame.to_dict("records") == [{"Name": "Name", "Phone": "5"}]
    assert "ingest.macros_ignored" in result.findings.codes()


def test_hidden_sheet_read_and_noted(tmp_path):
    path = tmp_path / "hidden.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Name"])
    book.active.append(["Acme"])
    secret = book.create_sheet("Secret")
    secret.sheet_state = "hidden"
    secret.append(["Name"])
    secret.append(["Hidden Co"])
    book.save(path)
    result = read_workbook(path)
    assert [s.sheet for s in result.sheets] == ["Sheet", "Secret"]
    assert "ingest.hidden_sheet" in result.findings.codes()


def test_legacy_xls(tmp_path):
    cells = [
        (0, 0, "Name"),
        (0, 1, "Phone"),
        (0, 2, "Since"),
        (0, 3, "Active"),
        (1, 0, "Acme"),
        (1, 1, 27834230000.0),
        (1, 2, ("date", 45352)),
        (1, 3, True),
    ]
    path = fx.legacy_xls(tmp_path / "old.xls", cells, ["Name", "Phone", "Since", "Active", "Acme"])
    sheet = read_workbook(path).sheets[0]
    assert sheet.sheet == "Data" and sheet.header_row == 1
    assert sheet.frame.loc[2].tolist() == ["Acme", "27834230000", "2024-03-01", "TRUE"]


def test_encrypted_legacy_xls(tmp_path):
    path = fx.legacy_xls(
        tmp_path / "locked.xls", [(0, 0, "Name"), (1, 0, "Acme")], ["Name", "Acme"], encrypted=True
    )
    with pytest.raises(InputFileError, match=r"locked\.xls.*password-protected"):
        read_workbook(path)


def test_module_switch_parses_in_process(monkeypatch, register):
    from hotpass.ingest import isolation

    def no_child(*args, **kwargs):
        raise AssertionError("the child process must not be used")

    monkeypatch.setattr(isolation, "PARSE_IN_CHILD", False)
    monkeypatch.setattr(isolation, "_run_child", no_child)
    assert read_workbook(register).sheets[0].header_row == 4
