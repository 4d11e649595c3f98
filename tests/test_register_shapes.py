"""Workbooks shaped like an operator's own, not like our sample generator: a club's membership
register (title rows, a merged title, formulas saved without values, dates of birth typed both
ways, "Mem #", rows holding only a member number, a fee list and a flights log) and a customer
list exported from an Afrikaans system (Windows-1252, semicolons, Afrikaans headers)."""

from __future__ import annotations

import datetime
import random

import pandas as pd
import pytest
from openpyxl import Workbook

from hotpass.pipeline import refine
from hotpass.profile import load_profile
from hotpass.workspace import Workspace

GIVEN = ["Thabo", "Lerato", "Johan", "Annelie", "Sipho", "Priya", "Mohammed", "Chen", "Zanele", "Pieter"]
SURNAMES = ["Mokoena", "van Wyk", "Naidoo", "Botha", "Dlamini", "Pillay", "Smith", "Khumalo", "Nel", "Jacobs"]
MEMBERS, ID_ONLY, FLIGHTS, CUSTOMERS = 60, 4, 150, 30
HEADER_ROW = 4


def _register(path):
    rng = random.Random(5)
    book = Workbook()
    sheet = book.active
    sheet.title = "Members 2024"
    sheet["A1"] = "Cape Gliding Club: membership register"
    sheet["A2"] = "Exported by the treasurer"
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["Mem #", "Surname", "First names", "D.O.B.", "Cell", "E-mail", "Joined",
                  "Fees paid (R)", "Fees due (R)", "Outstanding"])
    pairs = rng.sample([(g, s) for g in GIVEN for s in SURNAMES], MEMBERS)  # names repeat apart
    for i, (given, surname) in enumerate(pairs):
        row = HEADER_ROW + 1 + i
        born = datetime.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        sheet.append([
            f"CGC{100 + i}", surname.upper() if i % 4 == 0 else surname, given,
            born.strftime("%d/%m/%Y") if i % 3 == 0 else born,
            f"08{2 + i % 3} {rng.randint(100, 999)} {rng.randint(1000, 9999)}" if i % 7 else None,
            f"{given}.{surname.replace(' ', '')}@example.org".lower() if i % 5 else "n/a",
            datetime.date(2010 + i % 14, 1, 1), 1200, 1500, f"=I{row}-H{row}"])
    for i in range(ID_ONLY):  # a member number typed again with nothing beside it
        sheet.append([f"CGC{100 + i}"])
    fees = book.create_sheet("Fee scale")
    for line in (["Category", "Annual fee"], ["Junior", 600], ["Senior", 1500], ["Family", 2100]):
        fees.append(line)
    log = book.create_sheet("Flights")
    log.append(["Mem #", "Date", "Glider", "Minutes"])
    for i in range(FLIGHTS):
        log.append([f"CGC{100 + i % MEMBERS}", datetime.date(2024, 1 + i % 10, 1 + i % 28),
                    ["ZS-GAB", "ZS-GLD"][i % 2], 5 + i % 300])
    book.save(path)
    return path, pairs


