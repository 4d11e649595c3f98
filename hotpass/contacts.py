"""Contacts: attach to their golden organisation and deduplicate within it.

Two contact records of one organisation are the same person when they share
an email address or a mobile number and their names agree (or one has no
name), or when their full names agree. A shared office line never joins two
people, so a name, role, email and phone in the output always belong to the
same person. Fields of a person seen in several sources are chosen by the
same survivorship rules as organisations.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from hotpass.merge import choose_fields, group_rows, lineage, priorities
from hotpass.normalise import name_key
from hotpass.profile import Profile
from hotpass.text import fold, is_missing

PERSON_KEYS = ("email", "mobile", "whatsapp")


def _names_agree(a: dict, b: dict) -> bool:
    na, nb = a.get("full_name"), b.get("full_name")
    if is_missing(na) or is_missing(nb):
        return True
    if name_key(na) == name_key(nb):
        return True
    la, lb = fold(a.get("last_name")), fold(b.get("last_name"))
    fa, fb = fold(a.get("first_name"))[:1], fold(b.get("first_name"))[:1]
    return bool(la) and la == lb and fa == fb


def _people(rows: list[dict]) -> list[list[dict]]:
    """Group one organisation's contact rows into people (union-find over safe links)."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        keys = [(f, str(row[f]).lower()) for f in PERSON_KEYS if not is_missing(row.get(f))]
        if not is_missing(row.get("full_name")):
            keys.append(("name", name_key(row["full_name"])))
        for key in keys:
            j = seen.setdefault(key, i)
            if j != i and (key[0] == "name" or _names_agree(rows[find(j)], row)):
                parent[find(i)] = find(j)
    groups: dict[int, list[dict]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(find(i), []).append(row)
    return list(groups.values())


def _contact_id(rows: list[dict]) -> str:
    first = min(r["record_key"] for r in rows)
    return "CON-" + hashlib.sha1(first.encode()).hexdigest()[:12].upper()


def merge_contacts(contacts: pd.DataFrame, golden_of: dict[str, str], profile: Profile):
    """Golden contacts (one per person per organisation) and their field provenance."""
    fields = {f: s for f, s in profile.contact_fields.items() if f in contacts}
    frame = contacts.copy()
    frame["organisation_id"] = [golden_of.get(r) if not is_missing(r) else None for r in frame["org_record"]]
    frame["_priority"] = priorities(frame["source_file"], profile)
    frame["_filled"] = frame[list(fields)].notna().sum(axis=1).astype(int)
    frame["_order"] = range(len(frame))
    out, prov = [], []
    rows = frame.to_dict("records")
    linked = group_rows([r for r in rows if not is_missing(r["organisation_id"])], "organisation_id")
    groups = [*linked.values(), *([r] for r in rows if is_missing(r["organisation_id"]))]
    for rows in groups:
        for person in _people(rows):
            out.append(_merge_person(person, fields, profile, prov))
    records = pd.DataFrame(out, dtype=object)
    provenance = pd.DataFrame(prov, columns=["contact_id", "field", "value", "source_file", "source_sheet",
                                             "source_row", "record_key", "rule"])
    return records, provenance


def _merge_person(rows: list[dict], fields: dict, profile: Profile, prov: list) -> dict:
    cid = _contact_id(rows)
    record = {"contact_id": cid, "organisation_id": rows[0]["organisation_id"],
              **choose_fields(cid, rows, fields, profile, prov)}
    record.update(lineage(rows))
    return record
