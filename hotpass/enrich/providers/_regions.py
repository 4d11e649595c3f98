"""The regions an organisation's landlines and town point to: numbering plan and gazetteer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hotpass.enrich.base import EnrichContext, Proposal
from hotpass.enrich.providers._common import Org, Sources, organisations, table_path, values
from hotpass.enrich.providers._common import sources as cited_sources
from hotpass.enrich.tables import (
    AREA_CODES,
    TOWNS,
    AreaCode,
    Place,
    area_code_of,
    calling_code,
    load_numbering_plan,
    load_places,
)
from hotpass.text import fold, words

#: Words that may trail a town name in a cell ("Lanseria Airport", "Pretoria North"); they are
#: dropped, one at a time from the end, when the whole cell is not in the gazetteer.
TRAILING_WORDS = frozenset({
    "airport", "international", "airfield", "aerodrome", "airstrip", "cbd", "central", "centre",
    "center", "city", "town", "north", "south", "east", "west", "district", "area", "suburb",
})
_PARTS = re.compile(r"[,/|()]+")
NOTE_CHARS = 80  # the most of a numbering-plan note quoted in evidence


@dataclass(frozen=True)
class Tables:
    """The numbering plan and the gazetteer, with the names of their files."""

    plan: dict[str, AreaCode]
    places: dict[str, tuple[Place, ...]]
    plan_file: str
    places_file: str
    country: str = "27"  # the calling code of the profile's phone region

    @classmethod
    def load(cls, profile, area_codes: str | Path | None, towns: str | Path | None) -> Tables:
        """The given tables, else those the profile names, else the shipped ones."""
        plan_path = Path(area_codes or table_path(profile, "area_codes", AREA_CODES))
        town_path = Path(towns or table_path(profile, "gazetteer", TOWNS))
        return cls(load_numbering_plan(plan_path, profile), load_places(town_path, profile),
                   plan_path.name, town_path.name, calling_code(profile))


@dataclass(frozen=True)
class Landlines:
    """What an organisation's geographic numbers say about its region."""

    regions: frozenset[str]  # where all its landlines can be (empty: they disagree)
    evidence: str

    def single(self) -> str | None:
        return next(iter(self.regions)) if len(self.regions) == 1 else None


@dataclass(frozen=True)
class TownMatch:
    """The gazetteer entries a town cell matched."""

    cell: str
    places: tuple[Place, ...]

    @property
    def regions(self) -> frozenset[str]:
        return frozenset(p.region for p in self.places)

    def single(self) -> str | None:
        return next(iter(self.regions)) if len(self.regions) == 1 else None

    def evidence(self, tables: Tables, cite: str = "") -> str:
        names = sorted({p.town for p in self.places})
        listed = "; ".join(f"{p.town} ({p.region})" for p in sorted(self.places, key=_by_region))
        same = fold(self.cell) in {fold(n) for n in names}
        spelled = "" if same else f" read as {'/'.join(names)}"
        return f"town {self.cell!r}{cite}{spelled}: {tables.places_file} lists {listed}"


def landlines(org: Org, tables: Tables, sources: Sources) -> Landlines | None:
    """The regions of ``org``'s geographic numbers (``phone``, ``phone_other``), if any."""
    regions: frozenset[str] | None = None
    told: list[str] = []
    described: set[str] = set()  # codes whose regions the evidence already gives
    for field in ("phone", "phone_other"):
        for number in values(org.row.get(field)):
            code = area_code_of(number, tables.plan, tables.country)
            entry = tables.plan.get(code) if code else None
            if entry is None or not entry.regions:
                continue
            served = frozenset(entry.regions)
            regions = served if regions is None else regions & served
            cite = sources.cite("organisation", org.id, field, number)
            told.append(f"{number}{cite} has area code 0{code}" + ("" if code in described else
                        f", which {tables.plan_file} gives to {' / '.join(entry.regions)} "
                        f"({_short(entry.note)})"))
            described.add(code)
    return None if regions is None else Landlines(regions, "; ".join(told))


def town_match(org: Org, tables: Tables) -> TownMatch | None:
    """The gazetteer entries ``org``'s town names; None without a town or for an unknown one.

    A cell of several parts ("Virginia, Durban") keeps the regions all its known parts agree on.
    """
    cell = org.get("town")
    if not cell:
        return None
    whole = _lookup(cell, tables)
    parts = [whole] if whole else [_lookup(p, tables) for p in _PARTS.split(cell) if p.strip()]
    matched = [m for m in parts if m]
    if not matched:
        return None
    agreed = frozenset.intersection(*(frozenset(p.region for p in m) for m in matched))
    kept = dict.fromkeys(p for m in matched for p in m if p.region in agreed)
    return TownMatch(cell, tuple(kept))


def _lookup(text: str, tables: Tables) -> tuple[Place, ...]:
    """The entries ``text`` names, tried without trailing generic words ("Lanseria Airport")."""
    tokens = words(text)
    while tokens:
        places = tables.places.get(fold("".join(tokens)))
        if places:
            return places
        if tokens[-1] not in TRAILING_WORDS:
            return ()
        tokens = tokens[:-1]
    return ()


def _by_region(place: Place) -> str:
    return place.region


def _short(note: str) -> str:
    return note if len(note) <= NOTE_CHARS else note[: NOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"


class RegionProvider:
    """What the two region providers share: their tables, and proposing for records without a
    region only. Subclasses say what one organisation gets (``_for``)."""

    name = ""
    fields: tuple[str, ...] = ("region",)
    needs_network = False

    def __init__(self, area_codes: str | Path | None = None, towns: str | Path | None = None):
        self.area_codes = area_codes  # None: the table the profile names, else the shipped one
        self.towns = towns

    def propose(self, context: EnrichContext) -> list[Proposal]:
        tables = Tables.load(context.profile, self.area_codes, self.towns)
        sources = cited_sources(context)
        orgs = [org for org in organisations(context) if not org.get("region")]
        return [p for org in orgs for p in self._for(org, tables, sources)]

    def _for(self, org: Org, tables: Tables, sources: Sources) -> list[Proposal]:
        raise NotImplementedError
