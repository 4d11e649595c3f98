"""crm_export.xlsx: an "Organisation" sheet and a "Contact Info" sheet joined by an ID."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from hotpass.samples import _vocab as v
from hotpass.samples._population import Population
from hotpass.samples._sheets import Evidence, Sheet, TruthRecords, excel_serial, open_workbook
from hotpass.samples._variants import (
    Dice,
    broken_email,
    broken_phone,
    email_text,
    facebook_text,
    phone_number,
    phone_text,
    region_text,
    shorter,
    swap_and,
    town_text,
    typo,
    website_text,
)

FILE = "crm_export.xlsx"
ORG_SHEET = "Organisation"
CONTACT_SHEET = "Contact Info"
ORG_HEADERS = [
    "ID",
    "Company Name",
    "Website URL",
    "Main Phone",
    "City",
    "Province",
    "Category",
    "Last Activity",
    "Lead Priority",
]
CONTACT_HEADERS = [
    "Contact ID",
    "Org ID",
    "First Name",
    "Last Name",
    "Job Title",
    "Email",
    "Mobile Phone",
    "Work Phone",
]
ORG_WIDTHS = [9, 40, 36, 16, 16, 16, 22, 14, 13]
CONTACT_WIDTHS = [11, 9, 14, 16, 24, 34, 16, 22]
PRIORITIES = ("High", "Medium", "Low", "Medium", "Low", "", "Hot", "Cold")
ACTIVITY_FROM = excel_serial(dt.date(2019, 1, 1))
ACTIVITY_DAYS = excel_serial(dt.date(2024, 4, 30)) - ACTIVITY_FROM


def write_crm(
    pop: Population, out_dir: Path, truth: TruthRecords, rng: np.random.Generator
) -> Path:
    path = out_dir / FILE
    workbook = open_workbook(path)
    dice = Dice(rng)
    n = len(pop.views.crm)
    ids = 10001 + np.cumsum(rng.integers(1, 4, n))
    orgs = Sheet(workbook, ORG_SHEET, ORG_HEADERS, 0, ORG_WIDTHS, {0: "0", 3: "0", 7: "yyyy-mm-dd"})
    orgs.write_header()
    for org, hard, crm_id in zip(
        pop.views.crm.tolist(), pop.hard[1].tolist(), ids.tolist(), strict=True
    ):
        evidence = Evidence()
        row = orgs.write(_org_row(pop, org, hard, crm_id, dice, evidence))
        truth.add(FILE, ORG_SHEET, row, "organisation", org, evidence)
    contacts = Sheet(
        workbook, CONTACT_SHEET, CONTACT_HEADERS, 0, CONTACT_WIDTHS, {0: "0", 1: "0", 6: "0"}
    )
    contacts.write_header()
    contact_id = 50000
    for org, count, crm_id in zip(
        pop.views.crm.tolist(), pop.views.crm_contacts.tolist(), ids.tolist(), strict=True
    ):
        start = int(pop.people.start[org])
        for person in range(start, start + count):
            contact_id += 1 + int(dice.u() * 2)
            evidence = Evidence()
            row = contacts.write(_contact_row(pop, org, person, contact_id, crm_id, dice, evidence))
            truth.add(FILE, CONTACT_SHEET, row, "contact", org, evidence)
    workbook.close()
    return path


def _org_row(pop: Population, org: int, hard: bool, crm_id: int, dice: Dice, ev: Evidence) -> list:
    region = ""
    if dice.chance(0.88):
        ev.region = pop.region(org)
        region = region_text(ev.region, dice, alias=0.15, typo=0.0)
    return [
        crm_id,
        _name(pop, org, hard, dice),
        _website(pop, org, hard, dice, ev),
        _main_phone(pop, org, hard, dice, ev),
        town_text(pop.town[org], dice, alias=0.1) if dice.chance(0.8) else "",
        region,
        dice.pick(v.CATEGORY_LABELS[int(pop.category[org])]),
        ACTIVITY_FROM + int(dice.u() * ACTIVITY_DAYS) if dice.chance(0.92) else None,
        dice.pick(PRIORITIES),
    ]


def _name(pop: Population, org: int, hard: bool, dice: Dice) -> str:
    name, suffix = pop.name[org], pop.suffix[org]
    if hard:
        return typo(shorter(pop.core[org], pop.tail[org]), dice)
    r = dice.u()
    if r < 0.55:
        return name
    if r < 0.80:
        return f"{name} {dice.pick(v.SUFFIX_VARIANTS[suffix])}".strip()
    if r < 0.85:
        return name.lower()
    if r < 0.90:
        return typo(name, dice)
    if r < 0.94:
        return swap_and(name) if "&" in name else shorter(pop.core[org], pop.tail[org])
    if r < 0.97:
        return f"{name} - {v.TOWNS[pop.town[org]][0]}"
    return name.upper()


def _website(pop: Population, org: int, hard: bool, dice: Dice, ev: Evidence) -> str:
    domain = pop.domain[org]
    if domain:
        r = dice.u()
        if r < (0.2 if hard else 0.7):
            ev.domain = domain
            return website_text(domain, dice)
        return facebook_text(pop.facebook(org), dice) if r < 0.78 else ""
    if pop.facebook_site[org] and dice.chance(0.55):
        return facebook_text(pop.facebook(org), dice)
    return ""


def _main_phone(pop: Population, org: int, hard: bool, dice: Dice, ev: Evidence):
    phone, phone2 = int(pop.phone[org]), int(pop.phone2[org])
    if hard:
        if phone2 and dice.chance(0.6):
            ev.phone(phone2)
            return phone_number(phone2, dice)
        return ""
    r = dice.u()
    if r < 0.82:
        ev.phone(phone)
        return phone_number(phone, dice) if r < 0.62 else phone_text(phone, dice)
    if r < 0.84:
        text, valid = broken_phone(phone, dice)
        ev.add_valid(valid)
        return text
    return ""


def _contact_row(
    pop: Population, org: int, p: int, contact_id: int, crm_id: int, dice: Dice, ev: Evidence
) -> list:
    people = pop.people
    ev.person(people, p)
    first, last = _first_last(people.first[p], people.last[p], dice)
    role = dice.pick(v.ROLE_VARIANTS[people.role[p]]) if dice.chance(0.88) else ""
    return [
        contact_id,
        crm_id,
        first,
        last,
        role,
        _contact_email(pop, org, p, dice, ev),
        _mobile(int(people.mobile[p]), dice, ev),
        _direct_line(pop, org, dice, ev),
    ]


def _first_last(first: str, last: str, dice: Dice) -> tuple[str, str]:
    r = dice.u()
    if r < 0.82:
        return first, last
    if r < 0.88:
        return first[0], last
    if r < 0.93:
        return first, last.upper()
    if r < 0.97:
        return f"{first} {last}", ""
    return first.lower(), last.lower()


def _contact_email(pop: Population, org: int, p: int, dice: Dice, ev: Evidence) -> str:
    address = pop.people.email[p]
    if not (address and dice.chance(0.8)):
        address = pop.email[org] if dice.chance(0.3) else ""
    if not address:
        return ""
    if dice.chance(0.03):
        return broken_email(address, dice)
    ev.email(address, pop.domain[org])
    return email_text(address, dice, messy=0.15)


def _mobile(mobile: int, dice: Dice, ev: Evidence):
    r = dice.u()
    if not mobile or r >= 0.85:
        return ""
    ev.phone(mobile)
    return phone_number(mobile, dice) if r < 0.45 else phone_text(mobile, dice)


def _direct_line(pop: Population, org: int, dice: Dice, ev: Evidence) -> str:
    r = dice.u()
    if r >= 0.45:
        return ""
    phone = int(pop.phone[org])
    ev.phone(phone)
    text = phone_text(phone, dice)
    return f"{text} ext {10 + int(dice.u() * 290)}" if r >= 0.35 else text
