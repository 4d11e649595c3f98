"""Sheet roles: every fixture shape gets its role and reason; odd input never raises."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotpass.ingest import SourceSheet, fold_header, read_workbook
from hotpass.roles import ROLES, RoleHints, SheetRole, classify, classify_all
from hotpass.samples.shapes import CRM, write_shapes


def _folded(*labels: str) -> frozenset[str]:
    return frozenset(fold_header(label) for label in labels)


# What a profile would know: a few synonyms of each kind (the real ones come from the profile).
HINTS = RoleHints(
    name_headers=_folded(
        "organisation",
        "company",
        "company name",
        "name",
        "first name",
        "last name",
        "full name",
        "contact name",
        "customer",
    ),
    id_headers=_folded("id", "company id", "org id", "approval no", "reference"),
    date_headers=_folded("date", "order date", "last activity"),
    field_headers=_folded(
        "town",
        "province",
        "category",
        "status",
        "email",
        "phone",
        "mobile",
        "address",
        "address line 1",
        "postal code",
        "job title",
        "notes",
    ),
)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    return write_shapes(tmp_path_factory.mktemp("shapes"), seed=11)


@pytest.fixture(scope="module")
def books(shapes):
    return [read_workbook(path) for path in shapes.files]


def _roles(books, hints):
    found = {}
    for book in books:
        for sheet, role in zip(book.sheets, classify_all(book.sheets, hints), strict=True):
            found[(book.file, sheet.sheet)] = role
        for name in book.empty_sheets:  # ingest never hands an empty sheet on: it is ignored
            found[(book.file, name)] = SheetRole("ignore", "empty", 1.0)
    return found


@pytest.mark.parametrize("hints", [HINTS, None], ids=["profile hints", "no hints"])
def test_every_fixture_sheet_gets_its_expected_role(shapes, books, hints):
    found = _roles(books, hints)
    assert {key: role.role for key, role in found.items()} == shapes.roles
    for role in found.values():
        assert role.reason and "\n" not in role.reason and 0 <= role.confidence <= 1


def test_side_tables_and_logs_name_their_key_and_date(shapes, books):
    found = _roles(books, HINTS)
    for key, column in shapes.keys.items():
        assert found[key].key == column, key
    for key, column in shapes.dates.items():
        assert found[key].date == column, key
    assert all(found[key].key is None for key, role in shapes.roles.items() if role == "entity")


def test_the_admin_sheet_is_a_lookup_and_says_why(books):
    role = _roles(books, HINTS)[(CRM, "Admin")]
    assert role.role == "lookup" and role.confidence >= 0.8
    assert "short distinct values" in role.reason and "no name or contact column" in role.reason
    assert "values used as categories on other sheets" in role.reason


def test_lookup_values_never_reach_an_entity_sheet(shapes, books):
    found = _roles(books, HINTS)
    names = set()
    for book in books:
        for sheet in book.sheets:
            if found[(book.file, sheet.sheet)].role != "entity":
                continue
            for label in sheet.columns:
                if fold_header(label) in HINTS.name_headers:
                    names |= set(sheet.frame[label].dropna())
    assert names and not (names & shapes.lookup_values)
    holders = {key for key, role in found.items() if role.role == "lookup"}
    assert holders == {(CRM, "Admin"), (CRM, "Settings")}


def test_each_rule_gives_a_reason_an_operator_reads(books):
    found = _roles(books, HINTS)
    assert "scratch" in found[(CRM, "Scratch")].reason
    assert "summary table" in found[(CRM, "Summary")].reason
    assert "row numbers" in found[(CRM, "Numbers")].reason
    assert "'Order Date'" in found[(CRM, "Orders")].reason
    assert "'Company ID'" in found[(CRM, "Notes")].reason


def _sheet(columns, rows, name="Sheet3"):
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame.index = range(2, 2 + len(rows))
    return SourceSheet("t.xlsx", "/tmp/t.xlsx", "0" * 64, name, 1, list(columns), frame)


CATEGORIES = [
    "AMO",
    "ATO",
    "Brokers",
    "Charter - Heli",
    "Charter - Fixed Wing",
    "Flight School",
    "Flying Club",
    "Fuel",
    "Insurance",
    "Parts",
    "Avionics",
    "Airfield",
    "Museum",
    "Gov",
]


def test_a_single_column_of_category_values_is_a_lookup_whatever_the_sheet_is_called():
    role = classify(_sheet(["Type"], [[v] for v in CATEGORIES]), HINTS)
    assert role.role == "lookup"
    assert role.reason.startswith("a single column (Type) of at most 14 short distinct values")


def test_a_log_keyed_by_name_and_a_side_table_keyed_by_name():
    log = _sheet(
        ["Customer", "Date", "Amount"],
        [[f"Firm {i % 4}", f"2024-01-{i + 1:02d}", str(10 * i)] for i in range(20)],
    )
    notes = _sheet(["Company", "Note"], [[f"Firm {i % 5}", f"note {i}"] for i in range(20)])
    assert (classify(log, HINTS).role, classify(log, HINTS).key) == ("activity_log", "Customer")
    assert (classify(notes, HINTS).role, classify(notes, HINTS).key) == ("side_table", "Company")


def test_a_people_list_with_a_date_column_stays_an_entity():
    rows = [[f"First{i}", f"Last{i}", f"Firm {i % 3}", f"2024-02-{i + 1:02d}"] for i in range(20)]
    role = classify(_sheet(["First Name", "Last Name", "Company", "Date Added"], rows), HINTS)
    assert role.role == "entity"


def test_a_register_whose_given_names_and_surnames_repeat_apart_is_people_not_a_log():
    # a members list: few distinct given names or surnames, but seldom the same pair, and a date
    # of birth on every row (a date, but no event)
    given, surnames = ["Thabo", "Lerato", "Johan", "Priya", "Sipho"], ["Botha", "Naidoo", "Nel", "Pillay"]
    rows = [[f"M{i}", surnames[i % 4], given[i // 4 % 5], f"19{50 + i}-03-0{1 + i % 9}"] for i in range(20)]
    role = classify(_sheet(["Mem #", "Surname", "First names", "D.O.B."], rows), HINTS)
    assert role.role == "entity", role.reason
    calls = _sheet(["First name", "Last name", "Date"],  # the same people called again and again
                   [[given[i % 2], surnames[i % 2], f"2024-01-{i + 1:02d}"] for i in range(20)])
    assert classify(calls, HINTS).role == "activity_log"


ODD = {
    "no columns": _sheet([], []),
    "no rows": _sheet(["Name", "Town"], []),
    "all empty": _sheet(["A", "B"], [[None, None]] * 5),
    "one row": _sheet(["Name", "Town"], [["Acme", "Durban"]]),
    "500 columns": _sheet([f"c{i}" for i in range(500)], [[str(i)] * 500 for i in range(3)]),
    "repeated labels": _sheet(["Name", "Name"], [["a", "b"], ["c", "d"], ["e", "f"]]),
    "odd values": _sheet(
        ["x", "y"], [[1, float("nan")], [2.5, "²³"], ["", "  "], [None, "9" * 5000]]
    ),
    "missing markers": _sheet(["a", "b"], [[pd.NA, pd.NaT], [None, float("nan")], ["x", 3]]),
    "numbers only": _sheet(["column_A", "column_B"], [[str(i), str(i * 7)] for i in range(30)]),
}


@pytest.mark.parametrize("name", list(ODD))
def test_odd_input_never_raises(name):
    role = classify(ODD[name], HINTS)
    assert role.role in ROLES and 0 <= role.confidence <= 1 and role.reason
    assert classify(ODD[name]).role in ROLES


def test_empty_and_numeric_sheets_are_ignored():
    assert classify(ODD["no rows"]).role == classify(ODD["all empty"]).role == "ignore"
    assert classify(ODD["numbers only"], HINTS).role == "ignore"


_cells = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "AMO",
            "Acme Aviation",
            "2024-05-01",
            "0821234567",
            "a@b.co.za",
            "1",
            "2",
            "3",
            "n/a",
            "Total",
            "Q1",
        ]
    ),
    st.text(max_size=12),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
)


@st.composite
def _frames(draw):
    labels = draw(st.lists(st.text(max_size=10), max_size=6))
    rows = draw(st.lists(st.lists(_cells, min_size=len(labels), max_size=len(labels)), max_size=12))
    name = draw(st.sampled_from(["Sheet1", "Admin", "Orders", "", "Lists"]))
    return _sheet(labels, rows, name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_frames(), st.booleans())
def test_any_small_frame_gets_a_role(sheet, with_hints):
    hints = HINTS if with_hints else None
    for role in (classify(sheet, hints), *classify_all([sheet, sheet], hints)):
        assert role.role in ROLES and isinstance(role.reason, str) and role.reason
        assert not math.isnan(role.confidence) and 0 <= role.confidence <= 1
