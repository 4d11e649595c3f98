"""The synthetic sample generator: shape of the workbooks, completeness and honesty of the truth."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import phonenumbers
import pytest

from hotpass.samples import generate_samples
from hotpass.samples._regulator import HEADERS as REGULATOR_HEADERS
from hotpass.samples._regulator import TITLE

HEADER_ROW = {"ATO Register": 5, "Organisation": 1, "Contact Info": 1, "Contacts DB": 1}
CANONICAL_FIELDS = {
    "name",
    "phone",
    "email",
    "website",
    "region",
    "town",
    "mobile",
    "role",
    "first_name",
    "last_name",
    "full_name",
    "source_id",
    "organisation_link",
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_sheets(files: list[Path]) -> dict[tuple[str, str], list[tuple]]:
    """(file name, sheet) -> every row's cell values, row 1 first."""
    sheets = {}
    for path in files:
        workbook = openpyxl.load_workbook(path, read_only=True)
        for ws in workbook.worksheets:
            sheets[(path.name, ws.title)] = list(ws.iter_rows(values_only=True))
        workbook.close()
    return sheets


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return generate_samples(tmp_path_factory.mktemp("samples"), rows=600, seed=7)


@pytest.fixture(scope="module")
def sheets(sample):
    return read_sheets(sample.files)


@pytest.fixture(scope="module")
def records(sample):
    return read_csv(sample.truth_records)


@pytest.fixture(scope="module")
def organisations(sample):
    return {row["org_id"]: row for row in read_csv(sample.truth_organisations)}


@pytest.fixture(scope="module")
def contacts(sample):
    return {row["person_id"]: row for row in read_csv(sample.truth_contacts)}


def data_rows(sheets) -> dict[tuple[str, str, int], tuple]:
    """(file, sheet, Excel row number) -> values, for every data row below the header."""
    out = {}
    for (file, sheet), rows in sheets.items():
        for number, values in enumerate(rows[HEADER_ROW[sheet] :], start=HEADER_ROW[sheet] + 1):
            out[(file, sheet, number)] = values
    return out


def test_files_and_sheets(sample, sheets):
    assert [p.name for p in sample.files] == [
        "regulator_register.xlsx",
        "crm_export.xlsx",
        "legacy_contacts.xlsx",
    ]
    assert set(sheets) == {
        ("regulator_register.xlsx", "ATO Register"),
        ("crm_export.xlsx", "Organisation"),
        ("crm_export.xlsx", "Contact Info"),
        ("legacy_contacts.xlsx", "Contacts DB"),
    }
    for path in (sample.truth_records, sample.truth_organisations, sample.truth_contacts):
        assert path.exists() and path.suffix == ".csv"


def test_same_seed_gives_identical_files(tmp_path):
    first = generate_samples(tmp_path / "a", rows=300, seed=11)
    second = generate_samples(tmp_path / "b", rows=300, seed=11)
    for a, b in zip(
        [first.truth_records, first.truth_organisations, first.truth_contacts],
        [second.truth_records, second.truth_organisations, second.truth_contacts],
        strict=True,
    ):
        assert a.read_bytes() == b.read_bytes()
    assert read_sheets(first.files) == read_sheets(second.files)
    for a, b in zip(first.files, second.files, strict=True):
        assert a.read_bytes() == b.read_bytes()  # metadata and zip timestamps are fixed too


def test_other_seed_gives_other_data(tmp_path):
    first = generate_samples(tmp_path / "a", rows=300, seed=11)
    other = generate_samples(tmp_path / "b", rows=300, seed=12)
    assert first.truth_organisations.read_bytes() != other.truth_organisations.read_bytes()


@pytest.mark.parametrize("rows", [100, 601, 1500])
def test_data_rows_add_up_to_rows_exactly(tmp_path, rows):
    sample = generate_samples(tmp_path, rows=rows, seed=3)
    found = data_rows(read_sheets(sample.files))
    assert len(found) == rows
    assert len(read_csv(sample.truth_records)) == rows


