"""regulator_register.xlsx: a published register with a title block above the header."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from hotpass.samples._population import Population
from hotpass.samples._sheets import (
    Evidence,
    Sheet,
    TruthRecords,
    excel_serial,
    open_workbook,
    person_text,
)
from hotpass.samples._variants import (
    Dice,
    broken_phone,
    email_text,
    phone_text,
    region_text,
    shorter,
    town_text,
    typo,
)

FILE = "regulator_register.xlsx"
SHEET = "ATO Register"
TITLE = [
    "South African Civil Aviation Authority",
    "Register of Approved Training Organisations (Part 141)",
    "Extracted: 2024-05-01",
]
HEADERS = [
    "Approval No.",
    "Organisation Name",
    "Province",
    "Town/City",
    "Tel No.",
    "E-mail Address",
    "Accountable Manager",
    "Status",
    "Expiry Date",
]
HEADER_ROW = 5  # as Excel numbers rows
WIDTHS = [14, 48, 16, 18, 20, 34, 28, 10, 12]
PLACEHOLDERS = ("- -", "Not Publicly Listed", "- -")
SUFFIXES = {"(Pty) Ltd": ["(PTY) LTD", "(PTY) LTD", "(PTY) LTD", "PTY LTD", "(PTY) LIMITED"]}
EXPIRY_FROM = excel_serial(dt.date(2024, 3, 1))
EXPIRY_DAYS = 3 * 365


def write_regulator(
    pop: Population, out_dir: Path, truth: TruthRecords, rng: np.random.Generator
) -> Path:
    path = out_dir / FILE
    workbook = open_workbook(path)
    sheet = Sheet(workbook, SHEET, HEADERS, HEADER_ROW - 1, WIDTHS, {8: "dd/mm/yyyy"})
    big = workbook.add_format({"bold": True, "font_size": 14})
    sheet.ws.write_string(0, 0, TITLE[0], big)
    sheet.ws.write_string(1, 0, TITLE[1], workbook.add_format({"bold": True}))
    sheet.ws.write_string(2, 0, TITLE[2])
    sheet.write_header()
    dice = Dice(rng)
    approval = 100 + int(dice.u() * 60)
    for org, hard in zip(pop.views.regulator.tolist(), pop.hard[0].tolist(), strict=True):
        approval += 1 + int(dice.u() * 3)
        evidence = Evidence()
        cells = _row(pop, org, hard, approval, dice, evidence)
        row = sheet.write(cells)
        truth.add(FILE, SHEET, row, "organisation", org, evidence)
    workbook.close()
    return path


def _row(pop: Population, org: int, hard: bool, approval: int, dice: Dice, ev: Evidence) -> list:
    manager = int(pop.people.start[org])
    ev.person(pop.people, manager)
    return [
        f"CAA/ATO/{approval:04d}",
        _name(pop, org, hard, dice),
        _province(pop, org, dice, ev),
        town_text(pop.town[org], dice, alias=0.1, upper=0.2) if dice.chance(0.88) else "",
        _tel(pop, org, hard, dice, ev),
        _email(pop, org, manager, hard, dice, ev),
        person_text(pop.people, manager, dice, dice.u()),
        "Active" if dice.chance(0.9) else "Suspended",
        EXPIRY_FROM + int(dice.u() * EXPIRY_DAYS) if dice.chance(0.96) else None,
    ]


def _name(pop: Population, org: int, hard: bool, dice: Dice) -> str:
    name = pop.name[org]
    if hard and dice.chance(0.6):
        name = shorter(pop.core[org], pop.tail[org])
    if dice.chance(0.4 if hard else 0.03):
        name = typo(name, dice)
    suffix = pop.suffix[org]
    if suffix:
        name = f"{name} {dice.pick(SUFFIXES.get(suffix, [suffix]))}"
    return name.upper()


def _province(pop: Population, org: int, dice: Dice, ev: Evidence) -> str:
    if dice.chance(0.10):
        return ""
    ev.region = pop.region(org)
    return region_text(ev.region, dice, alias=0.38, typo=0.0, upper=0.05)


def _tel(pop: Population, org: int, hard: bool, dice: Dice, ev: Evidence) -> str:
    phone, phone2 = int(pop.phone[org]), int(pop.phone2[org])
    if hard:
        if phone2 and dice.chance(0.5):
            ev.phone(phone2)
            return phone_text(phone2, dice)
        return dice.pick(("", dice.pick(PLACEHOLDERS)))
    r = dice.u()
    if r < 0.83:
        ev.phone(phone)
        text = phone_text(phone, dice)
        if phone2 and r < 0.10:
            ev.phone(phone2)
            text = f"{text} / {phone_text(phone2, dice)}"
        return text
    if r < 0.85:
        text, valid = broken_phone(phone, dice)
        ev.add_valid(valid)
        return text
    return dice.pick(PLACEHOLDERS) if r < 0.90 else ""


def _email(pop: Population, org: int, manager: int, hard: bool, dice: Dice, ev: Evidence) -> str:
    if hard and dice.chance(0.7):
        return dice.pick(("", dice.pick(PLACEHOLDERS)))
    r = dice.u()
    if r < 0.72:
        address = pop.email[org]
        if r >= 0.62 and pop.people.email[manager]:
            address = pop.people.email[manager]
        ev.email(address, pop.domain[org])
        return email_text(address, dice, messy=0.15)
    return dice.pick(PLACEHOLDERS) if r < 0.80 else ""
