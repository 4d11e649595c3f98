"""Workbook export: styles, typed cells, hyperlinks, hostile text, limits, golden styles.

Workbooks are read back with openpyxl in normal mode so styles are visible.
Set HOTPASS_UPDATE_GOLDEN=1 to rewrite tests/golden/export_styles.json.
"""

from __future__ import annotations

import json
import os
import re
import warnings
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from hotpass.errors import ExportError
from hotpass.export import Table, write_workbook
from hotpass.export.cells import TRUNCATION_MARKER
from hotpass.export.sheet import EXCEL_LINK_LIMIT

GOLDEN = Path(__file__).parent / "golden" / "export_styles.json"
HOSTILE = [
    '=HYPERLINK("http://x")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "=1+1",
    "{=1+1}",
    "=cmd|' /C calc'!A0",
    # xlsxwriter (constant_memory) writes a "<r>...</r>" string as raw XML: a formula injection.
    '<r><t>a</t></r></is></c><c r="B9"><f>1+1</f><v>2</v></c>'
    '<c r="C9" t="inlineStr"><is><r><t>b</t></r>',
    "<r>plain</r>",
]


@pytest.fixture(autouse=True)
def _no_xlsxwriter_warnings():
    """xlsxwriter warns when it silently drops data; any warning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        yield


def load(path: Path) -> openpyxl.Workbook:
    """Open a written workbook with styles (not read-only)."""
    return openpyxl.load_workbook(path)


def assert_no_formulas(book: openpyxl.Workbook) -> None:
    """No cell of any sheet is a formula."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate}"


def widths(ws) -> dict[str, float]:
    """Column letter -> width, expanding openpyxl's grouped column ranges."""
    result = {}
    for dim in ws.column_dimensions.values():
        for index in range(dim.min, dim.max + 1):
            result[get_column_letter(index)] = dim.width
    return result


def organisations() -> Table:
    """A small table with one column of every kind."""
    frame = pd.DataFrame(
        {
            "name": ["Acme (Pty) Ltd", "Beta", None],
            "website": ["https://acme.co.za", "javascript:alert(1)", None],
            "email": ["info@acme.co.za", "not an email", "-x@y.com"],
            "founded": ["2001-05-17", "sometime", date(1999, 1, 2)],
            "updated": ["2024-03-01T09:30:00", datetime(2024, 1, 2, 3, 4), None],
            "staff": ["12", 7, "many"],
            "revenue": [1234567.891, "2500.5", None],
            "share": [0.125, "40%", None],
        }
    )
    kinds = {
        "website": "url",
        "email": "email",
        "founded": "date",
        "updated": "datetime",
        "staff": "integer",
        "revenue": "number",
        "share": "percent",
    }
    return Table("Organisations", frame, kinds)


def test_header_is_styled_frozen_and_filtered(tmp_path):
    path = write_workbook(tmp_path / "out.xlsx", [organisations()])
    ws = load(path)["Organisations"]
    for cell in ws[1]:
        assert cell.font.bold
        assert cell.font.color.rgb == "FFFFFFFF"
        assert cell.fill.fill_type == "solid"
        assert cell.fill.fgColor.rgb == "FF115E67"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H4"
    assert [c.value for c in ws[1]] == list(organisations().frame.columns)


def test_column_widths_fit_content_within_bounds(tmp_path):
    frame = pd.DataFrame({"a": ["x"], "long": ["y" * 500], "mid": ["z" * 30]})
    table = Table("T", frame, widths={"a": 20})
    ws = load(write_workbook(tmp_path / "w.xlsx", [table]))["T"]
    got = widths(ws)
    assert 20 <= got["A"] < 21  # fixed (xlsxwriter adds cell padding)
    assert 60 <= got["B"] < 61  # capped at 60
    assert 32 <= got["C"] < 34  # fitted: 30 characters + margin


def test_typed_cells_have_excel_types_and_formats(tmp_path):
    book = load(write_workbook(tmp_path / "t.xlsx", [organisations()], summary=[("n", 3)]))
    assert_no_formulas(book)
    ws = book["Organisations"]
    assert ws["D2"].value == datetime(2001, 5, 17)
    assert ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["D4"].value == datetime(1999, 1, 2)
    assert (ws["D3"].data_type, ws["D3"].value) == ("s", "sometime")
    assert ws["E2"].value == datetime(2024, 3, 1, 9, 30)
    assert ws["E2"].number_format == "yyyy-mm-dd hh:mm"
    assert (ws["F2"].value, ws["F3"].value, ws["F2"].number_format) == (12, 7, "0")
    assert (ws["F4"].data_type, ws["F4"].value) == ("s", "many")
    assert ws["G2"].value == pytest.approx(1234567.891)
    assert ws["G3"].value == pytest.approx(2500.5)
    assert ws["G2"].number_format == "#,##0.00"
    assert (ws["H2"].value, ws["H3"].value) == (0.125, 0.4)
    assert ws["H2"].number_format == "0.0%"
    assert ws["A4"].value is None and ws["G4"].value is None


