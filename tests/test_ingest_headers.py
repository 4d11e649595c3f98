"""Unit tests: header folding and detection, label cleaning, cell-to-text conversion."""

from __future__ import annotations

import datetime as dt

import pytest

from hotpass.ingest import fold_header
from hotpass.ingest._child import to_text
from hotpass.ingest.headers import clean_label, column_letter, dedupe_labels, detect_header


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("E-mail Address", "emailaddress"),
        ("  Org. Name ", "orgname"),
        ("Téléphone", "telephone"),
        ("Straße", "strasse"),
        ("Tel #2", "tel2"),
    ],
)
def test_fold_header(raw, folded):
    assert fold_header(raw) == folded


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (16383, "XFD")]
)
def test_column_letter(index, letters):
    assert column_letter(index) == letters


def test_title_rows_above_header():
    rows = [
        [
            "Civil Aviation Authority — Register of Approved Training Organisations",
            None,
            None,
            None,
        ],
        ["Extracted 2024-05-01", None, None, None],
        ["Organisation", "Phone", "Email", "Town"],
        ["Acme", "0215550000", "a@acme.co.za", "Cape Town"],
        ["Beta", "0315550000", "b@beta.co.za", "Durban"],
    ]
    assert detect_header(rows, 30) == 2


def test_header_narrower_than_data_rows():
    rows = [
        ["Name", "Phone", None, "Email", None],
        ["Acme", "0215550000", "ext 12", "a@acme.co.za", "x"],
        ["Beta", "0315550000", "ext 13", "b@beta.co.za", "y"],
    ]
    assert detect_header(rows, 30) == 0


def test_metadata_row_above_header():
    rows = [
        ["Region:", "Gauteng", "Date:", "2024-05-01", None, None],
        ["Name", "Phone", "Email", "Town", "Contact", "Role"],
        ["Acme", "0215550000", "a@acme.co.za", "Pretoria", "Ann", "CEO"],
        ["Beta", "0315550000", "b@beta.co.za", "Midrand", "Bob", "CFO"],
    ]
    assert detect_header(rows, 30) == 1


def test_all_text_table_uses_first_row():
    rows = [["Acme", "Cape Town"], ["Beta", "Durban"], ["Gamma", "Pretoria"]]
    assert detect_header(rows, 30) == 0


def test_numeric_table_has_no_header():
    assert detect_header([["1", "2"], ["3", "4.5"], ["2024-01-01", "7"]], 30) is None


def test_known_headers_outweigh_position():
    rows = [
        ["Quarterly", "Report", "Draft"],
        ["Organisation", "Telephone", "Email"],
        ["Acme", "021", "a@b.co"],
    ]
    known = {"organisation", "telephone", "email"}
    assert detect_header(rows, 30, known) == 1


def test_scan_limit():
    rows = [[f"title {i}", None, None] for i in range(5)] + [
        ["Name", "Phone", "Town"],
        ["A", "1", "B"],
    ]
    assert detect_header(rows, 3) in (0, 1, 2)
    assert detect_header(rows, 30) == 5


def test_clean_and_dedupe_labels():
    assert clean_label("  Contact\nPerson  ") == "Contact Person"
    assert clean_label(None) == ""
    labels = ["Phone", "phone", "Phone (2)", "Email", "Phone"]
    renamed = dedupe_labels(labels)
    assert labels == ["Phone", "phone (3)", "Phone (2)", "Email", "Phone (4)"]
    assert renamed == [("phone", "phone (3)"), ("Phone", "Phone (4)")]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("  0821234567 ", "0821234567"),
        ("", None),
        ("   ", None),
        (None, None),
        (27834230000.0, "27834230000"),
        (12.5, "12.5"),
        (1e10, "10000000000"),
        (999999999999999.0, "999999999999999"),
        (1e15, "1000000000000000"),
        (1e16, "1e+16"),
        (-3.0, "-3"),
        (-0.0, "0"),
        (0.1 + 0.2, "0.3"),
        (float("nan"), None),
        (5, "5"),
        (True, "TRUE"),
        (False, "FALSE"),
        (dt.date(2024, 3, 1), "2024-03-01"),
        (dt.datetime(2024, 3, 1), "2024-03-01"),
        (dt.datetime(2024, 3, 1, 10, 30), "2024-03-01T10:30:00"),
        (dt.time(10, 30), "10:30:00"),
        (b" bytes ", "bytes"),
    ],
)
def test_to_text(value, text):
    assert to_text(value) == text
