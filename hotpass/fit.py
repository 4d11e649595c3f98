"""How well each profile fits a set of sheets, and what each column's values look like.

:func:`rank_profiles` maps the sheets with every profile given and scores how
much of them each one reads: the share of the data columns of record sheets
that its synonyms map (weighted by confidence; a match by the look of the
values counts half), plus a bonus when a column is found to name a record.
Which sheets hold records is decided once, without any profile, so every
profile is measured against the same columns.

:func:`look_at_columns` gives, per column, its first few distinct values and
the kind of value they look like (email, phone, date, name, ...), for an
operator checking a mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hotpass.ingest.columns import ColumnShape, cell_text, measure_columns
from hotpass.mapping import SheetMapping, sniff, map_sheets
from hotpass.profile import Profile
from hotpass.roles import classify_all
from hotpass.text import fold

#: Field kinds that name a record (an organisation's or a person's name).
NAME_KINDS = ("org_name", "person_name", "persons", "first_name", "last_name")
#: Rows looked at per sheet.
SAMPLE_ROWS = 1000
#: Share of the score that a column naming a record earns; the rest is the share of columns mapped.
NAME_BONUS = 0.2
#: How much a column mapped only by the look of its values counts.
CONTENT_WEIGHT = 0.5
SAMPLES = 3
#: Most distinct values a column of categories holds.
CATEGORIES = 50


@dataclass(frozen=True)
class Fit:
    """How well one profile reads a set of sheets."""

    profile: str  # the profile's label (its name unless the caller named it)
    score: float  # 0-1
    reason: str  # "26 of 34 columns match; names organisations and contacts"
    matched: int  # data columns the profile maps
    columns: int  # data columns of the record sheets


@dataclass(frozen=True)
class ColumnLook:
    """What one column's values look like."""

    source: str
    kind: str  # email, phone, website, region, date, number, row number, long text, category, name,
    # code, text or empty
    samples: tuple[str, ...]  # its first distinct values, in sheet order


# --- ranking ----------------------------------------------------------------------------------


def rank_profiles(sheets, profiles: Iterable[Profile] | Mapping[str, Profile]) -> list[Fit]:
    """Every profile's fit to ``sheets``, best first (ties keep the order given).

    ``profiles``: profiles (each labelled by its name) or label -> profile.
    """
    sheets = list(sheets)
    labelled = (list(profiles.items()) if isinstance(profiles, Mapping)
                else [(p.name, p) for p in profiles])
    counted = data_columns(sheets)
    fits = [_fit(label, profile, sheets, counted) for label, profile in labelled]
    return sorted(fits, key=lambda fit: -fit.score)


def data_columns(sheets: list) -> list[list[int]]:
    """Per sheet, the positions of the columns a profile should read: the non-empty columns (row
    numbers aside) of the sheets that hold records, judged without any profile (every sheet that
    is not a lookup list or left out, when none looks like records)."""
    roles = [found.role for found in classify_all(sheets)]
    wanted = [role == "entity" for role in roles]
    if not any(wanted):
        wanted = [role not in ("lookup", "ignore") for role in roles]
    return [_filled(sheet) if keep else [] for sheet, keep in zip(sheets, wanted, strict=True)]


def _filled(sheet) -> list[int]:
    shapes = measure_columns(sheet.frame.head(SAMPLE_ROWS))
    return [shape.position for shape in shapes if shape.count and not shape.row_numbers]


def _fit(label: str, profile: Profile, sheets: list, counted: list[list[int]]) -> Fit:
    mappings = map_sheets(sheets, profile)
    total = sum(len(positions) for positions in counted)
    weight, matched = 0.0, 0
    for mapping, positions in zip(mappings, counted, strict=True):
        for position in positions:
            column = mapping.columns[position]
            if column.target:
                matched += 1
                trust = CONTENT_WEIGHT if column.method == "content" else 1.0
                weight += column.confidence / 100 * trust
    named = _named(profile, mappings)
    share = weight / total if total else 0.0
    score = round((1 - NAME_BONUS) * min(share, 1.0) + NAME_BONUS * bool(named), 3)
    says = f"names {' and '.join(profile.plural(e).replace('_', ' ') for e in named)}" if named \
        else "no column names a record"
    reason = f"{matched} of {total} columns match; {says}" if total else "no sheet holds records"
    return Fit(label, score if total else 0.0, reason, matched, total)


