"""What the offline providers share: reading golden rows, finding where a value came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hotpass.enrich.base import EnrichContext, Proposal
from hotpass.resolve.names import DomainRules
from hotpass.text import is_missing

#: Which domains may be an organisation's own: never free-mail (nor a long free-mail brand under
#: any suffix: "gmail.co.za"), social or dotless. The resolver's own rule, imported so that both
#: agree on what "own domain" means (it is private there; it could become public in features.py).

PROVENANCE = ("record_kind", "record_id", "field", "value", "source_file", "source_sheet",
              "source_row")


def values(cell) -> list[str]:
    """The values of a golden cell: one, or several joined with "; "; none when empty."""
    if is_missing(cell):
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def text(cell) -> str | None:
    """A cell as stripped text, None when empty."""
    return None if is_missing(cell) else str(cell).strip()


@dataclass(frozen=True)
class Person:
    """A contact of an organisation, as the providers need it."""

    contact_id: str
    name: str
    role: str | None
    emails: tuple[str, ...]
    phones: tuple[str, ...]  # the ``phone`` and ``phone_other`` columns only, never mobiles


@dataclass(frozen=True)
class Org:
    """One golden organisation (a copy of its row) with its contacts."""

    row: dict
    people: tuple[Person, ...]

    @property
    def id(self) -> str:
        return str(self.row["organisation_id"])

    def get(self, field: str) -> str | None:
        return text(self.row.get(field))

    def keys(self) -> tuple[str, ...]:
        return tuple(values(self.row.get("record_keys")))

    def proposal(self, field: str, proposed: str, provider: str, evidence: str,
                 confidence: float) -> Proposal:
        """A proposal for this organisation's ``field``."""
        return Proposal("organisation", self.id, field, self.get(field), proposed, provider,
                        evidence, round(confidence, 2), self.keys())


#: The fields whose sources providers cite in their evidence.
CITED = ("email", "phone", "phone_other", "website", "town")


def organisations(context: EnrichContext) -> list[Org]:
    """The golden organisations of ``context`` with their contacts, in table order (read once per
    context; providers share them)."""
    if "_orgs" not in context.extra:
        people = _people(context.contacts)
        rows = [] if context.organisations is None else context.organisations.to_dict("records")
        context.extra["_orgs"] = [Org(row, tuple(people.get(str(row.get("organisation_id")), ())))
                                  for row in rows]
    return context.extra["_orgs"]


def sources(context: EnrichContext) -> Sources:
    """Where the cited fields' golden values came from (read once per context)."""
    if "_sources" not in context.extra:
        provenance = context.provenance
        if provenance is not None and "field" in provenance.columns:
            provenance = provenance[provenance["field"].isin(CITED)]
        context.extra["_sources"] = Sources(provenance)
    return context.extra["_sources"]


def _people(contacts: pd.DataFrame | None) -> dict[str, list[Person]]:
    found: dict[str, list[Person]] = {}
    if contacts is None or "organisation_id" not in contacts.columns:
        return found
    for row in contacts.to_dict("records"):
        org = text(row.get("organisation_id"))
        if org is not None:
            found.setdefault(org, []).append(Person(
                str(row.get("contact_id")), text(row.get("full_name")) or "(no name)",
                text(row.get("role")), _cells(row, ("email", "email_other")),
                _cells(row, ("phone", "phone_other"))))
    return found


def _cells(row: dict, columns: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for c in columns for v in values(row.get(c))))


class Sources:
    """Where golden values came from, read from the provenance table."""

    def __init__(self, provenance: pd.DataFrame | None):
        self._rows: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        if provenance is None or any(c not in provenance.columns for c in PROVENANCE):
            return
        columns = (provenance[c].tolist() for c in PROVENANCE)
        for kind, rid, field, value, file, sheet, row in zip(*columns, strict=True):
            where = f"{file} | {sheet} | row {_row_number(row)}"
            self._rows.setdefault((str(kind), str(rid), str(field)), []).append((str(value), where))

    def where(self, kind: str, record_id: str, field: str, value: str | None = None) -> str | None:
        """``file | sheet | row N`` of the value (its first source), else None."""
        found = self._rows.get((kind, record_id, field), [])
        if value is not None:
            found = [f for f in found if f[0].casefold() == value.casefold()]
        return found[0][1] if found else None

    def cite(self, kind: str, record_id: str, field: str, value: str | None = None) -> str:
        """`` (file | sheet | row N)`` for evidence; empty when unknown."""
        where = self.where(kind, record_id, field, value)
        return f" ({where})" if where else ""


def _row_number(value) -> str:
    try:
        return str(int(float(value)))
    except (TypeError, ValueError):
        return str(value)


def table_path(profile, setting: str, shipped: Path) -> Path:
    """The table the profile's ``enrichment.<setting>`` names, else ``shipped``."""
    chosen = getattr(getattr(profile, "enrichment", None), setting, "")
    if chosen and hasattr(profile, "resolve_path"):
        return profile.resolve_path(chosen, shipped)
    return Path(chosen) if chosen else shipped
