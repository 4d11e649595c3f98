"""Synthetic workbooks with every sheet shape a real operator's files hold, and their truth.

``write_shapes(directory, seed)`` writes four workbooks (synthetic, seeded names only):

``crm_workbook.xlsx`` (xlsxwriter, so formulas carry cached values)
    "Companies" (entity; its "Company ID" is the formula ``="C"&TEXT(ROW()-1,"0000")``),
    "Notes", "Addresses" (side tables keyed by a "Company ID" formula ``=Companies!A<n>``;
    one note's key is a lookup that failed: cached ``#N/A``), "Codes" (side table keyed
    by a typed company ID), "Orders" (activity log of dated rows), "Admin" (category,
    status, lead-source and province lists of different lengths under a title),
    "Settings" (an admin page of name/value pairs), "Scratch" (a few scattered cells),
    "Summary" (a pivot-like table of counts per year), "Numbers" (one column of row
    numbers) and "Empty".
``regulator_list.xlsx`` (openpyxl)
    "Register": a three-row title block, a blank row, the header in row 5 from column C;
    "Operators": two header rows ("Contact" merged over Name | Email | Phone, "Address"
    over Town | Province, "Organisation" merged down both rows, "Phone" merged over two
    columns).
``people_list.xlsx`` (openpyxl): "People", one person per row with their company's name.
``uncached_formulas.xlsx`` (openpyxl, which stores formulas without values): "Companies"
    whose "Company ID" cells are formulas with no cached value.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlsxwriter

from hotpass.samples import _vocab as v

CRM, REGULATOR, PEOPLE, UNCACHED = (
    "crm_workbook.xlsx",
    "regulator_list.xlsx",
    "people_list.xlsx",
    "uncached_formulas.xlsx",
)
CATEGORIES = tuple(
    "AMO|ATO|Brokers|Charter - Heli|Charter - Fixed Wing|Flight School|Flying Club|"
    "Fuel Supplier|Insurance|Parts Supplier|Avionics Shop|Airfield|Museum|Government".split("|")
)
STATUSES = ("Active", "Prospect", "Dormant", "Closed", "Blacklisted")
LEAD_SOURCES = ("Referral", "Website", "Expo", "Cold Call", "Magazine", "LinkedIn")
PROVINCES = tuple(sorted(v.PROVINCE_ALIASES))
SETTINGS = (
    ("Default Province", "Gauteng"),
    ("Financial Year Start", "March"),
    ("VAT Rate", "15%"),
    ("Owner", "Sales Team"),
    ("Currency", "ZAR"),
)
PRODUCTS = ("Avgas 100LL", "Jet A1", "Hangarage", "Landing Fees", "Oil 15W50", "Charts", "Headset")
ORDER_STATUS = ("Invoiced", "Paid", "Paid", "Paid", "Cancelled", "Quoted")
CODE_TYPES = ("Regulator Ref", "BEE Level", "VAT Number")
ADMIN_TITLE = "Dropdown lists - do not edit"
REGULATOR_TITLE = (
    "Civil Aviation Regulator (synthetic)",
    "Register of Approved Maintenance Organisations",
    "Extract dated 2024-05-01",
)
REGISTER_COLUMNS = ["Approval No", "Organisation", "Town", "Province", "Expiry Date"]
OPERATOR_COLUMNS = (
    "Organisation|Contact Name|Contact Email|Contact Phone|Contact Phone (2)|Address Town|"
    "Address Province"
).split("|")
COMPANY_ID = '="C"&TEXT(ROW()-1,"0000")'


@dataclass
class ShapeSet:
    """Paths of the shape workbooks and what a perfect reader makes of each sheet.

    Keys of the dicts are ``(file name, sheet name)``. ``roles``: the expected role
    of every sheet (empty sheets too); ``keys``: the column of a side table or
    activity log that references an entity; ``dates``: an activity log's date
    column; ``columns``: the labels expected for sheets with awkward headers;
    ``header_rows``: their Excel header row; ``lookup_values``: every value on a
    lookup sheet; ``uncached``: (file, sheet, cell) of formulas stored without a
    value; ``errors``: (file, sheet, cell) of formulas whose cached value is an error;
    ``company_ids``: the IDs the Companies sheet's formulas compute.
    """

    directory: Path
    files: list[Path] = field(default_factory=list)
    roles: dict[tuple[str, str], str] = field(default_factory=dict)
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    dates: dict[tuple[str, str], str] = field(default_factory=dict)
    columns: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    header_rows: dict[tuple[str, str], int] = field(default_factory=dict)
    lookup_values: set[str] = field(default_factory=set)
    uncached: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    company_ids: list[str] = field(default_factory=list)


@dataclass
class _Company:
    cid: str
    name: str
    category: str
    town: str
    province: str


def write_shapes(directory: str | Path, seed: int = 7, companies: int = 60) -> ShapeSet:
    """Write the four shape workbooks into ``directory`` (created if missing) with their truth."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    firms = _companies(rng, max(int(companies), 10))
    shapes = ShapeSet(out, company_ids=[c.cid for c in firms])
    _write_crm(out / CRM, firms, rng, shapes)
    _write_regulator(out / REGULATOR, firms, rng, shapes)
    _write_people(out / PEOPLE, firms, rng, shapes)
    _write_uncached(out / UNCACHED, firms, shapes)
    return shapes


