"""Sheet roles through a whole refinement: only entity sheets make records, side tables and logs land
on the records they reference, unmatched references are reported, and an operator's role wins."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from hotpass.ingest import read_workbook
from hotpass.mapping import map_sheets
from hotpass.pipeline import refine
from hotpass.profile import load_profile
from hotpass.samples.shapes import CATEGORIES, CRM, PEOPLE, REGULATOR, write_shapes
from hotpass.text import fold

ROLE_OF_ENTITY_SHEET = {"Companies": "organisation", "Register": "organisation", "Operators": "mixed",
                        "People": "contact"}


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    return write_shapes(tmp_path_factory.mktemp("shapes") / "in")


@pytest.fixture(scope="module")
def run(shapes, tmp_path_factory):
    out = tmp_path_factory.mktemp("shapes_out")
    files = [shapes.directory / name for name in (CRM, REGULATOR, PEOPLE)]
    result = refine(files, load_profile("generic"), csv_dir=out / "csv", raise_blocked=False)
    yield result
    result.close()


def _cached(path, sheet: str) -> pd.DataFrame:
    """A fixture sheet as Excel last calculated it (the first row is the header)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    book.close()
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_every_sheet_of_the_run_has_its_role_and_a_reason(shapes, run):
    roles = run.table("sheet_roles")
    seen = {(r.file, r.sheet): r for r in roles.itertuples(index=False)}
    for (file, sheet), truth in shapes.roles.items():
        if (file, sheet) not in seen:  # empty sheets are findings, not sheets; uncached file not refined
            continue
        row = seen[(file, sheet)]
        expected = ROLE_OF_ENTITY_SHEET.get(sheet, truth) if truth == "entity" else truth
        assert row.role == expected, (file, sheet, row.role, row.reason)
        assert row.reason and 0 < row.confidence <= 1
        if truth in ("side_table", "activity_log"):
            assert row.key == shapes.keys[(file, sheet)]


def test_lookup_values_create_no_record(shapes, run):
    names = {fold(n) for n in run.organisations["name"].dropna()}
    assert not names & {fold(v) for v in shapes.lookup_values}
    assert not names & {fold(c) for c in CATEGORIES}
    assert run.organisations["name"].notna().all(), "every organisation has a name"
    assert len(run.organisations) == len(shapes.company_ids)


def test_side_table_lines_land_on_their_organisation(shapes, run):
    notes = _cached(shapes.directory / CRM, "Notes")
    orgs = run.organisations.set_index("source_id")
    first = notes.dropna(subset=["Company ID"]).iloc[0]
    expected = notes.loc[notes["Company ID"] == first["Company ID"], "Note"].tolist()
    assert orgs.loc[first["Company ID"], "Notes: Note"].split("; ") == expected
    codes = _cached(shapes.directory / CRM, "Codes")
    for company, group in codes.groupby("Company ID"):
        assert set(orgs.loc[company, "Codes: Code"].split("; ")) == {str(c) for c in group["Code"]}
    assert orgs["Addresses: Address Line 1"].notna().mean() > 0.5


def test_an_activity_log_gives_a_count_and_the_last_date(shapes, run):
    orders = _cached(shapes.directory / CRM, "Orders")
    orgs = run.organisations.set_index("source_id")
    for company, group in orders.groupby("Company ID"):
        assert int(orgs.loc[company, "Orders: rows"]) == len(group)
        last = max(d if isinstance(d, dt.datetime) else pd.Timestamp(d) for d in group["Order Date"])
        assert orgs.loc[company, "Orders: last Order Date"] == last.date().isoformat()


def _small_crm(path) -> None:
    book = openpyxl.Workbook()
    companies = book.active
    companies.title = "Companies"
    companies.append(["Company ID", "Company Name", "Town"])
    for row in (["C1", "Karoo Air", "Upington"], ["C2", "Blue Sky Charters", "Durban"],
                ["C3", "Heli Ops", "George"]):
        companies.append(row)
    notes = book.create_sheet("Notes")
    notes.append(["Company ID", "Note"])
    for row in (["C1", "Prefers email"], ["C2", "Call after 10"], ["C9", "Left the industry"],
                ["C1", "Renewal in March"]):
        notes.append(row)
    book.save(path)


def test_a_reference_that_matches_no_record_is_a_finding_naming_it(tmp_path):
    path = tmp_path / "small_crm.xlsx"
    _small_crm(path)
    with refine([path], load_profile("generic"), raise_blocked=False) as result:
        found = result.findings
        unmatched = found[found["code"] == "records.unmatched_reference"]
        assert len(unmatched) == 1
        hit = unmatched.iloc[0]
        assert (hit["file"], hit["sheet"], int(hit["row"]), hit["column"], hit["original"]) == \
            ("small_crm.xlsx", "Notes", 4, "Company ID", "C9")
        orgs = result.organisations.set_index("name")
        assert orgs.loc["Karoo Air", "Notes: Note"] == "Prefers email; Renewal in March"
        assert len(orgs) == 3


def test_the_operators_role_wins_and_changes_the_run(tmp_path):
    path = tmp_path / "small_crm.xlsx"
    _small_crm(path)
    profile = load_profile("generic")
    book = read_workbook(path)
    mappings = map_sheets(book.sheets, profile)
    notes = next(m for m in mappings if m.sheet == "Notes")
    assert notes.role == "side_table"
    notes.role, notes.role_method = "ignore", "manual"
    with refine([path], profile, saved=mappings, raise_blocked=False) as result:
        assert "Notes: Note" not in result.organisations.columns
        roles = result.table("sheet_roles").set_index("sheet")
        assert roles.loc["Notes", "role"] == "ignore" and roles.loc["Notes", "role_method"] == "saved"
        assert not (result.findings["code"] == "records.unmatched_reference").any()


@pytest.mark.parametrize("profile_name", ["generic", "aviation", "person"])
def test_any_shipped_profile_on_any_shape_refines_or_says_why_in_one_line(shapes, profile_name, tmp_path):
    """Every fixture file alone, and all together, with every shipped profile: a result, or a
    HotpassError whose message is one line naming the file: never another exception."""
    from hotpass.errors import HotpassError

    profile = load_profile(profile_name)
    for files in [[path] for path in shapes.files] + [shapes.files]:
        try:
            with refine(files, profile, raise_blocked=False) as result:
                assert result.summary
        except HotpassError as exc:
            message = str(exc)
            assert "\n" not in message.strip() and any(p.name in message for p in files), message
