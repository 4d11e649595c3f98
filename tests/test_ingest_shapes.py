"""Reading awkward sheet shapes: formula values and gaps, error cells, multi-row headers."""

from __future__ import annotations

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotpass.errors import InputFileError
from hotpass.ingest import _cellscan, fold_header, isolation, read_workbook
from hotpass.ingest.header_rows import read_header
from hotpass.ingest.model import RawSheet
from hotpass.samples.shapes import CRM, REGULATOR, UNCACHED, write_shapes

try:
    from . import test_ingest_fixtures as fx
except ImportError:  # tests/ is not a package
    import test_ingest_fixtures as fx


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    return write_shapes(tmp_path_factory.mktemp("shapes"), seed=7, companies=30)


@pytest.fixture(scope="module")
def books(shapes):
    return {path.name: read_workbook(path) for path in shapes.files}


def _sheet(books, file, name):
    return next(s for s in books[file].sheets if s.sheet == name)


def _found(book, code):
    return [f for f in book.findings if f.code == code]


def test_formula_cells_are_read_by_their_cached_value(shapes, books):
    companies = _sheet(books, CRM, "Companies").frame
    assert companies["Company ID"].tolist() == shapes.company_ids
    for name in ("Notes", "Addresses"):  # keyed by =Companies!A<n>
        keys = _sheet(books, CRM, name).frame["Company ID"].dropna()
        assert len(keys) > 20 and set(keys) <= set(shapes.company_ids)
    assert not any(str(v).startswith("=") for v in companies.to_numpy().ravel())


def test_cached_error_value_is_a_finding_and_reads_as_empty(shapes, books):
    [(file, sheet, cell)] = shapes.errors
    [finding] = _found(books[file], "ingest.error_value")
    row = int(cell[1:])
    assert (finding.file, finding.sheet, finding.row, finding.column) == (
        file,
        sheet,
        row,
        "Company ID",
    )
    assert "#N/A" in finding.message and f"cell {cell}" in finding.message
    assert _sheet(books, file, sheet).frame.loc[row, "Company ID"] is None


def test_formula_without_cached_value_is_a_finding_per_cell(shapes, books):
    book = books[UNCACHED]
    found = _found(book, "ingest.formula_without_value")
    assert [(f.file, f.sheet, f"C{f.row}") for f in found] == shapes.uncached
    assert {f.column for f in found} == {"Company ID"} and {f.severity for f in found} == {
        "warning"
    }
    assert found[0].original == '="C"&TEXT(ROW()-1,"0000")'
    assert "cell C2 (column 'Company ID')" in found[0].message and "\n" not in found[0].message
    frame = book.sheets[0].frame
    assert frame["Company ID"].isna().all() and frame["Company Name"].notna().all()


def test_child_and_in_process_scans_agree(shapes, books):
    path = next(p for p in shapes.files if p.name == UNCACHED)
    direct = read_workbook(path, isolate=False)
    assert direct.findings.to_frame().equals(books[UNCACHED].findings.to_frame())


def test_title_block_above_a_header_starting_in_column_c(shapes, books):
    key = (REGULATOR, "Register")
    sheet = _sheet(books, *key)
    assert sheet.columns == shapes.columns[key] and sheet.header_row == shapes.header_rows[key]
    assert sheet.frame.index[0] == 6 and sheet.frame["Organisation"].notna().all()
    [title] = [f for f in _found(books[REGULATOR], "ingest.title_rows") if f.sheet == "Register"]
    assert "3 title row(s)" in title.message and title.row == 5
    assert not [f for f in _found(books[REGULATOR], "ingest.blank_header") if f.sheet == "Register"]


def test_two_header_rows_with_merged_cells_become_one_label_per_column(shapes, books):
    key = (REGULATOR, "Operators")
    sheet = _sheet(books, *key)
    assert sheet.columns == shapes.columns[key] and sheet.header_row == 2
    assert sheet.frame.index[0] == 3 and sheet.frame["Organisation"].notna().all()
    assert sheet.frame["Contact Phone (2)"].notna().any()  # data under the merged "Phone"
    book = books[REGULATOR]
    [joined] = _found(book, "ingest.header_rows_combined")
    assert (joined.sheet, joined.row, joined.original) == ("Operators", 2, "Contact | Address")
    [merged] = _found(book, "ingest.merged_header")
    assert {"A1:A2", "B1:E1", "D2:E2", "F1:G1"} == set(merged.original.split(", "))
    assert not _found(book, "ingest.blank_header")


def test_known_lower_labels_drop_unknown_group_labels(shapes):
    path = next(p for p in shapes.files if p.name == REGULATOR)
    known = {fold_header(h) for h in ("Town", "Province", "Contact Name", "Contact")}
    sheet = next(
        s for s in read_workbook(path, known_headers=known).sheets if s.sheet == "Operators"
    )
    assert sheet.columns[:3] == ["Organisation", "Contact Name", "Contact Email"]
    assert sheet.columns[-2:] == ["Town", "Province"]  # "Address" is unknown, "Town" known