def test_values_excel_cannot_hold_stay_text(tmp_path):
    frame = pd.DataFrame(
        {
            "when": ["1850-06-01", "2020-01-01T10:00:00+02:00"],
            "big": pd.Series([2**60, float("inf")], dtype=object),
            "n": [float("nan"), float("-inf")],
        }
    )
    table = Table("T", frame, {"when": "date", "big": "integer", "n": "number"})
    ws = load(write_workbook(tmp_path / "t.xlsx", [table]))["T"]
    assert (ws["A2"].data_type, ws["A2"].value) == ("s", "1850-06-01")
    assert ws["A3"].value == datetime(2020, 1, 1, 10, 0)  # wall time kept, zone dropped
    assert (ws["B2"].value, ws["B3"].value) == (str(2**60), "inf")
    assert ws["C2"].value is None and ws["C3"].value == "-inf"


def test_pandas_dtypes_convert_like_plain_values(tmp_path):
    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", "", None, "x\x01y", "p\r\nq"], dtype="str"),
            "when": pd.to_datetime(
                ["2024-01-02 03:04", None, "1850-01-01", "2000-01-01", None], format="ISO8601"
            ),
            "zoned": pd.to_datetime(["2024-01-02 03:04"] * 5).tz_localize("Africa/Johannesburg"),
            "count": pd.Series([1, 2, 3, 2**60, 5], dtype="int64"),
            "value": [1.5, float("nan"), float("inf"), -2.0, 0.0],
        }
    )
    kinds = {"when": "datetime", "zoned": "datetime", "count": "integer", "value": "number"}
    ws = load(write_workbook(tmp_path / "d.xlsx", [Table("D", frame, kinds)]))["D"]
    assert [c.value for c in ws["A"][1:]] == ["a", None, None, "xy", "p\nq"]
    assert [c.value for c in ws["B"][1:]] == [
        datetime(2024, 1, 2, 3, 4),
        None,
        "1850-01-01 00:00:00",
        datetime(2000, 1, 1),
        None,
    ]
    assert ws["C2"].value == datetime(2024, 1, 2, 3, 4)  # wall time kept
    assert [c.value for c in ws["D"][1:]] == [1, 2, 3, str(2**60), 5]
    assert [c.value for c in ws["E"][1:]] == [1.5, None, "inf", -2, 0]


def test_hyperlinks_only_for_safe_links(tmp_path):
    frame = pd.DataFrame(
        {
            "site": [
                "https://a.example/x?y=1#z",
                "HTTP://B.EXAMPLE",
                "javascript:alert(1)",
                "file:///etc/passwd",
                '=HYPERLINK("http://x")',
                "http://a b.com",
                "https://" + "a" * 2100,
            ],
            "mail": ["a@b.co", "mailto:c@d.org", "no", "@x.com", "-a@b.co", "a@b", "x@y.z"],
        }
    )
    table = Table("L", frame, {"site": "url", "mail": "email"})
    book = load(write_workbook(tmp_path / "l.xlsx", [table]))
    ws = book["L"]
    targets = [(c.hyperlink.target if c.hyperlink else None) for c in ws["A"][1:]]
    assert targets == ["https://a.example/x?y=1", "HTTP://B.EXAMPLE"] + [None] * 5
    mails = [(c.hyperlink.target if c.hyperlink else None) for c in ws["B"][1:]]
    assert mails == ["mailto:a@b.co", "mailto:c@d.org", None, None, None, None, "mailto:x@y.z"]
    shown = [c.value for c in ws["A"][1:]]
    assert shown == frame["site"].tolist()  # the text shown is always the value
    assert ws["A2"].style == "Hyperlink"
    assert_no_formulas(book)


