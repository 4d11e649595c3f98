"""Profiles ranked by how well they fit a set of sheets; what each column's looks like."""

from __future__ import annotations

import pytest

from hotpass.fit import ColumnLook, Fit, look_at_columns, rank_profiles
from hotpass.ingest import read_workbook
from hotpass.profile import load_profile
from hotpass.samples.people import write_people
from hotpass.stages.sources import known_headers


@pytest.fixture(scope="module")
def person():
    return load_profile("person")


@pytest.fixture(scope="module")
def shipped(generic, aviation, person):
    return [generic, aviation, person]


def sheets_of(paths, profile) -> list:
    known = known_headers(profile)
    return [sheet for path in paths
            for sheet in read_workbook(path, profile.ingest, known_headers=known).sheets]


def test_aviation_workbooks_rank_aviation_above_generic(samples, shipped, generic):
    fits = rank_profiles(sheets_of(samples.files, generic), shipped)
    assert [f.profile for f in fits] == ["aviation", "generic", "person"]
    best, second, last = fits
    assert best.score > second.score > last.score and all(0 <= f.score <= 1 for f in fits)
    assert best.matched > second.matched and best.columns == second.columns == last.columns
    assert best.reason == (f"{best.matched} of {best.columns} columns match; "
                           "names organisations and contacts")
    assert last.reason.endswith("names people")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_people_list_ranks_the_person_profile_first(tmp_path, shipped, generic, fmt):
    paths = write_people(tmp_path, n=200, fmt=fmt)
    fits = rank_profiles(sheets_of(paths, generic), shipped)
    assert fits[0].profile == "person"
    assert fits[0].score > fits[1].score + 0.3
    assert fits[0].reason == "11 of 11 columns match; names people"


def test_labels_name_the_fits_and_ties_keep_the_order_given(sheet_factory, generic):
    sheet = sheet_factory(["Company Name", "Email"], [["Acme (Pty) Ltd", "info@acme.co.za"],
                                                      ["Beta CC", "hello@beta.co.za"]])
    fits = rank_profiles([sheet], {"mine": generic, "also mine": generic})
    assert [f.profile for f in fits] == ["mine", "also mine"]
    assert fits[0] == Fit("mine", 1.0, "2 of 2 columns match; names organisations", 2, 2)
    assert [f.profile for f in rank_profiles([sheet], {"b": generic, "a": generic})] == ["b", "a"]


def test_a_profile_that_reads_less_of_a_sheet_ranks_lower(sheet_factory, generic, person):
    sheet = sheet_factory(["Company Name", "Website", "Province", "Lead Priority"],
                          [["Acme (Pty) Ltd", "acme.co.za", "Gauteng", "High"],
                           ["Beta CC", "www.beta.co.za", "Limpopo", "Low"]])
    fits = rank_profiles([sheet], [person, generic])
    assert [f.profile for f in fits] == ["generic", "person"]
    assert fits[1].matched < fits[0].matched


def test_sheets_that_hold_no_records_score_nothing(sheet_factory, generic):
    lookup = sheet_factory(["Status"], [["Active"], ["Dormant"], ["Closed"]], sheet="Admin lists")
    (fit,) = rank_profiles([lookup], [generic])
    assert (fit.score, fit.columns, fit.reason) == (0.0, 0, "no sheet holds records")
    assert rank_profiles([], [generic])[0].score == 0.0


def test_each_column_shows_its_first_distinct_values_and_their_kind(sheet_factory, generic):
    columns = ["Email", "Tel", "Web", "Joined", "Amount", "Province", "Company", "Notes", "Ref",
               "Blank"]
    rows = [
        ["a@acme.co.za", "011 555 0101", "www.acme.co.za", "2021-03-04", "12.50", "Gauteng",
         "Acme Flight School", "call back on Tuesday about the hangar lease", "ATO-0001", None],
        ["a@acme.co.za", "+27 21 555 0102", "beta.org.za", "2022-11-30", "7", "Western Cape",
         "Beta Aero Club", "", "ATO-0002", ""],
        [None, "082 555 0103", "https://gamma.com", "2023-01-15", "1 200", "Limpopo",
         "Gamma Aviation (Pty) Ltd", "prefers email, not phone calls at all", "ATO-0003", None],
        ["d@delta.com", "083 555 0104", "delta.co.za", "2020-07-01", "3", "KwaZulu-Natal",
         "Delta Air Charter", "met at the expo and sent them the new brochure", "ATO-0004", None],
    ]
    looks = look_at_columns(sheet_factory(columns, rows), generic)
    assert [look.source for look in looks] == columns
    assert {look.source: look.kind for look in looks} == {
        "Email": "email", "Tel": "phone", "Web": "website", "Joined": "date", "Amount": "number",
        "Province": "region", "Company": "name", "Notes": "long text", "Ref": "code",
        "Blank": "empty",
    }
    assert looks[0] == ColumnLook("Email", "email", ("a@acme.co.za", "d@delta.com"))
    assert looks[8].samples == ("ATO-0001", "ATO-0002", "ATO-0003")
    assert looks[9].samples == ()
