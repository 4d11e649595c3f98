"""Records: roles become organisations and contacts; people stay whole; contacts link."""

from __future__ import annotations

import pandas as pd

from hotpass.findings import Finding
from hotpass.pipeline import refine_sheets


class _Records:
    """The records of sheets after the ``keys`` stage: organisations, contacts and findings."""

    def __init__(self, result):
        self.organisations = result.table("organisation_records")
        self.contacts = result.table("contact_records")
        frame = result.findings
        self.findings = [Finding(**{k: (None if pd.isna(v) else v) for k, v in row.items()})
                         for row in frame.to_dict("records")]

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


def _build(profile, *sheets):
    with refine_sheets(sheets, profile, stop="keys") as result:
        return _Records(result)


def test_mixed_row_splits_people_and_keeps_unclaimed_details_on_the_organisation(sheet_factory, aviation):
    sheet = sheet_factory(
        ["School", "Contact Person(s)", "Cell", "Tel"],
        [["Skyway Aviation (Pty) Ltd", "Ian Dyson (Director); Mark Smith (Chief Flight Instructor)",
          "082 123 4567", "011 456 7890"],
         ["Blue Sky cc", "Ann Lee (Owner)", "083 555 1212", "- -"]],
        file="legacy.xlsx", sheet="Contacts DB")
    records = _build(aviation, sheet)
    orgs, contacts = records.organisations, records.contacts
    assert orgs["name"].tolist() == ["Skyway Aviation", "Blue Sky"]
    assert orgs["legal_suffix"].tolist() == ["(Pty) Ltd", "CC"]
    assert orgs["phone"].tolist()[0] == "+27114567890" and orgs["phone"].isna().tolist()[1]
    people = contacts[["full_name", "role", "mobile", "org_record"]].values.tolist()
    assert people == [
        ["Ian Dyson", "Director", None, orgs.at[0, "record_id"]],
        ["Mark Smith", "Chief Flight Instructor", None, orgs.at[0, "record_id"]],
        ["Ann Lee", "Owner", "+27835551212", orgs.at[1, "record_id"]],
    ]
    # One mobile, two people: it belongs to neither for certain, so it stays on the organisation.
    assert orgs.at[0, "unassigned_mobile"] == "+27821234567"
    assert "records.unassigned_contact_detail" in records.codes()


def test_details_pair_up_when_counts_match(sheet_factory, aviation):
    sheet = sheet_factory(["School", "Contact Person(s)", "Cell"],
                          [["Skyway", "Ian Dyson; Mark Smith", "082 123 4567 / 083 765 4321"]])
    contacts = _build(aviation, sheet).contacts
    assert contacts[["full_name", "mobile"]].values.tolist() == [
        ["Ian Dyson", "+27821234567"], ["Mark Smith", "+27837654321"]]


def test_contact_sheet_links_by_id_then_by_name(sheet_factory, aviation):
    orgs = sheet_factory(["ID", "Company Name"], [["17", "Skyway Aviation"], ["18", "Blue Sky CC"]],
                         file="crm.xlsx", sheet="Organisation")
    by_id = sheet_factory(["Org ID", "First Name", "Last Name"], [["18", "ann", "LEE"], ["99", "Bob", "Ray"]],
                          file="crm.xlsx", sheet="Contact Info")
    by_name = sheet_factory(["Company", "Full Name", "Position"], [["SKYWAY AVIATION (PTY) LTD", "Ian Dyson", "CEO"]],
                            file="other.xlsx", sheet="People")
    records = _build(aviation, orgs, by_id, by_name)
    o, c = records.organisations, records.contacts
    ids = dict(zip(o["name"], o["record_id"]))
    assert c["full_name"].tolist() == ["Ann Lee", "Bob Ray", "Ian Dyson"]
    linked = [None if pd.isna(v) else v for v in c["org_record"]]
    assert linked == [ids["Blue Sky"], None, ids["Skyway Aviation"]]
    unlinked = [f for f in records.findings if f.code == "records.unlinked_contact"]
    assert len(unlinked) == 1 and unlinked[0].row == 3 and unlinked[0].sheet == "Contact Info"


def test_placeholders_never_become_people(sheet_factory, aviation):
    sheet = sheet_factory(["Organisation Name", "Accountable Manager"],
                          [["Skyway", "Not Publicly Listed"], ["Blue Sky", "- -"], ["Red Air", "Unknown"]])
    records = _build(aviation, sheet)
    assert len(records.organisations) == 3
    assert records.contacts.empty


def test_unmapped_columns_are_kept(sheet_factory, aviation):
    sheet = sheet_factory(["Company Name", "Fleet size"], [["Skyway", "12"]])
    orgs = _build(aviation, sheet).organisations
    assert orgs.at[0, "extra:Fleet size"] == "12"
    assert orgs.at[0, "country"] == "South Africa"
