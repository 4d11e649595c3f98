"""Column mapping: synonyms, fuzzy headers, content, roles, saved mappings."""

from __future__ import annotations

import pytest

from hotpass.errors import MappingError
from hotpass.mapping import load_mappings, map_sheet, save_mappings, set_target
from tests.conftest import make_sheet


def targets(mapping) -> dict[str, str | None]:
    return {c.source: c.target for c in mapping.columns}


def test_crm_organisation_sheet(sheet_factory, aviation):
    sheet = sheet_factory(
        ["ID", "Company Name", "Website", "Main Phone", "Province", "Category", "Last Activity", "Lead Priority"],
        [["17", "Skyway Aviation", "www.skyway.co.za", "27114567890", "GP", "School", "2024-01-02", "High"]],
    )
    mapping = map_sheet(sheet, aviation)
    assert mapping.role == "organisation"
    assert targets(mapping) == {
        "ID": "organisation.source_id", "Company Name": "organisation.name", "Website": "organisation.website",
        "Main Phone": "organisation.phone", "Province": "organisation.region", "Category": "organisation.category",
        "Last Activity": "organisation.last_interaction", "Lead Priority": "organisation.priority",
    }
    methods = {c.source: c.method for c in mapping.columns}
    assert methods["Company Name"] == "synonym" and methods["Main Phone"] == "word"


def test_crm_contact_sheet_links_by_org_id(sheet_factory, aviation):
    sheet = sheet_factory(
        ["Contact ID", "Org ID", "First Name", "Last Name", "Job Title", "Email", "Mobile", "Phone"],
        [["C1", "17", "Ian", "Dyson", "Director", "ian@skyway.co.za", "0821234567", "0114567890"]],
    )
    mapping = map_sheet(sheet, aviation)
    assert mapping.role == "contact"
    assert targets(mapping) == {
        "Contact ID": "contact.source_id", "Org ID": "contact.organisation_link",
        "First Name": "contact.first_name", "Last Name": "contact.last_name", "Job Title": "contact.role",
        "Email": "contact.email", "Mobile": "contact.mobile", "Phone": "contact.phone",
    }


def test_contact_sheet_linked_by_company_name(sheet_factory, generic):
    sheet = sheet_factory(["Full Name", "Position", "Company", "E-mail"],
                          [["Ann Lee", "CEO", "Acme", "ann@acme.co.za"]])
    mapping = map_sheet(sheet, generic)
    assert mapping.role == "contact"
    assert targets(mapping)["Company"] == "contact.organisation_link"
    assert targets(mapping)["E-mail"] == "contact.email"


def test_legacy_mixed_sheet(sheet_factory, aviation):
    sheet = sheet_factory(
        ["School", "Contact Person(s)", "Cell", "Tel", "Email(s)", "Region", "Web", "Notes"],
        [["Skyway", "Ian Dyson (Director)", "082 123 4567", "011 456 7890", "info@skyway.co.za", "KZN",
          "skyway.co.za", "call back"]],
    )
    mapping = map_sheet(sheet, aviation)
    assert mapping.role == "mixed"
    got = targets(mapping)
    assert got["School"] == "organisation.name"
    assert got["Contact Person(s)"] == "contact.full_name"
    assert got["Cell"] == "contact.mobile"
    assert got["Tel"] == "organisation.phone"
    assert got["Email(s)"] == "organisation.email"
    assert got["Region"] == "organisation.region"
    assert got["Web"] == "organisation.website"
    assert got["Notes"] == "organisation.notes"


def test_regulator_sheet_is_mixed(sheet_factory, aviation):
    sheet = sheet_factory(
        ["Approval No.", "Organisation Name", "Province", "Town/City", "Tel No.", "E-mail Address",
         "Accountable Manager", "Status", "Expiry Date"],
        [["CAA/ATO/0001", "SKYWAY (PTY) LTD", "Gauteng", "Germiston", "011 456 7890", "info@skyway.co.za",
          "Ian Dyson", "Active", "2025-01-01"]],
    )
    mapping = map_sheet(sheet, aviation)
    assert mapping.role == "mixed"
    got = targets(mapping)
    assert got["Approval No."] == "organisation.source_id"
    assert got["Town/City"] == "organisation.town"
    assert got["Tel No."] == "organisation.phone"
    assert got["Accountable Manager"] == "contact.full_name"
    assert got["Expiry Date"] is None  # no canonical field: kept as an extra column


def test_fuzzy_header_has_lower_confidence(sheet_factory, generic):
    sheet = sheet_factory(["Organisaton Nmae", "Telephon"], [["Acme", "011 456 7890"]])
    mapping = map_sheet(sheet, generic)
    first, second = mapping.columns
    assert first.target == "organisation.name" and first.method == "fuzzy" and 80 <= first.confidence < 100
    assert second.target == "organisation.phone" and second.method == "fuzzy"
    assert {c.source for c in mapping.uncertain(generic.mapping.confident_score)} >= {"Organisaton Nmae"}


