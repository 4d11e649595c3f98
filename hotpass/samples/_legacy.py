"""legacy_contacts.xlsx: one hand-kept sheet, an organisation and its people per row."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hotpass.samples import _vocab as v
from hotpass.samples._population import Population
from hotpass.samples._sheets import Evidence, Sheet, TruthRecords, open_workbook, person_text
from hotpass.samples._variants import (
    Dice,
    broken_email,
    broken_phone,
    email_text,
    extra_spaces,
    facebook_text,
    phone_text,
    region_text,
    shorter,
    swap_and,
    typo,
    website_text,
)

FILE = "legacy_contacts.xlsx"
SHEET = "Contacts DB"
HEADERS = [
    "School / Business",
    "Contact Person(s)",
    "Cell",
    "Tel",
    "Email(s)",
    "Region",
    "Web",
    "Notes",
]
WIDTHS = [40, 52, 28, 28, 44, 16, 26, 30]
NO_PHONE = ("n/a", "-", "Web form", "N/A", "Contact form")
NO_PERSON = ("?", "tbc", "Unknown")
PHONE_JOINS = (" / ", "; ", " or ", "\n", ", ", " / ")
EMAIL_JOINS = ("; ", ";", ", ", " / ")


def write_legacy(
    pop: Population, out_dir: Path, truth: TruthRecords, rng: np.random.Generator
) -> Path:
    path = out_dir / FILE
    workbook = open_workbook(path)
    sheet = Sheet(workbook, SHEET, HEADERS, 0, WIDTHS, {2: "0", 3: "0"})
    sheet.write_header()
    dice = Dice(rng)
    views = zip(
        pop.views.legacy.tolist(),
        pop.hard[2].tolist(),
        pop.legacy_offset.tolist(),
        pop.legacy_people.tolist(),
        strict=True,
    )
    for org, hard, offset, listed in views:
        evidence = Evidence()
        first = int(pop.people.start[org]) + offset
        people = list(range(first, first + listed))
        row = sheet.write(_row(pop, org, hard, people, dice, evidence))
        truth.add(FILE, SHEET, row, "mixed", org, evidence)
    workbook.close()
    return path


def _row(
    pop: Population, org: int, hard: bool, people: list[int], dice: Dice, ev: Evidence
) -> list:
    for p in people:
        ev.person(pop.people, p)
    return [
        _name(pop, org, hard, dice),
        _people(pop, people, dice),
        _cell(pop, people, dice, ev),
        _tel(pop, org, hard, dice, ev),
        _emails(pop, org, people, hard, dice, ev),
        _region(pop, org, dice, ev),
        _web(pop, org, hard, dice, ev),
        _notes(pop, org, people, dice, ev),
    ]


def _name(pop: Population, org: int, hard: bool, dice: Dice) -> str:
    name = pop.name[org]
    if hard or dice.chance(0.08):
        name = shorter(pop.core[org], pop.tail[org])
    if ("&" in name or " and " in name) and dice.chance(0.5):
        name = swap_and(name)
    if dice.chance(0.5 if hard else 0.10):
        name = typo(name, dice)
    suffix = pop.suffix[org]
    if suffix and dice.chance(0.55):
        name = f"{name} {dice.pick(v.SUFFIX_VARIANTS[suffix])}"
    r = dice.u()
    if r < 0.15:
        name = name.upper()
    elif r < 0.25:
        name = name.lower()
    if dice.chance(0.02):
        name = f"The {name}"
    return extra_spaces(name, dice) if dice.chance(0.08) else name


def _people(pop: Population, people: list[int], dice: Dice) -> str:
    if not people:
        return dice.pick(NO_PERSON) if dice.chance(0.2) else ""
    staff = pop.people
    r = dice.u()
    if r < 0.35:
        return "; ".join(f"{_person(staff, p, dice)} ({_role(staff, p, dice)})" for p in people)
    if r < 0.60:
        return " / ".join(f"{staff.first[p][0]} {staff.last[p]}" for p in people)
    if r < 0.80:
        names = [_person(staff, p, dice) for p in people]
        return (", " if dice.chance(0.5) else " & ").join(names)
    if r < 0.90:
        return " / ".join(staff.first[p] for p in people)
    return "\n".join(f"{_person(staff, p, dice)} - {_role(staff, p, dice)}" for p in people)


def _person(staff, p: int, dice: Dice) -> str:
    """A person in a list: never "Last, First" (the comma would split them)."""
    return person_text(staff, p, dice, dice.u() * 0.82)


def _role(staff, p: int, dice: Dice) -> str:
    return dice.pick(v.ROLE_VARIANTS[staff.role[p]])


def _cell(pop: Population, people: list[int], dice: Dice, ev: Evidence):
    mobiles = [int(pop.people.mobile[p]) for p in people if pop.people.mobile[p]][:2]
    if not mobiles or dice.chance(0.08):
        return dice.pick(NO_PHONE) if dice.chance(0.4) else ""
    for m in mobiles:
        ev.phone(m)
    if len(mobiles) == 1 and dice.chance(0.3):
        return mobiles[0] if dice.chance(0.7) else int(f"27{mobiles[0]}")
    return dice.pick(PHONE_JOINS).join(phone_text(m, dice) for m in mobiles)


def _tel(pop: Population, org: int, hard: bool, dice: Dice, ev: Evidence):
    phone, phone2 = int(pop.phone[org]), int(pop.phone2[org])
    if hard:
        if phone2 and dice.chance(0.5):
            ev.phone(phone2)
            return phone_text(phone2, dice)
        return dice.pick(NO_PHONE) if dice.chance(0.3) else ""
    r = dice.u()
    if r < 0.72:
        ev.phone(phone)
        text = phone_text(phone, dice)
        if phone2 and r >= 0.60:
            ev.phone(phone2)
            text = f"{text}{dice.pick(PHONE_JOINS)}{phone_text(phone2, dice)}"
        return text
    if r < 0.76:
        ev.phone(phone)
        return phone
    if r < 0.78:
        text, valid = broken_phone(phone, dice)
        ev.add_valid(valid)
        return text
    return dice.pick(NO_PHONE) if r < 0.86 else ""


def _emails(
    pop: Population, org: int, people: list[int], hard: bool, dice: Dice, ev: Evidence
) -> str:
    if dice.chance(0.15):
        return ""
    domain = pop.domain[org]
    personal = [pop.people.email[p] for p in people if pop.people.email[p]]
    if hard:
        options = [a for a in personal if not (domain and a.endswith("@" + domain))]
    else:
        options = ([pop.email[org]] if dice.chance(0.6) or not personal else []) + personal
    chosen = options[: 1 + (dice.chance(0.3))]
    if not chosen:
        return ""
    texts = []
    for address in chosen:
        if dice.chance(0.03):
            texts.append(broken_email(address, dice))
            continue
        ev.email(address, domain)
        texts.append(email_text(address, dice, messy=0.35))
    return dice.pick(EMAIL_JOINS).join(texts)


def _region(pop: Population, org: int, dice: Dice, ev: Evidence) -> str:
    if dice.chance(0.25):
        return ""
    ev.region = pop.region(org)
    return region_text(ev.region, dice, alias=0.35, typo=0.15, upper=0.05)


def _web(pop: Population, org: int, hard: bool, dice: Dice, ev: Evidence) -> str:
    domain = pop.domain[org]
    r = dice.u()
    if domain and not (hard and dice.chance(0.8)):
        if r < 0.66:
            ev.domain = domain
            if r < 0.45:
                return domain
            return f"www.{domain}" if r < 0.62 else website_text(domain, dice)
        return facebook_text(pop.facebook(org), dice) if r < 0.70 else ""
    if not domain and pop.facebook_site[org] and r < 0.3:
        return facebook_text(pop.facebook(org), dice)
    return ""


def _notes(pop: Population, org: int, people: list[int], dice: Dice, ev: Evidence) -> str:
    r = dice.u()
    if r < 0.55:
        return ""
    if r < 0.85:
        return dice.pick(v.NOTES)
    if r < 0.93:
        return dice.pick(v.NOTE_PLACE).format(town=v.TOWNS[pop.town[org]][0])
    mobiles = [int(pop.people.mobile[p]) for p in people if pop.people.mobile[p]]
    if not mobiles:
        return dice.pick(v.NOTES)
    ev.phone(mobiles[-1])
    return dice.pick(v.NOTE_PHONE).format(phone=phone_text(mobiles[-1], dice))