def _companies(rng: random.Random, count: int) -> list[_Company]:
    """Invented companies with unique names."""
    names: set[str] = set()
    firms = []
    while len(firms) < count:
        tails = v.TAILS[rng.randrange(len(v.TAILS))]
        name = f"{rng.choice(v.SINGLE_WORDS)} {rng.choice(tails)}"
        if name in names:
            continue
        names.add(name)
        town, province, *_ = rng.choice(v.TOWNS)
        cid = f"C{len(firms) + 1:04d}"
        firms.append(_Company(cid, name, rng.choice(CATEGORIES), town, province))
    return firms


def _phone(rng: random.Random) -> str:
    return f"0{rng.choice(v.MOBILE_PREFIXES)} {rng.randrange(1000):03d} {rng.randrange(10000):04d}"


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(v.MALE_FIRST + v.FEMALE_FIRST), rng.choice(v.LAST)


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:20]


@dataclass
class _Crm:
    """The CRM workbook being written, and what it is needed for."""

    book: xlsxwriter.Workbook
    firms: list[_Company]
    rng: random.Random
    shapes: ShapeSet

    def sheet(self, name: str, role: str, headers: list[str] | None = None, key=None, date=None):
        """A new worksheet with its header in row 1 (if any); records its role, key and date."""
        ws = self.book.add_worksheet(name)
        if headers:
            ws.write_row(0, 0, headers, self.book.add_format({"bold": True}))
        self.shapes.roles[(CRM, name)] = role
        if key:
            self.shapes.keys[(CRM, name)] = key
        if date:
            self.shapes.dates[(CRM, name)] = date
        return ws


def _write_crm(path: Path, firms: list[_Company], rng: random.Random, shapes: ShapeSet) -> None:
    """The CRM-like workbook; sheets in the order an operator keeps them."""
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(str(path), options)
    book.set_properties({"created": dt.datetime(2024, 5, 1), "author": "Hotpass shapes"})
    crm = _Crm(book, firms, rng, shapes)
    for write in (_crm_companies, _crm_notes, _crm_addresses, _crm_codes, _crm_orders,
                  _crm_admin, _crm_settings, _crm_scratch, _crm_summary, _crm_numbers):
        write(crm)
    crm.sheet("Empty", "ignore")
    book.close()
    shapes.files.append(path)


def _crm_companies(crm: _Crm) -> None:
    headers = "Company ID|Company Name|Category|Status|Town|Province|Main Phone|Email".split("|")
    ws = crm.sheet("Companies", "entity", headers)
    for r, firm in enumerate(crm.firms, start=1):
        ws.write_formula(r, 0, COMPANY_ID, None, firm.cid)
        status, phone = crm.rng.choice(STATUSES), _phone(crm.rng)
        place, mail = [firm.town, firm.province], f"info@{_slug(firm.name)}.co.za"
        ws.write_row(r, 1, [firm.name, firm.category, status, *place, phone, mail])