def _customers(path):
    lines = ["Klantnommer;Naam;Telefoon;E-pos;Stad;Geboortedatum"]
    for i in range(CUSTOMERS - 1):
        given, surname = GIVEN[i % 10], SURNAMES[(i // 10 + i * 3) % 10]
        lines.append(f"K{i:04d};{given} {surname};+27 21 555 {1000 + i};{given.lower()}{i}@voorbeeld.co.za;"
                     f"Stellenbosch;{1 + i % 28}-{1 + i % 12}-19{50 + i}")
    lines.append("K9999;Renée Müller;021 555 0199;renee@voorbeeld.co.za;Paarl;03-04-1980")
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


@pytest.fixture(scope="module")
def refined(tmp_path_factory):
    root = tmp_path_factory.mktemp("registers")
    register, pairs = _register(root / "club.xlsx")
    customers = _customers(root / "kliente.csv")
    with Workspace(root / "ws") as ws, refine([register, customers], load_profile("person"),
                                              workspace=ws) as result:
        yield result, pairs


def _findings(result, code):
    findings = result.findings
    return findings[findings["code"] == code]


def test_every_member_and_customer_is_one_named_person(refined):
    result, pairs = refined
    people = result.table("golden_person")
    assert len(people) == MEMBERS + CUSTOMERS
    assert people["full_name"].notna().all()
    members = people[people["source_id"].str.startswith("CGC", na=False)]
    assert sorted(members["source_id"]) == sorted(f"CGC{100 + i}" for i in range(MEMBERS))
    assert "Renée Müller" in set(people["full_name"]), "accents read from Windows-1252"


def test_rows_with_only_a_member_number_make_no_record_and_are_named(refined):
    result, _ = refined
    said = _findings(result, "records.id_only_row")
    assert len(said) == 1
    first = HEADER_ROW + 1 + MEMBERS
    assert said.iloc[0]["sheet"] == "Members 2024" and int(said.iloc[0]["row"]) == first
    assert f"{ID_ONLY} row(s)" in said.iloc[0]["message"]
    assert ", ".join(str(first + i) for i in range(ID_ONLY)) in said.iloc[0]["message"]


def test_sheet_roles_fit_the_register(refined):
    result, _ = refined
    roles = {m.sheet: m.role for m in result.mappings}
    assert roles["Members 2024"] == "person" and roles["csv"] == "person"
    assert roles["Flights"] == "activity_log"
    assert roles["Fee scale"] in ("lookup", "ignore")


def test_the_flights_log_lands_on_its_members(refined):
    result, _ = refined
    people = result.table("golden_person").set_index("source_id")
    assert people["Flights: rows"].dropna().astype(int).sum() == FLIGHTS
    assert people.loc["CGC100", "Flights: last Date"] is not None
    assert _findings(result, "records.unmatched_reference").empty


def test_values_are_normalised_as_an_operator_expects(refined):
    result, pairs = refined
    people = result.table("golden_person").set_index("source_id")
    assert people.loc["CGC100", "date_of_birth"] == "1950-01-01"  # typed as 01/01/1950
    assert people.loc["CGC101", "date_of_birth"] == "1951-02-02"  # a date cell
    assert people.loc["K9999", "date_of_birth"] == "1980-04-03"  # day first, as in South Africa
    phones = people["phone"].dropna()
    assert len(phones) and phones.str.match(r"^\+27\d{9}$").all(), phones.head()
    assert people.loc["CGC100", "surname"] == pairs[0][1], "capitals fixed"
    assert pd.isna(people.loc["CGC100", "email"]), "n/a is no email"


def test_formulas_saved_without_values_are_said_not_invented(refined):
    result, _ = refined
    said = _findings(result, "ingest.formula_without_value")
    assert len(said) == MEMBERS and set(said["column"]) == {"Outstanding"}


SUPPLIERS = 40


def _suppliers(path):
    """A supplier list whose table starts at C3, every address at the bookkeeper's one domain,
    VAT numbers (ten digits, like a phone number without its 0) and a notes column."""
    rng = random.Random(9)
    words = ["Apex", "Blue", "Crane", "Delta", "Eagle", "Falcon", "Granite", "Horizon", "Ivory", "Jade",
             "Kestrel", "Lion"]
    kinds = ["Logistics", "Aviation", "Holdings", "Consulting", "Engineering", "Trading"]
    provinces = ["Gauteng", "Western Cape", "KwaZulu-Natal", "Free State"]
    book = Workbook()
    sheet = book.active
    sheet.title = "Suppliers"
    for column, label in enumerate(["Supplier", "VAT No", "Contact No", "Email", "Province", "Notes"], start=3):
        sheet.cell(row=3, column=column, value=label)
    names = set()
    while len(names) < SUPPLIERS:
        names.add(f"{rng.choice(words)} {rng.choice(kinds)} CC")
    for i, name in enumerate(sorted(names)):
        values = [name, 4000000000 + i * 137, f"0{rng.randint(10, 59)} {rng.randint(100, 999)} "
                  f"{rng.randint(1000, 9999)}", f"accounts{i}@bookkeeper.co.za", rng.choice(provinces),
                  rng.choice(["", "Pays late", "Preferred"])]
        for column, value in enumerate(values, start=3):
            sheet.cell(row=4 + i, column=column, value=value or None)
    book.save(path)
    return path


def test_suppliers_sharing_one_mail_domain_stay_apart(tmp_path):
    with Workspace(tmp_path / "ws") as ws, refine([_suppliers(tmp_path / "suppliers.xlsx")],
                                                  load_profile("generic"), workspace=ws) as result:
        organisations = result.table("golden_organisation")
        mapping = {c.source: c.target for c in result.mappings[0].columns}
    assert len(organisations) == SUPPLIERS  # the shared domain had merged them by province
    assert mapping["VAT No"] is None and mapping["Contact No"] == "organisation.phone"


def test_a_totals_line_is_no_organisation_but_a_firm_called_total_is(tmp_path):
    lines = ["Account Name,Type,Billing City,Phone,Annual Revenue"]
    lines += [f"Firm {i} (Pty) Ltd,Customer,Durban,+27 31 555 {1000 + i},{(i + 1) * 1000}" for i in range(20)]
    lines += ["Total Petroleum,Customer,Durban,+27 31 555 0999,5000",  # a name, not a totals line
              "Total,,,,210000", "Grand Total,,,,\"215,000\""]
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws, refine([path], load_profile("generic"), workspace=ws) as result:
        names = set(result.table("golden_organisation")["name"])
        said = _findings(result, "records.total_row")
    assert len(names) == 21 and "Total Petroleum" in names and not names & {"Total", "Grand Total"}
    assert sorted(said["row"].astype(int)) == [23, 24]


def _contacts_export(path):
    """A CRM's contacts export on its own: title, initials and surname, the company by name, a
    hidden list of stages and a pivot of them."""
    rng = random.Random(4)
    companies = ["Crane Aviation", "Falcon Trading (Pty) Ltd", "Granite Holdings", "Lion Consulting CC"]
    book = Workbook()
    sheet = book.active
    sheet.title = "Contacts"
    sheet.append(["Title", "Initials", "Surname", "Email", "Phone Number", "Company Name", "Job Title",
                  "Lifecycle Stage"])
    for i in range(24):
        surname = SURNAMES[i % 10]
        initials = ["J.", "A.B.", "T", "P.J."][i // 10 % 4]
        company = companies[i % 4]
        sheet.append([rng.choice(["Mr", "Mrs", "Ms", "Dr"]), initials, surname,
                      f"{initials[0].lower()}{surname.lower().replace(' ', '')}{i}@{company.split()[0].lower()}.co.za",
                      f"08{2 + i % 3}5550{100 + i}", company, ["CEO", "Ops Manager", "Buyer"][i % 3],
                      ["lead", "customer"][i % 2]])
    lists = book.create_sheet("Lists")
    lists.sheet_state = "hidden"
    for stage in ("lead", "customer", "subscriber"):
        lists.append([stage])
    pivot = book.create_sheet("Pivot")
    for line in (["Row Labels", "Count of Email"], ["lead", 12], ["customer", 12], ["Grand Total", 24]):
        pivot.append(line)
    book.save(path)
    return path, companies


def test_a_contacts_export_alone_makes_the_organisations_its_people_name(tmp_path):
    path, companies = _contacts_export(tmp_path / "contacts.xlsx")
    with Workspace(tmp_path / "ws") as ws, refine([path], load_profile("generic"), workspace=ws) as result:
        organisations = result.table("golden_organisation")
        contacts = result.table("golden_contact")
        mapping = {c.source: c.target for c in result.mappings[0].columns}
        said = _findings(result, "link.organisations_from_people")
    assert sorted(organisations["name"]) == ["Crane Aviation", "Falcon Trading", "Granite Holdings",
                                             "Lion Consulting"]
    assert len(said) == 1 and _findings(result, "records.unlinked_contact").empty
    assert len(contacts) == 24 and contacts["organisation_id"].notna().all()
    assert mapping["Title"] is None and mapping["Job Title"] == "contact.role"  # Mr, Mrs: no job
    assert mapping["Initials"] == "contact.first_name"
    assert {"J. Mokoena", "A.B. Mokoena"} <= set(contacts["full_name"])


def test_a_staff_list_with_a_two_row_header_and_full_names_beside_surname(tmp_path):
    """South African HR forms: "Full Names" are the given names, "Surname" the family name; a
    group row above the header; a duplicate employee typed again with a typo in the surname."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Employee details", None, None, None, None, "Contact"])
    sheet.append(["Employee No", "Full Names", "Surname", "ID Number", "Date of Birth", "Cell"])
    given = ["Thabo Michael", "Lerato", "Johan Pieter", "Annelie", "Sipho", "Priya Devi"]
    for i in range(24):
        born = datetime.date(1960 + i, 1 + i % 12, 1 + i % 28)
        sheet.append([1000 + i, given[i % 6], SURNAMES[(i + i // 6) % 10],
                      born.strftime("%y%m%d") + f"{5000 + i:04d}08{i % 10}", born, f"+2782555{1000 + i}"])
    sheet.append([1003, "Annelie", "Bota", "6304045003083", datetime.date(1963, 4, 4), "+27825551003"])
    book.save(tmp_path / "staff.xlsx")
    with Workspace(tmp_path / "ws") as ws, refine([tmp_path / "staff.xlsx"], load_profile("person"),
                                                  workspace=ws) as result:
        people = result.table("golden_person").set_index("source_id")
        mapping = {c.source: c.target for c in result.mappings[0].columns}
    by_label = {source.replace("Employee details ", ""): target for source, target in mapping.items()}
    assert by_label["Employee No"] == "person.source_id" and by_label["Surname"] == "person.surname"
    assert by_label["Full Names"] == "person.given_name"
    assert len(people) == 24, "the typed-again employee is the same person"
    assert people.loc["1000", "full_name"] == "Thabo Michael Mokoena"
    assert people.loc["1003", "source_count"] == 2