def test_hyperlink_limit_falls_back_to_text(tmp_path, monkeypatch):
    monkeypatch.setattr("hotpass.export.sheet.EXCEL_LINK_LIMIT", 3)
    frame = pd.DataFrame({"a": [f"https://x.example/{i}" for i in range(4)], "b": ["q@x.co"] * 4})
    table = Table("L", frame, {"a": "url", "b": "email"})
    ws = load(write_workbook(tmp_path / "l.xlsx", [table]))["L"]
    linked = [c.coordinate for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink]
    assert linked == ["A2", "B2", "A3"]  # row by row until the budget is spent
    assert ws["B5"].value == "q@x.co" and ws["B5"].data_type == "s"


@pytest.mark.slow
def test_hyperlink_limit_of_excel_is_respected(tmp_path):
    count = EXCEL_LINK_LIMIT + 10
    frame = pd.DataFrame({"a": [f"https://x.example/{i}" for i in range(count)]})
    path = write_workbook(tmp_path / "many.xlsx", [Table("L", frame, {"a": "url"})])
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<hyperlink ") == EXCEL_LINK_LIMIT
    assert f"https://x.example/{count - 1}" in xml  # the rest are still there, as text


def test_hostile_strings_come_back_as_the_same_strings(tmp_path):
    frame = pd.DataFrame({"text": HOSTILE, "site": HOSTILE, "n": HOSTILE})
    table = Table("Hostile", frame, {"site": "url", "n": "number"})
    summary = [(s, s) for s in HOSTILE]
    book = load(write_workbook(tmp_path / "h.xlsx", [table], summary=summary))
    ws = book["Hostile"]
    for row, expected in enumerate(HOSTILE, start=2):
        for col in "ABC":
            cell = ws[f"{col}{row}"]
            if col == "C" and expected == "-2":  # a plain number in a number column
                assert (cell.data_type, cell.value) == ("n", -2)
                continue
            assert (cell.data_type, cell.value) == ("s", expected), cell.coordinate
            assert cell.hyperlink is None
    assert ws.max_row == len(HOSTILE) + 1 and ws.max_column == 3  # nothing injected
    assert [c.value for c in book["Summary"]["B"][1:]] == HOSTILE
    assert_no_formulas(book)


def test_hostile_headers_and_sheet_names(tmp_path):
    frame = pd.DataFrame({"=SUM(1)": ["a"], "@x": ["b"]})
    book = load(write_workbook(tmp_path / "h.xlsx", [Table("=bad:[name]?*/\\", frame)]))
    ws = book.worksheets[0]
    assert ws.title == "=badname"
    assert [(c.data_type, c.value) for c in ws[1]] == [("s", "=SUM(1)"), ("s", "@x")]
    assert_no_formulas(book)


def test_long_strings_truncated_with_marker_and_control_characters_removed(tmp_path):
    long_text = "a" * 40_000
    wide = "😀" * 20_000  # 40,000 UTF-16 units
    rich = "<r>" + "&" * 20_000 + "</r>"  # fits as text, but not once escaped and wrapped
    frame = pd.DataFrame({"t": [long_text, wide, "bell\x07 nul\x00 ok\ttab\r\nline", rich]})
    book = load(write_workbook(tmp_path / "l.xlsx", [Table("T", frame)]))
    ws = book["T"]
    first, second = ws["A2"].value, ws["A3"].value
    assert len(first) == 32_767 and first.endswith(TRUNCATION_MARKER)
    assert second.endswith(TRUNCATION_MARKER) and len(second.encode("utf-16-le")) <= 2 * 32_767
    assert ws["A4"].value == "bell nul ok\ttab\nline"
    assert ws["A5"].value.startswith("<r>&&&") and ws["A5"].value.endswith(TRUNCATION_MARKER)
    assert_no_formulas(book)


def test_empty_frame_still_has_its_header(tmp_path):
    frame = pd.DataFrame({"name": pd.Series([], dtype=object), "when": []})
    ws = load(write_workbook(tmp_path / "e.xlsx", [Table("Empty", frame, {"when": "date"})]))[
        "Empty"
    ]
    assert [c.value for c in ws[1]] == ["name", "when"]
    assert ws.max_row == 1 and ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:B1"