def _crm_notes(crm: _Crm) -> None:
    """Notes keyed by a formula that copies the company's ID; one lookup failed (#N/A)."""
    ws = crm.sheet("Notes", "side_table", ["Company ID", "Note", "Added By"], key="Company ID")
    r = 1
    for index, firm in enumerate(crm.firms):
        for _ in range(crm.rng.choice((0, 1, 1, 2, 3))):
            note = f"{crm.rng.choice(v.NOTES)}. {crm.rng.choice(v.NOTES)}."
            ws.write_formula(r, 0, f"=Companies!A{index + 2}", None, firm.cid)
            ws.write_row(r, 1, [note, crm.rng.choice(("SN", "TM", "AB", "KD"))])
            r += 1
    ws.write_formula(r, 0, '=VLOOKUP("Gone Aviation",Companies!B:B,1,FALSE)', None, "#N/A")
    ws.write_row(r, 1, ["Company closed, record removed", "SN"])
    crm.shapes.errors.append((CRM, "Notes", f"A{r + 1}"))


def _crm_addresses(crm: _Crm) -> None:
    headers = ["Company ID", "Address Type", "Address Line 1", "Town", "Postal Code"]
    ws = crm.sheet("Addresses", "side_table", headers, key="Company ID")
    rng, r = crm.rng, 1
    for index, firm in enumerate(crm.firms):
        for kind in ("Physical", "Postal")[: rng.choice((1, 2))]:
            street = f"{rng.randrange(1, 200)} {rng.choice(v.SINGLE_WORDS)} Road"
            line = street if kind == "Physical" else f"PO Box {rng.randrange(10, 9999)}"
            ws.write_formula(r, 0, f"=Companies!A{index + 2}", None, firm.cid)
            ws.write_row(r, 1, [kind, line, firm.town, f"{rng.randrange(1, 9999):04d}"])
            r += 1


def _crm_codes(crm: _Crm) -> None:
    ws = crm.sheet("Codes", "side_table", ["Company ID", "Code Type", "Code"], key="Company ID")
    rng, r = crm.rng, 1
    for firm in crm.firms:
        for kind in rng.sample(CODE_TYPES, rng.choice((1, 2, 3))):
            code = {
                "Regulator Ref": f"CAA/{rng.randrange(100, 9999)}",
                "BEE Level": f"Level {rng.randrange(1, 9)}",
                "VAT Number": f"4{rng.randrange(10**8, 10**9)}",
            }[kind]
            ws.write_row(r, 0, [firm.cid, kind, code])
            r += 1


