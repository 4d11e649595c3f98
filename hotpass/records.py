"""Turn mapped sheets into organisation and contact records, and link them.

An organisation sheet gives organisation records; a contact sheet gives
contacts linked to an organisation by an ID or name column; a mixed sheet
gives an organisation per row plus the people named on that row. A cell
naming several people becomes several contacts; details that cannot be given
to one person with certainty stay on the organisation, never on the wrong
person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from hotpass.findings import Findings
from hotpass.mapping import CONTACT, ORG, SheetMapping
from hotpass.normalise import name_key, split_legal_suffix, split_persons
from hotpass.profile import Profile
from hotpass.text import fold, is_missing

PROVENANCE = ["source_file", "source_sha256", "source_sheet", "source_row"]
PERSON_FIELDS = ("full_name", "first_name", "last_name")
UNASSIGNED = "unassigned_"
_SPLIT = re.compile(r"\s*(?:;|/|\n|,|\bor\b|&)\s*")


@dataclass
class Records:
    """Source records of both kinds, one row each, with provenance."""

    organisations: pd.DataFrame
    contacts: pd.DataFrame
    findings: Findings
    raw_measures: list = field(default_factory=list)  # quality.FieldMeasure of the raw input


def _joined(frame: pd.DataFrame, sources: list[str]) -> pd.Series:
    """One column, or several joined with '; ' (phones, emails, websites)."""
    if len(sources) == 1:
        return frame[sources[0]]
    rows = zip(*(frame[s].tolist() for s in sources))
    values = ["; ".join(str(v) for v in row if not is_missing(v)) or None for row in rows]
    return pd.Series(values, index=frame.index, dtype=object)


def _provenance(sheet, index) -> dict[str, object]:
    return {
        "source_file": sheet.file,
        "source_sha256": sheet.sha256,
        "source_sheet": sheet.sheet,
        "source_row": list(index),
    }


def _field_columns(sheet, mapping: SheetMapping, kind: str) -> dict[str, pd.Series]:
    return {name: _joined(sheet.frame, sources) for name, sources in mapping.targets(kind).items()}


def _organisation_frame(sheet, mapping: SheetMapping, profile: Profile) -> pd.DataFrame:
    fields = _field_columns(sheet, mapping, ORG)
    data = pd.DataFrame(_provenance(sheet, sheet.frame.index), index=sheet.frame.index)
    for name in profile.organisation_fields:
        data[name] = fields[name] if name in fields else None
    for extra in mapping.extras():
        data[f"extra:{extra}"] = sheet.frame[extra]
    if mapping.role == "mixed":
        filled = pd.DataFrame(fields).notna().any(axis=1) if fields else False
        data = data[filled]
    return data.reset_index(drop=True)


@lru_cache(maxsize=200_000)
def _people(cell: str, placeholders: tuple[str, ...]) -> tuple:
    return tuple(split_persons(cell, placeholders))


def _row_people(values: dict[str, object], placeholders: tuple[str, ...]) -> list[dict[str, object]]:
    """The people a row names: from a people cell, else from first and last name columns."""
    cell = values.get("full_name")
    if not is_missing(cell):
        found = [
            {"full_name": p.full_name, "first_name": p.first_name, "last_name": p.last_name, "role": p.role}
            for p in _people(str(cell), placeholders)
        ]
        if found:
            return found
    first, last = values.get("first_name"), values.get("last_name")
    if is_missing(first) and is_missing(last):
        return []
    return [{"first_name": first, "last_name": last}]  # full_name is filled after normalising


def _share_out(people: list[dict], details: dict[str, object]) -> dict[str, object]:
    """Give row-level details to people; return the details no one person can claim."""
    if len(people) == 1:
        for name, value in details.items():
            if is_missing(people[0].get(name)):
                people[0][name] = value
        return {}
    unassigned = {}
    for name, value in details.items():
        parts = [p for p in _SPLIT.split(str(value)) if p]
        if len(parts) == len(people):
            for person, part in zip(people, parts):
                person[name] = part
        else:
            unassigned[name] = value
    return unassigned


def _contacts_from_sheet(sheet, mapping: SheetMapping, org_ids: dict[int, str], findings: Findings,
                         placeholders: tuple[str, ...]):
    """Contact rows of a contact or mixed sheet, plus details left on organisations."""
    fields = _field_columns(sheet, mapping, CONTACT)
    if not fields:
        return [], {}
    names = list(fields)
    shared = {"organisation_link", "source_id"}
    contacts, leftovers = [], {}
    for excel_row, values in zip(sheet.frame.index, zip(*(fields[n].tolist() for n in names))):
        row = {n: v for n, v in zip(names, values) if not is_missing(v)}
        people = _row_people(row, placeholders)
        details = {n: v for n, v in row.items() if n not in PERSON_FIELDS and n not in shared}
        if not people and (mapping.role == "mixed" or not details):
            continue
        people = people or [{}]
        left = _share_out(people, details)
        if left:
            leftovers[excel_row] = left
            findings.add("records.unassigned_contact_detail",
                         f"{len(people)} people share this row; kept {', '.join(left)} on the organisation",
                         "warning", file=sheet.file, sheet=sheet.sheet, row=int(excel_row))
        for person in people:
            person.update({k: row[k] for k in shared if k in row})
            person.update(source_file=sheet.file, source_sha256=sheet.sha256,
                          source_sheet=sheet.sheet, source_row=int(excel_row),
                          org_record=org_ids.get(excel_row))
            contacts.append(person)
    return contacts, leftovers


def _note_leftovers(orgs: pd.DataFrame, leftovers: dict[int, dict]) -> None:
    """Details no single person can claim stay on the organisation as ``unassigned_<field>``."""
    names = sorted({name for left in leftovers.values() for name in left})
    for name in names:
        orgs[f"{UNASSIGNED}{name}"] = [leftovers.get(r, {}).get(name) for r in orgs["source_row"]]


def build_records(sheets, mappings: list[SheetMapping], profile: Profile) -> Records:
    """Organisation and contact records from every mapped sheet, in source order."""
    findings = Findings()
    org_frames, contact_rows = [], []
    next_org = 1
    for sheet, mapping in zip(sheets, mappings):
        if mapping.role == "ignore":
            findings.add("records.sheet_ignored", "no organisation name or person column was found",
                         "warning", file=sheet.file, sheet=sheet.sheet)
            continue
        org_ids: dict[int, str] = {}
        orgs = None
        if mapping.role in (ORG, "mixed"):
            orgs = _organisation_frame(sheet, mapping, profile)
            orgs.insert(0, "record_id", [f"O{n:07d}" for n in range(next_org, next_org + len(orgs))])
            next_org += len(orgs)
            org_ids = dict(zip(orgs["source_row"], orgs["record_id"]))
        if mapping.role in (CONTACT, "mixed"):
            contacts, leftovers = _contacts_from_sheet(sheet, mapping, org_ids, findings,
                                                       tuple(profile.placeholders))
            contact_rows.extend(contacts)
            if orgs is not None:
                _note_leftovers(orgs, leftovers)
        if orgs is not None:
            org_frames.append(orgs)
    organisations = _concat(org_frames, ["record_id", *PROVENANCE, *profile.organisation_fields])
    contacts = pd.DataFrame(contact_rows, dtype=object)
    columns = ["record_id", *PROVENANCE, "org_record", *profile.contact_fields]
    contacts = contacts.reindex(columns=[*columns, *[c for c in contacts.columns if c not in columns]])
    contacts["record_id"] = [f"C{n:07d}" for n in range(1, len(contacts) + 1)]
    contacts["source_row"] = contacts["source_row"].astype("Int64")
    return Records(organisations, contacts, findings)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=columns, dtype=object)
    frame = pd.concat(frames, ignore_index=True, sort=False)
    extras = [c for c in frame.columns if c not in columns]
    frame = frame[[*columns, *extras]].astype(object)
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame


def link_contacts(records: Records, profile: Profile) -> None:
    """Point every contact of a contact sheet at its organisation record.

    The link column is matched to an organisation's source ID in the same file,
    then to an organisation name (legal suffix ignored) in the same file, then
    to a name in any file. Contacts that match nothing are reported.
    """
    orgs, contacts = records.organisations, records.contacts
    link = profile.link_field()
    if contacts.empty or link not in contacts:
        return
    by_id = {(f, fold(i)): r for f, i, r in zip(orgs["source_file"], orgs["source_id"], orgs["record_id"])
             if not is_missing(i)}
    by_name: dict[tuple, str] = {}
    for f, n, r in zip(orgs["source_file"], orgs["name"], orgs["record_id"]):
        if not is_missing(n):
            by_name.setdefault((f, name_key(n)), r)
            by_name.setdefault((None, name_key(n)), r)
    linked = contacts["org_record"].tolist()
    for i, (value, file_name, current) in enumerate(zip(contacts[link], contacts["source_file"], linked)):
        if not is_missing(current):
            continue
        if is_missing(value):
            records.findings.add(
                "records.contact_without_organisation", "this person's row names no organisation", "warning",
                file=file_name, sheet=contacts.at[i, "source_sheet"], row=int(contacts.at[i, "source_row"]))
            continue
        key = name_key(split_legal_suffix(str(value), profile.legal_suffixes)[0])
        linked[i] = (by_id.get((file_name, fold(value))) or by_name.get((file_name, key))
                     or by_name.get((None, key)))
        if linked[i] is None:
            records.findings.add(
                "records.unlinked_contact", f"no organisation matches {link} {value!r}", "warning",
                file=file_name, sheet=contacts.at[i, "source_sheet"],
                row=int(contacts.at[i, "source_row"]), column=link)
    contacts["org_record"] = [None if is_missing(v) else v for v in linked]


def fill_full_names(contacts: pd.DataFrame) -> None:
    """Contacts known by first and last name only get a full name (after normalising)."""
    if contacts.empty:
        return
    joined = [
        " ".join(str(v) for v in (f, l) if not is_missing(v)) or None
        for f, l in zip(contacts["first_name"], contacts["last_name"])
    ]
    contacts["full_name"] = [j if is_missing(n) else n for n, j in zip(contacts["full_name"], joined)]