def _book(tmp_path, rows, merges=()):
    path = tmp_path / "shape.xlsx"
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for merge in merges:
        book.active.merge_cells(merge)
    book.save(path)
    return read_workbook(path)


def test_unmerged_group_labels_cover_the_blank_cells_to_their_right(tmp_path):
    book = _book(
        tmp_path,
        [
            [None, "Contact", None, "Address", None],
            ["Company", "Name", "Email", "Town", "Province"],
            ["Acme Aviation", "Ann Smit", "ann@acme.co.za", "Durban", "KwaZulu-Natal"],
            ["Beta Air", "Bob Nel", "bob@beta.co.za", "George", "Western Cape"],
        ],
    )
    assert book.sheets[0].columns == [
        "Company",
        "Contact Name",
        "Contact Email",
        "Address Town",
        "Address Province",
    ]


def test_group_labels_written_out_in_every_column_are_a_group_row(tmp_path):
    book = _book(
        tmp_path,
        [
            ["Company", "Contact", "Contact", "Address", "Address"],
            [None, "Name", "Email", "Town", "Province"],
            ["Acme Aviation", "Ann Smit", "ann@acme.co.za", "Durban", "KwaZulu-Natal"],
            ["Beta Air", "Bob Nel", "bob@beta.co.za", "George", "Western Cape"],
        ],
    )
    sheet = book.sheets[0]
    assert sheet.header_row == 2 and sheet.frame.index.tolist() == [3, 4]
    assert sheet.columns == [
        "Company",
        "Contact Name",
        "Contact Email",
        "Address Town",
        "Address Province",
    ]


@pytest.mark.parametrize(
    "above",
    [
        ["Region:", "Gauteng", "Date:", "2024-05-01", None],  # metadata, not groups
        ["Register of Approved Training Organisations", None, None, None, None],
        ["Extract", None, None, None, None],  # one title over the whole table
    ],
)
def test_title_and_metadata_rows_right_above_the_header_stay_titles(tmp_path, above):
    header = ["Name", "Phone", "Email", "Town", "Role"]
    book = _book(
        tmp_path,
        [
            above,
            header,
            ["Acme", "021 555 0000", "a@acme.co.za", "Durban", "CEO"],
            ["Beta", "031 555 0000", "b@beta.co.za", "George", "CFO"],
        ],
    )
    assert book.sheets[0].columns == header and book.sheets[0].header_row == 2
    assert "ingest.header_rows_combined" not in book.findings.codes()
    assert "ingest.title_rows" in book.findings.codes()


def test_a_merged_title_over_the_whole_table_is_not_a_group(tmp_path):
    book = _book(
        tmp_path,
        [["Flight schools"], ["Name", "Town"], ["Acme", "Durban"], ["Beta", "George"]],
        merges=["A1:B1"],
    )
    assert book.sheets[0].columns == ["Name", "Town"]
    assert "ingest.header_rows_combined" not in book.findings.codes()


def test_a_merged_header_cell_labels_every_column_it_covers(tmp_path):
    book = _book(
        tmp_path,
        [["Name", "Phone", None], ["Acme", "021 555 0000", "082 555 0000"]],
        merges=["B1:C1"],
    )
    assert book.sheets[0].columns == ["Name", "Phone", "Phone (2)"]
    assert "ingest.merged_header" in book.findings.codes()
    assert "ingest.blank_header" not in book.findings.codes()


def _crafted(tmp_path, cells):
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' + cells
    return fx.crafted_xlsx(tmp_path / "crafted.xlsx", fx.sheet_xml(rows, dimension=None))


def test_shared_formulas_empty_text_results_and_missing_values(tmp_path):
    path = _crafted(
        tmp_path,
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><f t="shared" ref="B2:B3" si="0">'
        "A2&amp;1</f><v></v></c></row>"
        '<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3"><f t="shared" si="0"/></c></row>'
        '<row r="4"><c r="A4" t="s"><v>0</v></c><c r="B4" t="str"><f>""</f><v></v></c></row>'
        '<row r="5"><c r="A5" t="s"><v>0</v></c><c r="B5"><f>1+1</f><v>2</v></c></row>',
    )
    book = read_workbook(path)
    found = _found(book, "ingest.formula_without_value")
    assert [(f.row, f.column, f.original) for f in found] == [
        (2, "Phone", "=A2&1"),
        (3, "Phone", None),
    ]
    assert "a shared formula" in found[1].message
    assert book.sheets[0].frame["Phone"].tolist() == [None, None, None, "2"]


