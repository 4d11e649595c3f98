"""Evidence from the people linked to each organisation record.

Two records that name the same person ("R Olivier" and "Riaan Olivier") or
give the same personal mobile or address for one of their people are likely
the same organisation. Contacts point at their organisation record through
``org_record`` (the organisation's ``record_id``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

from hotpass.text import is_missing, words

CONTACT_PHONES = ("mobile", "phone", "whatsapp")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


_words = lru_cache(maxsize=100_000)(words)  # names repeat: fold each spelling once


@lru_cache(maxsize=200_000)
def person_keys(first, last, full) -> tuple[str | None, str | None]:
    """(initial and surname, first name and surname), folded.

    "Riaan Olivier" -> ("r olivier", "riaan olivier"); "R. Olivier" -> ("r olivier", None).
    """
    first_words, last_words = _words(first), _words(last)
    if not last_words:
        full_words = _words(full)
        if len(full_words) < 2:
            return None, None
        first_words, last_words = full_words[:1], full_words[1:]
    if not first_words:
        return None, None
    surname = "".join(last_words)
    given = first_words[0]
    return f"{given[0]} {surname}", (f"{given} {surname}" if len(given) > 1 else None)


def _values(contacts: pd.DataFrame, column: str) -> list:
    return contacts[column].tolist() if column in contacts.columns else [None] * len(contacts)


def _points(row: Iterable) -> set[str]:
    """A contact's own phone numbers (E.164) and email addresses (lower case)."""
    out = set()
    for value in row:
        for part in [] if is_missing(value) else str(value).split(";"):
            part = part.strip()
            if _E164.match(part):
                out.add(part)
            elif "@" in part:
                out.add(part.lower())
    return out


def people_columns(orgs: pd.DataFrame, contacts: pd.DataFrame | None) -> dict[str, list]:
    """Per organisation record (in ``orgs`` order), sorted lists or None:
    ``people`` (initial and surname), ``people_full`` (first name and surname)
    and ``contact_points`` (the people's own phones and addresses)."""
    people: dict[str, set[str]] = {}
    full: dict[str, set[str]] = {}
    points: dict[str, set[str]] = {}
    if contacts is not None and not contacts.empty and "org_record" in contacts.columns:
        names = zip(
            _values(contacts, "first_name"),
            _values(contacts, "last_name"),
            _values(contacts, "full_name"), strict=False,
        )
        reach = zip(*(_values(contacts, c) for c in (*CONTACT_PHONES, "email")), strict=False)
        for org, name, contact in zip(contacts["org_record"].tolist(), names, reach, strict=False):
            if is_missing(org):
                continue
            short, whole = person_keys(*name)
            if short:
                people.setdefault(org, set()).add(short)
            if whole:
                full.setdefault(org, set()).add(whole)
            points.setdefault(org, set()).update(_points(contact))
    ids = orgs["record_id"].tolist() if "record_id" in orgs.columns else [None] * len(orgs)
    found = {"people": people, "people_full": full, "contact_points": points}
    return {
        name: [sorted(values[i]) if values.get(i) else None for i in ids]
        for name, values in found.items()
    }
