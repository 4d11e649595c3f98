"""Golden records: survivorship with provenance, conflicts, and contacts that stay whole."""

from __future__ import annotations

import pandas as pd

from hotpass.run import Request, Run
from hotpass.rundb import RunDB
from hotpass.stages import merge

PROVENANCE = ["source_file", "source_sha256", "source_sheet", "source_row"]


def _run(profile, orgs: pd.DataFrame, clusters: pd.DataFrame, contacts: pd.DataFrame | None = None) -> RunDB:
    """The merge stage on these record tables; returns the run database."""
    db = RunDB()
    db.write("organisation_records", orgs)
    db.write("clusters", clusters)
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in
                          ["record_id", "record_key", "org_record", *PROVENANCE]})
    db.write("contact_records", contacts if contacts is not None else empty)
    merge.run(Run(db, Request()), profile)
    return db


def merge_organisations(orgs, clusters, profile):
    db = _run(profile, orgs, clusters)
    golden = type("Golden", (), {})()
    golden.records = db.frame("golden_organisation")
    golden.provenance = db.frame("provenance").rename(columns={"record_id": "organisation_id"})
    golden.conflicts = db.frame("conflicts")
    return golden


def merge_contacts(contacts, golden_of, profile):
    """Contacts of organisation records O1.. (``golden_of`` maps them to ORG-<n> ids)."""
    orgs = pd.DataFrame({"record_id": list(golden_of), "record_key": [f"org:{g.split('-', 1)[1].lower()}"
                                                                     for g in golden_of.values()],
                         "source_file": "o.xlsx", "source_sha256": "0", "source_sheet": "O",
                         "source_row": range(2, 2 + len(golden_of)), "name": "Org"})
    clusters = pd.DataFrame({"record_key": orgs["record_key"], "cluster_id": orgs["record_key"]})
    db = _run(profile, orgs, clusters, contacts)
    people = db.frame("golden_contact")
    prov = db.frame("SELECT * FROM provenance WHERE record_kind = 'contact'")
    return people, prov


def golden_id(cluster_id: str) -> str:
    return f"ORG-{cluster_id.split(':', 1)[-1][:12].upper()}"


def _orgs(rows: list[dict]) -> pd.DataFrame:
    base = {"record_id": None, "source_sha256": "0", "source_sheet": "S", "record_key": None}
    frame = pd.DataFrame([{**base, **r} for r in rows], dtype=object)
    frame["record_id"] = [f"O{i}" for i in range(len(frame))]
    frame["record_key"] = frame["record_key"].fillna(pd.Series([f"org:k{i}" for i in range(len(frame))]))
    return frame


def test_survivorship_keeps_every_phone_and_says_why(aviation):
    orgs = _orgs([
        {"source_file": "legacy.xlsx", "source_row": 5, "name": "Skyway Aviaton", "phone": "+27114567890",
         "region": "Gauteng", "record_key": "org:a"},
        {"source_file": "regulator.xlsx", "source_row": 9, "name": "Skyway Aviation", "phone": "+27821234567",
         "region": "KwaZulu-Natal", "record_key": "org:b"},
        {"source_file": "crm.xlsx", "source_row": 2, "name": "Skyway Aviation", "phone": "0114567890x",
         "record_key": "org:c"},
    ])
    clusters = pd.DataFrame({"record_key": ["org:a", "org:b", "org:c"], "cluster_id": ["org:a"] * 3})
    golden = merge_organisations(orgs, clusters, aviation)
    (record,) = golden.records.to_dict("records")
    assert record["organisation_id"] == golden_id("org:a")
    assert record["name"] == "Skyway Aviation"  # two records agree
    assert record["region"] == "KwaZulu-Natal"  # the regulator outranks the legacy sheet
    assert record["phone"] in {"+27114567890", "+27821234567"}
    others = set(record["phone_other"].split("; "))
    assert {record["phone"], *others} == {"+27114567890", "+27821234567", "0114567890x"}
    assert record["source_count"] == 3
    prov = golden.provenance.set_index("field")
    assert prov.loc["name", "rule"] == "agreement"
    assert prov.loc["region", "rule"] == "source_priority"
    assert prov.loc["region", "source_file"] == "regulator.xlsx" and prov.loc["region", "source_row"] == 9
    assert set(golden.conflicts["field"]) == {"name", "region"}
    assert record["conflicts"] == "name, region"


def test_invalid_values_lose_to_valid_ones(aviation):
    orgs = _orgs([
        {"source_file": "regulator.xlsx", "source_row": 2, "name": "A", "email": "info@@a.co.za"},
        {"source_file": "legacy.xlsx", "source_row": 3, "name": "A", "email": "info@a.co.za"},
    ])
    clusters = pd.DataFrame({"record_key": ["org:k0", "org:k1"], "cluster_id": ["org:k0", "org:k0"]})
    golden = merge_organisations(orgs, clusters, aviation)
    assert golden.records.at[0, "email"] == "info@a.co.za"
    assert golden.provenance.set_index("field").loc["email", "rule"] == "validity"


def _contacts(rows: list[dict]) -> pd.DataFrame:
    base = {"source_sha256": "0", "source_sheet": "S", "org_record": "O1"}
    frame = pd.DataFrame([{**base, **r} for r in rows], dtype=object)
    frame["record_key"] = [f"contact:{i}" for i in range(len(frame))]
    frame["record_id"] = [f"C{i}" for i in range(len(frame))]
    return frame


def test_two_people_sharing_an_office_line_and_inbox_stay_two_people(aviation):
    contacts = _contacts([
        {"source_file": "regulator.xlsx", "source_row": 4, "full_name": "Ian Dyson", "role": "Director",
         "email": "info@skyway.co.za", "phone": "+27114567890", "mobile": "+27821234567"},
        {"source_file": "crm.xlsx", "source_row": 7, "full_name": "Mark Smith", "role": "Chief Flight Instructor",
         "email": "info@skyway.co.za", "phone": "+27114567890", "mobile": "+27837654321"},
    ])
    people, _prov = merge_contacts(contacts, {"O1": "ORG-1"}, aviation)
    rows = people.set_index("full_name")
    assert len(people) == 2
    assert rows.loc["Ian Dyson", "role"] == "Director" and rows.loc["Ian Dyson", "mobile"] == "+27821234567"
    assert rows.loc["Mark Smith", "role"] == "Chief Flight Instructor"
    assert rows.loc["Mark Smith", "mobile"] == "+27837654321"
    assert rows.loc["Mark Smith", "source_rows"] == "crm.xlsx | S | row 7"


def test_one_person_seen_in_two_sources_is_one_contact(aviation):
    contacts = _contacts([
        {"source_file": "regulator.xlsx", "source_row": 4, "full_name": "Ian Dyson", "mobile": "+27821234567"},
        {"source_file": "crm.xlsx", "source_row": 7, "full_name": "Ian Dyson", "first_name": "Ian",
         "last_name": "Dyson", "email": "ian@skyway.co.za", "role": "Director"},
        {"source_file": "legacy.xlsx", "source_row": 2, "full_name": None, "email": "ian@skyway.co.za"},
    ])
    people, prov = merge_contacts(contacts, {"O1": "ORG-1"}, aviation)
    assert len(people) == 1
    person = people.iloc[0]
    assert (person["mobile"], person["email"], person["role"]) == ("+27821234567", "ian@skyway.co.za", "Director")
    assert person["source_count"] == 3 and person["organisation_id"] == "ORG-1"
    assert set(prov["field"]) >= {"full_name", "mobile", "email", "role"}