def test_many_cells_without_values_are_counted_beyond_the_list(tmp_path, monkeypatch):
    monkeypatch.setattr(_cellscan, "MAX_CELLS", 3)
    cells = "".join(
        f'<row r="{r}"><c r="A{r}"><f>B{r}</f><v></v></c><c r="B{r}"><v>{r}</v></c></row>'
        for r in range(2, 12)
    )
    book = read_workbook(_crafted(tmp_path, cells), isolate=False)
    assert len(_found(book, "ingest.formula_without_value")) == 3
    [rest] = _found(book, "ingest.cells_not_listed")
    assert "7 more cells" in rest.message and rest.sheet == "Sheet1"


def test_a_sheet_of_formulas_without_values_is_empty_but_its_cells_are_named(tmp_path):
    path = tmp_path / "blank_formulas.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Name"])
    book.active.append(["Acme"])
    other = book.create_sheet("Calc")
    other["A1"], other["A2"] = "=1+1", "=A1*2"
    book.save(path)
    result = read_workbook(path)
    assert result.empty_sheets == ["Calc"]
    assert [(f.sheet, f.row, f.column) for f in _found(result, "ingest.formula_without_value")] == [
        ("Calc", 1, "A"),
        ("Calc", 2, "A"),
    ]


def test_a_workbook_of_uncalculated_formulas_says_so_when_it_has_no_data(tmp_path):
    path = tmp_path / "formulas_only.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"], book.active["A2"] = "=1+1", "=A1*2"
    book.save(path)
    with pytest.raises(InputFileError, match=r"formulas_only\.xlsx.*no data.*2 formula.*no saved"):
        read_workbook(path)


def test_a_failed_formula_check_is_a_finding_and_the_file_is_still_read(shapes, monkeypatch):
    def broken(archive):
        raise KeyError("xl/_rels/workbook.xml.rels")

    monkeypatch.setattr(_cellscan, "_sheet_parts", broken)
    path = next(p for p in shapes.files if p.name == UNCACHED)
    book = read_workbook(path, isolate=False)
    [skipped] = _found(book, "ingest.formula_check_skipped")
    assert UNCACHED in skipped.message and "KeyError" in skipped.message
    assert book.sheets[0].frame["Company Name"].notna().all()


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.mark.parametrize(
    "sheet",
    [
        f'<x:worksheet xmlns:x="{_NS}"><x:sheetData><x:row r="4"><x:c r="C4"><x:f>1+1</x:f>'
        '</x:c><x:c r="D4" t="e"><x:v>#REF!</x:v></x:c></x:row></x:sheetData></x:worksheet>',
        f'<worksheet xmlns="{_NS}"><sheetData><row r="4"><c r="B4"/><c><f>1+1</f><v></v></c>'
        '<c t="e"><v>#REF!</v></c></row></sheetData></worksheet>',  # cells without references
    ],
)
def test_sheets_the_byte_scan_cannot_read_are_parsed(tmp_path, sheet):
    path = fx.crafted_xlsx(tmp_path / "odd.xlsx", sheet)
    found, problem = _cellscan.scan_workbook(str(path), ["Sheet1"])
    assert problem is None
    assert found["Sheet1"] == ([(4, 2, "no_value", "=1+1"), (4, 3, "error", "#REF!")], 2)


def test_the_child_finds_its_scanner_when_run_as_a_script(shapes):
    path = next(p for p in shapes.files if p.name == CRM)
    job = {"kind": "excel", "path": str(path), "limits": {"max_rows": 10_000, "max_columns": 50}}
    result = isolation.run_parse(job, "crm", 1024, isolate=True)
    notes = {s["name"]: s["cells"] for s in result["sheets"] if s["cells"]}
    assert notes == {"Notes": [(int(shapes.errors[0][2][1:]), 0, "error", "#N/A")]}


@st.composite
def _grids(draw):
    width = draw(st.integers(1, 6))
    cell = st.one_of(st.none(), st.sampled_from(["Name", "Contact", "Email", "1", "a@b.co", "x"]))
    rows = draw(st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=6))
    spans = st.tuples(*[st.integers(0, 7)] * 4).map(
        lambda t: (t[0], t[1], t[0] + t[2], t[1] + t[3])
    )
    return rows, draw(st.lists(spans, max_size=4)), draw(st.integers(0, len(rows) - 1))


@settings(max_examples=200, deadline=None)
@given(_grids(), st.integers(0, 3))
def test_reading_any_header_never_raises(grid, first_col):
    rows, merged, index = grid
    columns = [list(column) for column in zip(*rows, strict=True)]
    raw = RawSheet("S", columns, list(range(1, len(rows) + 1)), first_col, merged)
    header = read_header(raw, rows, index, {"email"})
    assert len(header.cells) == len(columns) and header.index in (index, index + 1)
    assert all(label is None or isinstance(label, str) for label in header.cells)