def test_unknown_header_mapped_by_content(sheet_factory, generic):
    rows = [[f"Acme {i}", f"person{i}@acme{i}.co.za", f"www.acme{i}.co.za", "Gauteng"] for i in range(20)]
    sheet = sheet_factory(["Company", "Reach us", "Online presence", "Zone"], rows)
    mapping = map_sheet(sheet, generic)
    got = {c.source: (c.target, c.method) for c in mapping.columns}
    assert got["Reach us"] == ("organisation.email", "content")
    assert got["Online presence"] == ("organisation.website", "content")
    assert got["Zone"] == ("organisation.region", "content")


def test_two_columns_for_one_field(sheet_factory, generic):
    sheet = sheet_factory(["Company", "Organisation", "Tel", "Telephone"], [["A", "B", "1", "2"]])
    mapping = map_sheet(sheet, generic)
    got = targets(mapping)
    # Phones may come from several columns; a name may not: the second is kept as an extra.
    assert got["Tel"] == got["Telephone"] == "organisation.phone"
    assert [got["Company"], got["Organisation"]].count("organisation.name") == 1
    assert mapping.extras() in (["Company"], ["Organisation"])


def test_sheet_without_names_is_ignored(sheet_factory, generic):
    sheet = sheet_factory(["Foo", "Bar"], [["1", "2"]])
    mapping = map_sheet(sheet, generic)
    assert mapping.role == "ignore"
    assert all(c.target is None for c in mapping.columns)


def test_profile_overrides_role(sheet_factory, generic):
    profile = generic.model_copy(update={"sheet_roles": {"*::People": "contact"}})
    sheet = sheet_factory(["Company", "Contact Person", "Website"], [["A", "Ann Lee", "a.co.za"]], sheet="People")
    mapping = map_sheet(sheet, profile)
    assert (mapping.role, mapping.role_method) == ("contact", "profile")


def test_saved_mapping_survives_renamed_and_reordered_columns(sheet_factory, aviation, tmp_path):
    may = sheet_factory(["Biz", "Tel No.", "Odd column"], [["Acme", "011 456 7890", "x"]], file="crm_2024-05.xlsx")
    mapping = map_sheet(may, aviation)
    set_target(mapping, "Biz", "organisation.name", aviation)
    set_target(mapping, "Odd column", "organisation.notes", aviation)
    mapping.role = "organisation"
    path = save_mappings([mapping], tmp_path / "mapping.json")

    june = sheet_factory(["Odd columns", "Tel. No", "Biz", "New"], [["y", "011 456 7890", "Acme", "z"]],
                         file="crm_2024-06.xlsx")
    (saved,) = load_mappings(path)
    again = map_sheet(june, aviation, saved=saved)
    got = {c.source: (c.target, c.method) for c in again.columns}
    assert got["Biz"] == ("organisation.name", "saved")
    assert got["Odd columns"] == ("organisation.notes", "saved")
    assert got["Tel. No"][0] == "organisation.phone"
    assert got["New"] == (None, "unmapped")
    assert again.role_method == "saved"


def test_set_target_rejects_unknown_fields(sheet_factory, generic):
    mapping = map_sheet(sheet_factory(["Company"], [["A"]]), generic)
    with pytest.raises(MappingError, match="unknown field"):
        set_target(mapping, "Company", "organisation.nope", generic)
    with pytest.raises(MappingError, match="no column"):
        set_target(mapping, "Missing", "organisation.name", generic)