def _crm_orders(crm: _Crm, count: int = 320) -> None:
    headers = ["Order No", "Order Date", "Company ID", "Product", "Qty", "Amount", "Status"]
    ws = crm.sheet("Orders", "activity_log", headers, key="Company ID", date="Order Date")
    day = crm.book.add_format({"num_format": "yyyy-mm-dd"})
    rng, start = crm.rng, dt.date(2022, 1, 3)
    buyers = rng.sample(crm.firms, max(5, len(crm.firms) // 2))
    for r in range(1, count + 1):
        qty = rng.randrange(1, 40)
        amount = round(qty * rng.uniform(20, 900), 2)
        ws.write_string(r, 0, f"SO-{10000 + r}")
        ws.write_datetime(r, 1, start + dt.timedelta(days=r * 2 + rng.randrange(2)), day)
        buyer, product, status = rng.choice(buyers), rng.choice(PRODUCTS), rng.choice(ORDER_STATUS)
        ws.write_row(r, 2, [buyer.cid, product, qty, amount, status])


def _crm_admin(crm: _Crm) -> None:
    """Category and validation lists of different lengths under a title row."""
    ws = crm.sheet("Admin", "lookup")
    ws.write(0, 0, ADMIN_TITLE)
    lists = {"Categories": CATEGORIES, "Status": STATUSES, "Lead Source": LEAD_SOURCES,
             "Province": PROVINCES}
    for c, (label, values) in enumerate(lists.items()):
        ws.write(2, c, label)
        ws.write_column(3, c, list(values))
        crm.shapes.lookup_values.update(values)


def _crm_settings(crm: _Crm) -> None:
    ws = crm.sheet("Settings", "lookup", ["Setting", "Value"])
    for r, pair in enumerate(SETTINGS, start=1):
        ws.write_row(r, 0, list(pair))
        crm.shapes.lookup_values.update(pair)


def _crm_scratch(crm: _Crm) -> None:
    ws = crm.sheet("Scratch", "ignore")
    ws.write("B2", "check with Sipho")
    ws.write("F3", "call back Tuesday")
    ws.write_number("D5", 1250)
    ws.write_formula("A9", "=D5*2", None, 2500)


def _crm_summary(crm: _Crm) -> None:
    """A pivot-like table: counts per category and year, with totals."""
    ws = crm.sheet("Summary", "ignore", ["Category", "2021", "2022", "2023", "Total"])
    totals = [0, 0, 0]
    for r, category in enumerate(CATEGORIES[:8], start=1):
        counts = [crm.rng.randrange(0, 30) for _ in range(3)]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        ws.write_row(r, 0, [category, *counts, sum(counts)])
    ws.write_row(9, 0, ["Grand Total", *totals, sum(totals)])


def _crm_numbers(crm: _Crm) -> None:
    crm.sheet("Numbers", "ignore").write_column(0, 0, list(range(1, 41)))


def _write_regulator(
    path: Path, firms: list[_Company], rng: random.Random, shapes: ShapeSet
) -> None:
    """A title block above a header that starts in column C; a sheet with two header rows."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Register"
    for r, title in enumerate(REGULATOR_TITLE, start=1):
        ws.cell(r, 1, title)
    for c, label in enumerate(REGISTER_COLUMNS, start=3):
        ws.cell(5, c, label)
    for r, firm in enumerate(firms[: len(firms) // 2], start=6):
        expiry = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(700))
        row = [f"AMO/{rng.randrange(1000, 9999)}", firm.name, firm.town, firm.province, expiry]
        for c, value in enumerate(row, start=3):
            ws.cell(r, c, value)
    key = (REGULATOR, "Register")
    shapes.roles[key], shapes.columns[key], shapes.header_rows[key] = "entity", REGISTER_COLUMNS, 5
    _regulator_operators(book.create_sheet("Operators"), firms, rng, shapes)
    book.save(path)
    shapes.files.append(path)


def _regulator_operators(ws, firms: list[_Company], rng: random.Random, shapes: ShapeSet) -> None:
    """Two header rows with merged group labels and a merged field label."""
    ws["A1"], ws["B1"], ws["F1"] = "Organisation", "Contact", "Address"
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:E1")
    ws.merge_cells("F1:G1")
    ws["B2"], ws["C2"], ws["D2"], ws["F2"], ws["G2"] = "Name", "Email", "Phone", "Town", "Province"
    ws.merge_cells("D2:E2")
    for firm in firms[len(firms) // 2 :]:
        first, last = _person(rng)
        mail = f"{first.lower()}@{_slug(firm.name)}.co.za"
        phones = [_phone(rng), _phone(rng) if rng.random() < 0.5 else None]
        ws.append([firm.name, f"{first} {last}", mail, *phones, firm.town, firm.province])
    key = (REGULATOR, "Operators")
    shapes.roles[key], shapes.columns[key], shapes.header_rows[key] = "entity", OPERATOR_COLUMNS, 2


def _write_people(path: Path, firms: list[_Company], rng: random.Random, shapes: ShapeSet) -> None:
    """One person per row, each naming their company."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "People"
    ws.append(["First Name", "Last Name", "Company", "Job Title", "Email", "Mobile"])
    for firm in firms:
        for _ in range(rng.choice((1, 1, 2))):
            first, last = _person(rng)
            title = rng.choice(("Owner", "Accountable Manager", "Chief Pilot", "Bookings"))
            mail = f"{first.lower()}.{last.lower().replace(' ', '')}@{_slug(firm.name)}.co.za"
            ws.append([first, last, firm.name, title, mail, _phone(rng)])
    shapes.roles[(PEOPLE, "People")] = "entity"
    book.save(path)
    shapes.files.append(path)


def _write_uncached(path: Path, firms: list[_Company], shapes: ShapeSet, count: int = 10) -> None:
    """Formulas saved by a program that does not calculate them: no cached values."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Companies"
    ws.append(["Company Name", "Town", "Company ID"])
    for r, firm in enumerate(firms[:count], start=2):
        ws.append([firm.name, firm.town, COMPANY_ID])
        shapes.uncached.append((UNCACHED, "Companies", f"C{r}"))
    shapes.roles[(UNCACHED, "Companies")] = "entity"
    book.save(path)
    shapes.files.append(path)
