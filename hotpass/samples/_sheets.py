"""Shared plumbing of the sheet writers: workbooks, rows, and the truth of each row."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import xlsxwriter

from hotpass.samples import _vocab as v
from hotpass.samples._people import People
from hotpass.samples._variants import Dice, e164

CREATED = dt.datetime(2024, 5, 1, 8, 0, 0)
EXCEL_EPOCH = dt.date(1899, 12, 30)

RECORD_COLUMNS = [
    "source_file",
    "source_sheet",
    "source_row",
    "record_kind",
    "org_id",
    "person_ids",
    "phones_e164",
    "emails",
    "website_domain",
    "region",
]


def org_id(org: int) -> str:
    return f"ORG{org + 1:07d}"


def person_id(number: int) -> str:
    return f"PER{number:07d}"


def excel_serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def open_workbook(path: Path) -> xlsxwriter.Workbook:
    """A streaming workbook that keeps text as text and has fixed metadata."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(
        {
            "created": CREATED,
            "author": "Hotpass sample generator",
            "comments": "Synthetic data: every organisation and person is invented.",
        }
    )
    return workbook


class Sheet:
    """One worksheet written row by row; ``None`` and empty strings leave the cell blank."""

    def __init__(
        self,
        workbook,
        name: str,
        headers: list[str],
        header_row: int,
        widths: list[int],
        number_formats: dict[int, str] | None = None,
    ):
        self.ws = workbook.add_worksheet(name)
        self.name = name
        bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)
        self.formats = {
            c: workbook.add_format({"num_format": f}) for c, f in (number_formats or {}).items()
        }
        self.header_row = header_row  # 0-based index of the header row
        self.title_rows: list[tuple[str, object]] = []
        self._workbook = workbook
        self._bold = bold
        self._headers = headers
        self.next = header_row + 1
        # The unchecked writers skip xlsxwriter's A1-notation wrapper: a fifth of its time.
        self._write_string = getattr(self.ws, "_write_string", self.ws.write_string)
        self._write_number = getattr(self.ws, "_write_number", self.ws.write_number)

    def write_header(self) -> None:
        self.ws.write_row(self.header_row, 0, self._headers, self._bold)
        self.ws.freeze_panes(self.header_row + 1, 0)

    def write(self, cells: list) -> int:
        """Write one data row; returns its Excel row number (1-based)."""
        r = self.next
        write_string, write_number, formats = self._write_string, self._write_number, self.formats
        for c, value in enumerate(cells):
            if value is None or value == "":
                continue
            if type(value) is str:
                write_string(r, c, value)
            else:
                write_number(r, c, value, formats.get(c))
        self.next += 1
        return r + 1


class Evidence:
    """What a perfect reader would get out of one row: people, phones, emails, domain, region."""

    __slots__ = ("people", "phones", "emails", "domain", "region")

    def __init__(self):
        self.people: list[str] = []
        self.phones: list[str] = []
        self.emails: list[str] = []
        self.domain = ""
        self.region = ""

    def person(self, people: People, p: int) -> None:
        pid = person_id(int(people.person_id[p]))
        if pid not in self.people:
            self.people.append(pid)

    def phone(self, nsn: int) -> None:
        number = e164(nsn)
        if number not in self.phones:
            self.phones.append(number)

    def add_valid(self, number: str | None) -> None:
        """Record an E.164 number (a deliberately damaged one that still parses)."""
        if number and number not in self.phones:
            self.phones.append(number)

    def email(self, address: str, org_domain: str) -> None:
        if address not in self.emails:
            self.emails.append(address)
        if org_domain and address.endswith("@" + org_domain):
            self.domain = org_domain

    def fields(self) -> list[str]:
        return [
            ";".join(self.people),
            ";".join(self.phones),
            ";".join(self.emails),
            self.domain,
            self.region,
        ]


class TruthRecords:
    """truth_records.csv (or one sheet writer's part of it), written as rows are written."""

    def __init__(self, path: Path, header: bool = True):
        self._file = path.open("w", newline="", encoding="utf-8")
        self._csv = csv.writer(self._file, lineterminator="\n")
        if header:
            self._csv.writerow(RECORD_COLUMNS)

    def add(self, file: str, sheet: str, row: int, kind: str, org: int, evidence: Evidence) -> None:
        self._csv.writerow([file, sheet, row, kind, org_id(org), *evidence.fields()])

    def close(self) -> None:
        self._file.close()


def person_text(people: People, p: int, dice: Dice, style: float) -> str:
    """A person as a cell writes them: "Ian Dyson", "Mr I Dyson", "DYSON, Ian", "Capt. I. Dyson"."""
    first = people.first[p] if dice.chance(0.7) else people.plain_first(p)
    last = people.last[p]
    if style < 0.5:
        return f"{first} {last}"
    if style < 0.65:
        return f"{first[0]}. {last}" if dice.chance(0.5) else f"{first[0]} {last}"
    if style < 0.82:
        role = people.role[p]
        if role in v.PILOT_ROLES or (role == "Accountable Manager" and dice.chance(0.2)):
            title = "Capt."
        else:
            title = dice.pick(("Mr", "Mr.")) if people.male[p] else dice.pick(("Ms", "Mrs", "Ms."))
        return f"{title} {first[0]} {last}" if dice.chance(0.6) else f"{title} {first} {last}"
    if style < 0.92:
        return f"{last.upper()}, {first}" if dice.chance(0.5) else f"{last}, {first}"
    return f"{first} {last}".upper()