def test_sheet_names_sanitised_unique_and_summary_last(tmp_path):
    frame = pd.DataFrame({"a": ["x"]})
    tables = [Table(n, frame) for n in ["Summary", "a" * 40, "A" * 40, "x/y", "History", ""]]
    summary = [("rows", 3), ("share", 0.5), ("run at", datetime(2024, 5, 6, 7, 8)), ("note", None)]
    book = load(write_workbook(tmp_path / "s.xlsx", tables, summary=summary))
    assert book.sheetnames == [
        "Summary (2)",
        "a" * 31,
        "A" * 27 + " (2)",
        "xy",
        "History_",
        "Sheet",
        "Summary",
    ]
    ws = book["Summary"]
    assert [c.value for c in ws[1]] == ["Metric", "Value"] and ws["A1"].font.bold
    assert (ws["B2"].value, ws["B2"].number_format) == (3, "0")
    assert (ws["B3"].value, ws["B3"].number_format) == (0.5, "#,##0.00")
    assert ws["B4"].value == datetime(2024, 5, 6, 7, 8)
    assert ws["B4"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["A5"].value == "note" and ws["B5"].value is None
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:B5"


def test_too_many_rows_is_refused_before_writing(tmp_path):
    frame = pd.DataFrame({"a": range(1_048_576)})
    with pytest.raises(ExportError, match="1,048,576 rows"):
        write_workbook(tmp_path / "big.xlsx", [Table("Big", frame)])
    assert list(tmp_path.iterdir()) == []


def test_output_is_deterministic(tmp_path):
    first = write_workbook(tmp_path / "1.xlsx", [organisations()], summary=[("n", 1)])
    second = write_workbook(tmp_path / "2.xlsx", [organisations()], summary=[("n", 1)])
    assert first.read_bytes() == second.read_bytes()


def test_progress_runs_from_zero_to_one(tmp_path):
    frame = pd.DataFrame({"a": [str(i) for i in range(25_000)]})
    seen: list[float] = []
    write_workbook(tmp_path / "p.xlsx", [Table("P", frame)], progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and len(seen) >= 4
    assert seen == sorted(seen)


def test_failed_write_leaves_nothing_behind(tmp_path):
    class Boom:
        def __str__(self):
            raise RuntimeError("cannot show")

    frame = pd.DataFrame({"a": ["fine", Boom()]})
    with pytest.raises(RuntimeError):
        write_workbook(tmp_path / "x.xlsx", [Table("T", frame)])
    assert list(tmp_path.iterdir()) == []


def test_unwritable_destination_raises_export_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match=re.escape(str(blocker / "out.xlsx"))):
        write_workbook(blocker / "out.xlsx", [organisations()])
    locked = tmp_path / "locked.xlsx"
    locked.mkdir()  # something that cannot be replaced, like a file held open on Windows
    with pytest.raises(ExportError, match="locked.xlsx: cannot write"):
        write_workbook(locked, [organisations()])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "locked.xlsx"]


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown column kind"):
        Table("T", pd.DataFrame({"a": [1]}), {"a": "money"})


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_any_text_round_trips_as_a_string(tmp_path, values):
    # openpyxl does not decode Excel's _xHHHH_ escapes in inline strings (Excel does).
    values = [v for v in values if not re.search(r"_x[0-9A-Fa-f]{4}_", v)]
    path = write_workbook(tmp_path / "p.xlsx", [Table("P", pd.DataFrame({"t": values}))])
    book = load(path)
    cleaned = [
        re.sub(
            "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]",
            "",
            v.replace("\r\n", "\n").replace("\r", "\n"),
        )
        for v in values
    ]
    got = [c.value for c in book["P"]["A"][1:]]
    got += [None] * (len(values) - len(got))
    assert got == [c or None for c in cleaned]
    assert_no_formulas(book)


def describe_styles(path: Path) -> dict:
    """A compact description of the styles of every sheet, for the golden file."""
    result = {}
    for ws in load(path).worksheets:
        head = ws["A1"]
        result[ws.title] = {
            "header_font": {"bold": head.font.bold, "color": head.font.color.rgb},
            "header_fill": {"type": head.fill.fill_type, "color": head.fill.fgColor.rgb},
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "widths": {k: round(v, 2) for k, v in sorted(widths(ws).items())},
            "row2_formats": [c.number_format for c in ws[2]],
            "row2_links": [bool(c.hyperlink) for c in ws[2]],
            "row2_styles": [c.style for c in ws[2]],
        }
    return result


def test_styles_match_golden_file(tmp_path):
    path = write_workbook(tmp_path / "g.xlsx", [organisations()], summary=[("rows", 3)])
    described = describe_styles(path)
    if os.environ.get("HOTPASS_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(described, indent=1, sort_keys=True) + "\n")
    assert described == json.loads(GOLDEN.read_text())