def _named(profile: Profile, mappings: list[SheetMapping]) -> list[str]:
    """The entities a column names with confidence (by its header, not its values)."""
    found = set()
    for mapping in mappings:
        for column in mapping.columns:
            if column.target is None or column.method == "content":
                continue
            if column.confidence < profile.mapping.confident_score:
                continue
            entity, _, name = column.target.partition(".")
            spec = profile.fields(entity).get(name)
            if spec is not None and spec.kind in NAME_KINDS:
                found.add(entity)
    return [entity for entity in profile.entities if entity in found]


# --- the look of values -----------------------------------------------------------------------


_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.&()/-]*([-'’.][^\W\d_]*)*[.,]?$")
_JOINERS = {"and", "&", "of", "the", "van", "de", "der", "du", "le", "la", "von", "-", "/"}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]*$")
_YYYYMMDD = re.compile(r"^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")


def look_at_columns(sheet, profile: Profile) -> list[ColumnLook]:
    """Each column of ``sheet`` (by position): its first distinct values and their kind."""
    frame = sheet.frame.head(SAMPLE_ROWS)
    regions = region_folds(profile)
    shapes = measure_columns(frame)
    looks = []
    for shape in shapes:
        cells = frame.iloc[:, shape.position].tolist()
        values = [t for t in map(cell_text, cells) if t is not None]
        looks.append(ColumnLook(str(sheet.columns[shape.position]),
                                value_kind(values, shape, regions),
                                tuple(dict.fromkeys(values))[:SAMPLES]))
    return looks


def region_folds(profile: Profile) -> set[str]:
    """Folded region names and aliases of the profile (empty without a country pack)."""
    aliases = profile.region_aliases or {}
    return {fold(name) for name in aliases} | {fold(a) for names in aliases.values() for a in names}


def value_kind(values: list[str], shape: ColumnShape, regions: set[str]) -> str:
    """The kind of value a column holds, from its values (text) and their shape."""
    if not values:
        return "empty"
    sniffed = sniff(values[:200], regions)
    if sniffed is not None:
        return sniffed[0]
    if shape.row_numbers:
        return "row number"
    sample = values[:200]
    if shape.dates >= 0.6 or _share(sample, _compact_date) >= 0.8:
        return "date"
    if shape.numbers >= 0.8:
        return "number"
    if shape.long_text >= 0.5:
        return "long text"
    if _share(sample, _looks_like_code) >= 0.7:
        return "code"
    if shape.count >= 10 and shape.distinct <= 0.5 and shape.distinct * shape.count <= CATEGORIES \
            and shape.mean_len <= 30:
        return "category"
    if _share(sample, _looks_like_name) >= 0.7:
        return "name"
    return "text"


def _share(values: list[str], test) -> float:
    return sum(map(test, values)) / len(values) if values else 0.0


def _looks_like_name(value: str) -> bool:
    """Capitalised words without digits: "Blue Sky Aviation (Pty) Ltd", "van der Merwe, Anna"."""
    parts = value.replace(",", " ").replace("(", " ").replace(")", " ").split()
    if not 1 <= len(parts) <= 8 or any(c.isdigit() for c in value):
        return False
    capitalised = [p for p in parts if p.lower() not in _JOINERS]
    return bool(capitalised) and all(_NAME_WORD.match(p) and p[0].isupper() for p in capitalised)


def _compact_date(value: str) -> bool:
    """A date written as eight digits, year first: "19610223"."""
    return bool(_YYYYMMDD.match(value))


def _looks_like_code(value: str) -> bool:
    """One short token with a digit: "ATO-0042", "C123", "2021/07"."""
    return len(value) <= 24 and bool(_CODE.match(value)) and any(c.isdigit() for c in value)