def test_every_source_row_has_exactly_one_truth_row(sheets, records):
    keys = [(r["source_file"], r["source_sheet"], int(r["source_row"])) for r in records]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(data_rows(sheets))


def test_record_kinds(records):
    kinds = {(r["source_sheet"], r["record_kind"]) for r in records}
    assert kinds == {
        ("ATO Register", "organisation"),
        ("Organisation", "organisation"),
        ("Contact Info", "contact"),
        ("Contacts DB", "mixed"),
    }


def test_every_phone_in_the_truth_is_valid(records, organisations, contacts):
    numbers = [n for r in records for n in r["phones_e164"].split(";") if n]
    numbers += [o["phone_e164"] for o in organisations.values()]
    numbers += [c["mobile_e164"] for c in contacts.values() if c["mobile_e164"]]
    assert len(numbers) > 500
    for number in numbers:
        parsed = phonenumbers.parse(number, None)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
        assert parsed.country_code == 27


def test_truth_phones_and_emails_are_written_in_their_row(sheets, records):
    rows = data_rows(sheets)
    for record in records:
        values = rows[(record["source_file"], record["source_sheet"], int(record["source_row"]))]
        text = " | ".join(str(v) for v in values if v is not None)
        digits = re.sub(r"\D", "", text)
        for number in filter(None, record["phones_e164"].split(";")):
            assert number[3:] in digits, (record, text)
        for address in filter(None, record["emails"].split(";")):
            assert address == address.lower()
            assert address in text.lower(), (record, text)
        if record["website_domain"]:
            assert record["website_domain"] in text.lower(), (record, text)


def test_truth_references_resolve(records, organisations, contacts):
    for record in records:
        assert record["org_id"] in organisations
        for person in filter(None, record["person_ids"].split(";")):
            assert contacts[person]["org_id"] == record["org_id"]
    shown = {p for r in records for p in r["person_ids"].split(";") if p}
    assert shown == set(contacts)  # truth_contacts lists exactly the people some row shows
    shown_orgs = {r["org_id"] for r in records}
    assert shown_orgs == set(organisations)


def test_truth_organisations_are_complete_and_distinct(organisations):
    regions = {
        "Eastern Cape",
        "Free State",
        "Gauteng",
        "KwaZulu-Natal",
        "Limpopo",
        "Mpumalanga",
        "North West",
        "Northern Cape",
        "Western Cape",
    }
    names, domains = Counter(), Counter()
    for org in organisations.values():
        assert org["region"] in regions and org["town"] and org["category"]
        assert org["website"].startswith("https://") or org["website"] == ""
        if org["domain"]:
            assert org["website"] == f"https://{org['domain']}"
            domains[org["domain"]] += 1
        names[org["name"]] += 1
    assert max(names.values()) == 1 and max(domains.values()) == 1


def test_regulator_sheet_has_a_title_block(sheets):
    rows = sheets[("regulator_register.xlsx", "ATO Register")]
    assert [rows[i][0] for i in range(3)] == TITLE
    assert all(v is None for v in rows[3])
    assert list(rows[4]) == REGULATOR_HEADERS
    expiry = [r[8] for r in rows[5:] if r[8] is not None]
    assert expiry and all(hasattr(d, "year") for d in expiry)  # real Excel dates


def test_headers_are_not_canonical_field_names(sheets):
    for (_, sheet), rows in sheets.items():
        header = rows[HEADER_ROW[sheet] - 1]
        assert all(header)
        assert sum(h.lower() in CANONICAL_FIELDS for h in header) <= 1  # "Email" may be one


def test_crm_phones_are_partly_numeric_cells(sample):
    workbook = openpyxl.load_workbook(sample.files[1], read_only=True)
    for sheet, column in (("Organisation", "Main Phone"), ("Contact Info", "Mobile Phone")):
        rows = list(workbook[sheet].iter_rows())
        index = [c.value for c in rows[0]].index(column)
        numeric = [
            row[index].value
            for row in rows[1:]
            if row[index].data_type == "n" and row[index].value is not None
        ]
        assert len(numeric) > 10
        assert all(isinstance(v, int) for v in numeric)
        assert any(str(v).startswith("27") for v in numeric)  # country code, no plus
        assert any(len(str(v)) == 9 for v in numeric)  # leading zero lost
    workbook.close()