def test_broken_saved_mapping_file(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(MappingError, match="m.json"):
        load_mappings(bad)


def test_names_and_one_person_column_is_mixed(sheet_factory, aviation):
    sheet = sheet_factory(["Organisation Name", "Accountable Manager"], [["Skyway", "Ian Dyson"], ["Blue", "Ann Lee"]])
    assert map_sheet(sheet, aviation).role == "mixed"


@pytest.mark.parametrize("name", ["aviation", "generic"])
def test_consent_on_a_sheet_of_organisations_and_people_is_the_persons(sheet_factory, name):
    from hotpass.profile import load_profile

    profile = load_profile(name)
    mixed = sheet_factory(
        ["Organisation", "Contact Person", "Consent", "Where consent came from", "Opt out"],
        [["Skyway Aviation", "Ian Dyson", "Yes", "Web form", "No"], ["Blue Air", "Ann Lee", "No", "Phone", "Yes"]])
    mapping = map_sheet(mixed, profile)
    assert mapping.role == "mixed"
    assert {k: v for k, v in targets(mapping).items() if k not in ("Organisation", "Contact Person")} == {
        "Consent": "contact.consent", "Where consent came from": "contact.consent_source",
        "Opt out": "contact.opt_out"}
    # on a list of organisations alone the column stays the organisation's (and the role stays theirs)
    orgs = sheet_factory(["Organisation", "Phone", "Consent"], [["Skyway Aviation", "011 555 0100", "Yes"]])
    assert map_sheet(orgs, profile).role == "organisation"


def test_a_hash_reads_as_number_in_headers(sheet_factory):
    from hotpass.profile import load_profile

    sheet = sheet_factory(["Member #", "Name", "Tel #"], [["M1", "Ann Lee", "082 555 0101"]])
    assert targets(map_sheet(sheet, load_profile("person"))) == {
        "Member #": "person.source_id", "Name": "person.full_name", "Tel #": "person.phone"}


def test_afrikaans_headers_map_in_every_shipped_profile(sheet_factory):
    from hotpass.profile import load_profile

    people = sheet_factory(["Klantnommer", "Naam", "Telefoon", "E-pos", "Stad", "Geboortedatum", "Poskode"],
                           [["K1", "Renée Müller", "021 555 0199", "renee@voorbeeld.co.za", "Paarl",
                             "03-04-1980", "7646"]])
    assert targets(map_sheet(people, load_profile("person"))) == {
        "Klantnommer": "person.source_id", "Naam": "person.full_name", "Telefoon": "person.phone",
        "E-pos": "person.email", "Stad": "person.suburb", "Geboortedatum": "person.date_of_birth",
        "Poskode": "person.postcode"}
    firms = sheet_factory(["Maatskappy", "Telefoon", "E-pos", "Webwerf", "Provinsie", "Dorp"],
                          [["Karoo Lugdiens", "053 555 0101", "info@karoolug.co.za", "karoolug.co.za",
                            "Noord-Kaap", "Upington"]])
    for name in ("generic", "aviation"):
        assert targets(map_sheet(firms, load_profile(name))) == {
            "Maatskappy": "organisation.name", "Telefoon": "organisation.phone",
            "E-pos": "organisation.email", "Webwerf": "organisation.website",
            "Provinsie": "organisation.region", "Dorp": "organisation.town"}, name


def test_repeating_organisation_names_read_as_a_list_of_people(sheet_factory, generic):
    rows = [[f"Org {i // 3}", f"Person {i}"] for i in range(12)]
    sheet = sheet_factory(["Company", "Contact Person"], rows)
    mapping = map_sheet(sheet, generic)
    assert mapping.role == "contact"
    assert targets(mapping)["Company"] == "contact.organisation_link"


REGULATOR = (["Organisation Name", "Contact Person", "Contact Number", "Contact Email Address", "Area"],
             [["Karoo Air (Pty) Ltd", "J Smith", "082 555 1234", "j.smith@karooair.co.za", "Northern Cape"],
              ["Blue Sky Charters", "A Naidoo", "083 444 9876", "anaidoo@bluesky.co.za", "KwaZulu-Natal"],
              ["Heli Ops CC", "P van Wyk", "011 222 3333", "pvw@heliops.co.za", "Gauteng"],
              ["Cape Flyers", "S Dlamini", "021 555 0000", "s@capeflyers.co.za", "Western Cape"]])


@pytest.mark.parametrize("name", ["aviation", "generic"])
def test_a_regulators_contact_columns_go_to_the_contact_and_an_area_of_provinces_to_the_region(name):
    from hotpass.profile import load_profile

    mapping = map_sheet(make_sheet(*REGULATOR), load_profile(name))
    targets = {c.source: c.target for c in mapping.columns}
    assert mapping.role == "mixed"
    assert targets["Contact Number"] == "contact.phone" and targets["Contact Email Address"] == "contact.email"
    assert targets["Area"] == "organisation.region"
    towns = make_sheet(["Company", "Area"], [["Karoo Air", "Upington"], ["Heli Ops", "Lanseria"]])
    assert {c.source: c.target for c in map_sheet(towns, load_profile(name)).columns}["Area"] == "organisation.town"


def test_an_identifier_header_is_never_matched_fuzzily_to_a_name():
    from hotpass.profile import load_profile

    members = make_sheet(["Member No", "First Name", "Last Name", "DOB"],
                         [["M001", "Thandi", "Nkosi", "03/04/1988"], ["M002", "Pieter", "Botha", "12/11/1975"]])
    targets = {c.source: c.target for c in map_sheet(members, load_profile("person")).columns}
    assert targets["Member No"] == "person.source_id"
    assert targets["First Name"] == "person.given_name" and targets["Last Name"] == "person.surname"
    company = make_sheet(["Company No", "Company Name"], [["C1", "Karoo Air"], ["C2", "Heli Ops"]])
    targets = {c.source: c.target for c in map_sheet(company, load_profile("generic")).columns}
    assert targets["Company No"] != "organisation.name" and targets["Company Name"] == "organisation.name"
