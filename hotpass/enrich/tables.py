"""The lookup tables offline providers read: a telephone numbering plan and a town gazetteer.

Both are small CSV files shipped under ``profiles/za/`` (a profile may name
its own with ``enrichment.area_codes`` and ``enrichment.gazetteer``):

``area_codes.csv`` (``code``, ``region``, ``note``)
    a national prefix without its leading 0 ("11" for 011) and the region(s)
    it serves, "; "-joined when it spans several. Non-geographic prefixes
    (mobile, toll-free, shared-cost, VoIP) have no region and a note starting
    "non-geographic". A number's prefix is the longest listed code it starts with.
``towns.csv`` (``town``, ``region``, ``alias``)
    one row per place and region, other spellings "; "-joined in ``alias``.
    A name listed in two regions is ambiguous on purpose.

The loaders are cached per file (and its modification time). A missing or
malformed file, or a region that is not one of the profile's, raises one
:class:`~hotpass.errors.ProfileError` listing every problem of the file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers

from hotpass.errors import ProfileError
from hotpass.profile import PROFILES_DIR
from hotpass.text import fold

AREA_CODES = PROFILES_DIR / "za" / "area_codes.csv"
TOWNS = PROFILES_DIR / "za" / "towns.csv"
NON_GEOGRAPHIC = "non-geographic"
MAX_CODE = 4  # digits in the longest national prefix


@dataclass(frozen=True)
class AreaCode:
    """One prefix of a numbering plan."""

    code: str  # without the leading 0: "11"
    regions: tuple[str, ...]  # empty for non-geographic prefixes
    note: str


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: a town (or one of its other spellings) in one region."""

    town: str
    region: str


def load_area_codes(path: str | Path = AREA_CODES, profile=None) -> dict[str, list[str]]:
    """Code -> its regions (empty: non-geographic); regions checked against ``profile``'s."""
    return {code: list(e.regions) for code, e in load_numbering_plan(path, profile).items()}


def load_numbering_plan(path: str | Path = AREA_CODES, profile=None) -> dict[str, AreaCode]:
    """Code -> :class:`AreaCode`, the note kept for evidence."""
    path = Path(path)
    return dict(_plan(str(path), _mtime(path), _regions_of(profile)))


def load_gazetteer(path: str | Path = TOWNS, profile=None) -> dict[str, list[str]]:
    """Folded town name or alias -> the regions it names (two or more: ambiguous)."""
    places = load_places(path, profile)
    return {key: sorted({p.region for p in found}) for key, found in places.items()}


def load_places(path: str | Path = TOWNS, profile=None) -> dict[str, tuple[Place, ...]]:
    """Folded town name or alias -> the gazetteer entries it names, for evidence."""
    path = Path(path)
    return dict(_places(str(path), _mtime(path), _regions_of(profile)))


def calling_code(profile=None) -> str:
    """The country calling code of the profile's ``phone_region`` ("27" for ZA, the default)."""
    region = getattr(profile, "phone_region", None) or "ZA"
    return str(phonenumbers.country_code_for_region(region) or 27)


def area_code_of(e164: str, plan: dict, country: str = "27") -> str | None:
    """The longest code of ``plan`` a +``country`` number's national number starts with."""
    text = str(e164 or "").strip()
    national = text[len(country) + 1:] if text.startswith(f"+{country}") else ""
    if not national.isdigit():
        return None
    sizes = range(min(MAX_CODE, len(national)), 0, -1)
    return next((national[:n] for n in sizes if national[:n] in plan), None)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _regions_of(profile) -> frozenset[str] | None:
    return None if profile is None else frozenset(profile.region_aliases)


@lru_cache(maxsize=16)
def _plan(path: str, _mtime_ns: int, regions: frozenset[str] | None) -> tuple:
    problems: list[str] = []
    plan: dict[str, AreaCode] = {}
    for number, row in _read(path, ("code", "region", "note")):
        entry = _area_code(row, f"row {number} (code {row['code'].strip() or '?'})", problems)
        if entry is None:
            continue
        if entry.code in plan:
            problems.append(f"row {number}: code {entry.code} is listed twice")
        problems.extend(_unknown(entry.regions, regions, f"row {number} (code {entry.code})"))
        plan[entry.code] = entry
    if problems:
        raise ProfileError(path, problems)
    return tuple(plan.items())


def _area_code(row: dict, where: str, problems: list[str]) -> AreaCode | None:
    code, named, note = row["code"].strip().removeprefix("0"), _split(row["region"]), row["note"]
    if not code.isdigit() or len(code) > MAX_CODE:
        problems.append(f"{where}: code must be 1 to {MAX_CODE} digits without the leading 0")
        return None
    if not named and not note.strip().lower().startswith(NON_GEOGRAPHIC):
        problems.append(f"{where}: no region, and the note does not say {NON_GEOGRAPHIC!r}")
    return AreaCode(code, tuple(named), note.strip())


@lru_cache(maxsize=16)
def _places(path: str, _mtime_ns: int, regions: frozenset[str] | None) -> tuple:
    problems: list[str] = []
    found: dict[str, list[Place]] = {}
    for number, row in _read(path, ("town", "region", "alias")):
        town, named = row["town"].strip(), _split(row["region"])
        where = f"row {number} ({town or '?'})"
        problems.extend([f"{where}: no town"] if not fold(town) else [])
        problems.extend([f"{where}: no region"] if not named else [])
        problems.extend(_unknown(named, regions, where))
        for name in (town, *_split(row["alias"])):
            for place in (Place(name, region) for region in named if fold(name)):
                if place not in found.setdefault(fold(name), []):
                    found[fold(name)].append(place)
    if problems:
        raise ProfileError(path, problems)
    return tuple((key, tuple(places)) for key, places in found.items())


def _read(path: str, columns: tuple[str, ...]) -> list[tuple[int, dict]]:
    """(line number, row) pairs of a CSV file that has ``columns``; a ProfileError otherwise."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                expected = ", ".join(columns)
                raise ProfileError(path, [f"missing column(s) {', '.join(missing)} ({expected})"])
            return [(reader.line_num, {c: row.get(c) or "" for c in columns}) for row in reader]
    except FileNotFoundError:
        raise ProfileError(path, ["file not found"]) from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ProfileError(path, [f"cannot be read: {error}"]) from None


def _split(cell: str) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def _unknown(named, regions: frozenset[str] | None, where: str) -> list[str]:
    if regions is None:
        return []
    return [f"{where}: region {r!r} is not one of the profile's regions (region_aliases)"
            for r in named if r not in regions]