def test_crm_contacts_join_to_organisations(sheets):
    org_ids = {r[0] for r in sheets[("crm_export.xlsx", "Organisation")][1:]}
    contact_rows = sheets[("crm_export.xlsx", "Contact Info")][1:]
    assert contact_rows and {r[1] for r in contact_rows} <= org_ids
    per_org = Counter(r[1] for r in contact_rows)
    assert max(per_org.values()) <= 4


def test_legacy_sheet_is_messy(sheets, records):
    rows = sheets[("legacy_contacts.xlsx", "Contacts DB")][1:]
    people = [r[1] for r in rows if r[1]]
    assert any(";" in p or " / " in p or "\n" in p for p in people)
    legacy = [r for r in records if r["source_file"] == "legacy_contacts.xlsx"]
    assert any(len(r["person_ids"].split(";")) >= 2 for r in legacy)
    assert any(len(r["phones_e164"].split(";")) >= 2 for r in legacy)
    repeated = Counter(r["org_id"] for r in legacy)
    assert max(repeated.values()) >= 2  # the same organisation typed twice into one sheet


def test_duplicates_across_files_and_similar_names(records, organisations):
    views = defaultdict(set)
    counts = Counter()
    for r in records:
        if r["record_kind"] != "contact":
            views[r["org_id"]].add(r["source_file"])
            counts[r["org_id"]] += 1
    duplicated = sum(1 for c in counts.values() if c > 1) / len(counts)
    assert 0.18 <= duplicated <= 0.32
    assert sum(1 for files in views.values() if len(files) >= 2) > 20
    first_words = Counter(o["name"].split()[0] for o in organisations.values())
    assert max(first_words.values()) >= 2  # near-namesakes exist


def test_truth_knows_what_rows_leave_out(records, organisations):
    blank_region = [r for r in records if r["record_kind"] != "contact" and not r["region"]]
    assert blank_region and all(organisations[r["org_id"]]["region"] for r in blank_region)
    assert any(r["region"] for r in records)


def test_bad_arguments_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="rows"):
        generate_samples(tmp_path, rows=5)
    with pytest.raises(ValueError, match="duplicate_rate"):
        generate_samples(tmp_path, rows=100, duplicate_rate=0.95)


@pytest.mark.parametrize("rate", [0.0, 0.9])
def test_extreme_duplicate_rates(tmp_path, rate):
    sample = generate_samples(tmp_path, rows=400, seed=5, duplicate_rate=rate)
    assert len(read_csv(sample.truth_records)) == 400


def test_command_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "hotpass.cli", "init", str(tmp_path), "--rows", "120", "--seed", "2"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "legacy_contacts.xlsx" in done.stdout
    assert len(read_csv(tmp_path / "truth_records.csv")) == 120
    refused = subprocess.run([sys.executable, "-m", "hotpass.cli", "init", str(tmp_path / "x"), "--rows", "5"],
                             capture_output=True, text=True)
    assert refused.returncode == 1 and refused.stderr.startswith("error: ")
    assert "Traceback" not in refused.stderr


def test_parallel_writers_give_the_same_files(tmp_path):
    serial = generate_samples(tmp_path / "serial", rows=400, seed=9, workers=1)
    forked = generate_samples(tmp_path / "forked", rows=400, seed=9, workers=3)
    for a in [
        *serial.files,
        serial.truth_records,
        serial.truth_organisations,
        serial.truth_contacts,
    ]:
        assert a.read_bytes() == (tmp_path / "forked" / a.name).read_bytes()
    assert not list((tmp_path / "forked").glob(".truth_records.part*"))
    assert forked.files[0].exists()
