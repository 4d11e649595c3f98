"""Any subset of fields works: organisation-only, contact-only, a profile without optional
fields, nothing to merge; and a property test over random sheets."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotpass.pipeline import refine_sheets
from hotpass.profile import Profile, load_profile
from tests.conftest import make_sheet


def _refine(profile, *sheets):
    result = refine_sheets(sheets, profile)
    counts = result.counts
    return result, counts


def test_an_organisation_only_file(aviation):
    sheet = make_sheet(["Company Name", "Phone", "Province"],
                       [["Skyway Aviation", "011 456 7890", "Gauteng"], ["Blue Sky", "021 555 0101", "WC"],
                        ["Skyway Aviation (Pty) Ltd", "011 456 7890", "Gauteng"]])
    with refine_sheets([sheet], aviation) as result:
        assert len(result.organisations) == 2 and len(result.contacts) == 0
        assert result.counts["Contact records"] == 0 and result.published


def test_a_contact_only_file(aviation):
    sheet = make_sheet(["First Name", "Last Name", "Email", "Mobile"],
                       [["Ann", "Lee", "ann@skyway.co.za", "082 123 4567"],
                        ["Bob", "Ray", "bob@bluesky.co.za", "083 555 1212"]])
    with refine_sheets([sheet], aviation) as result:
        assert len(result.organisations) == 0 and len(result.contacts) == 2
        assert result.counts["Contacts without an organisation"] == 2
        codes = set(result.findings["code"])
        assert "records.contact_without_organisation" in codes


def test_a_profile_without_optional_fields(aviation):
    data = {"name": "minimal",
            "organisation_fields": {"name": {"kind": "org_name", "synonyms": ["company"]}},
            "contact_fields": {"organisation_link": {"kind": "link", "synonyms": ["company"]},
                               "first_name": {"kind": "first_name", "synonyms": ["first name"]},
                               "email": {"kind": "email", "synonyms": ["email"]}},
            "quality": {"organisation_fields": {"name": 1}, "contact_fields": {"email": 1}},
            "resolution": {"comparisons": ["name"], "blocking_rules": [["name_key"]],
                           "deterministic_rules": [["name_key"]], "training_rules": [["name_core"]]},
            "validation": {"blocking": []}}
    profile = Profile.from_dict(data)
    orgs = make_sheet(["Company", "Fleet"], [["Skyway", "3"], ["Blue Sky", "1"], ["Skyway", "3"]])
    people = make_sheet(["Company", "First Name", "Email"], [["Skyway", "Ann", "ann@skyway.co.za"]],
                        sheet="People")
    with refine_sheets([orgs, people], profile) as result:
        assert set(result.organisations["name"]) == {"Skyway", "Blue Sky"}
        assert result.contacts["email"].tolist() == ["ann@skyway.co.za"]
        assert result.contacts["organisation_id"].notna().all()


def test_a_run_that_finds_nothing_to_merge(aviation):
    sheet = make_sheet(["Company Name", "Phone"], [["Alpha Air", "011 111 1111"], ["Zulu Jets", "021 222 2222"]])
    with refine_sheets([sheet], aviation) as result:
        assert len(result.organisations) == 2
        assert result.counts["Duplicate pairs merged automatically"] == 0


def test_a_single_record_and_an_empty_sheet_role(aviation):
    one = make_sheet(["Company Name"], [["Alpha Air"]])
    notes = make_sheet(["Comment"], [["call back"]], sheet="Notes")
    with refine_sheets([one, notes], aviation) as result:
        assert result.organisations["name"].tolist() == ["Alpha Air"]
        # one column of one short value: a lookup list or nothing, and said so either way
        assert {"records.sheet_ignored", "records.lookup_sheet"} & set(result.findings["code"])


ORG_COLUMNS = {"name": "Company Name", "phone": "Telephone", "email": "Email Address", "website": "Website",
               "region": "Province", "town": "Town", "source_id": "Account ID", "category": "Category"}
CONTACT_COLUMNS = {"full_name": "Contact Person", "first_name": "First Name", "last_name": "Last Name",
                   "role": "Position", "mobile": "Mobile"}
VALUES = {
    "name": ["Skyway Aviation", "Blue Sky (Pty) Ltd", "skyway aviation", "n/a", "", "Zulu Jets CC"],
    "phone": ["011 456 7890", "+27 21 555 0101", "0114567890", "- -", "12"],
    "email": ["info@skyway.co.za", "bob@gmail.com", "not an email", ""],
    "website": ["www.skyway.co.za", "https://bluesky.co.za", "facebook.com/x", ""],
    "region": ["Gauteng", "WC", "Guateng", ""],
    "town": ["Lanseria", "Cape Town", ""],
    "source_id": ["17", "18", "A-1", ""],
    "category": ["ATO", "AMO", ""],
    "full_name": ["Ian Dyson (Director); Mark Smith", "Ann Lee", "Unknown", ""],
    "first_name": ["Ann", "bob", ""],
    "last_name": ["Lee", "RAY", ""],
    "role": ["CEO", "Accountable Manager", ""],
    "mobile": ["082 123 4567", "083 765 4321 / 082 000 1111", ""],
}


@st.composite
def sheets(draw):
    """One to three sheets with random subsets of the canonical columns and random values."""
    out = []
    for number in range(draw(st.integers(1, 3))):
        org = draw(st.lists(st.sampled_from(sorted(ORG_COLUMNS)), unique=True, max_size=5))
        people = draw(st.lists(st.sampled_from(sorted(CONTACT_COLUMNS)), unique=True, max_size=3))
        fields = org + people or ["name"]
        headers = [ORG_COLUMNS.get(f) or CONTACT_COLUMNS[f] for f in fields]
        rows = draw(st.lists(st.tuples(*[st.sampled_from(VALUES[f]) for f in fields]), min_size=1, max_size=6))
        out.append(make_sheet(headers, [[v or None for v in row] for row in rows], file=f"f{number}.xlsx",
                              sheet=f"S{number}"))
    return out


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("HOTPASS_EXAMPLES", "12")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_random_subsets_of_fields_and_sheet_shapes_refine(shapes):
    with refine_sheets(shapes, load_profile("aviation")) as result:
        counts = result.counts
        orgs, contacts = result.organisations, result.contacts
        assert counts["Output organisations"] == len(orgs) <= counts["Organisation records"]
        assert counts["Output contacts"] == len(contacts) <= counts["Contact records"]
        assert orgs["organisation_id"].is_unique and contacts["contact_id"].is_unique
        linked = set(contacts["organisation_id"].dropna())
        assert linked <= set(orgs["organisation_id"])
        assert len(result.source_map) == counts["Organisation records"] + counts["Contact records"]
        assert isinstance(result.findings, pd.DataFrame)
