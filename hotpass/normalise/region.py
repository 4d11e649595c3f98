"""Regions -> the profile's canonical names ("gp", "K.Z.N." and "Gauteg" are known).

Aliases and canonical names are compared after folding case, accents,
punctuation and spaces. A spelling within rapidfuzz score 90 of a known name
(or one typo away counting a swap of two letters as one typo, when that points
at one region only) is accepted with the rule ``region.fuzzy``. A cell naming several regions
("Gauteng / Limpopo") yields several values. Unknown text is kept with the
problem ``region.unknown``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from hotpass.normalise.result import MISSING, Result, clean_text, fold

FUZZY_MIN_SCORE = 90
_FUZZY_MIN_LENGTH = 5
_SEPARATOR = re.compile(r"\s*(?:[/;&|\n]|\band\b)\s*", re.IGNORECASE)

RegionIndex = Mapping[str, str]


def region_index(aliases: Mapping[str, list[str]]) -> dict[str, str]:
    """Folded spelling -> canonical name, for canonical names and every alias."""
    index: dict[str, str] = {}
    for canonical, others in aliases.items():
        for spelling in (*others, canonical):
            key = fold(spelling)
            if key:
                index[key] = canonical
    return index


def normalise_region(value: str, index: RegionIndex) -> Result:
    """The canonical region name(s) in ``value`` (``index`` comes from :func:`region_index`)."""
    text = clean_text(value)
    if not text:
        return MISSING
    found = _lookup(text, index)
    if found is None:
        parts = [p for p in _SEPARATOR.split(text) if p]
        matches = [_lookup(p, index) for p in parts] if len(parts) > 1 else [None]
        if any(m is None for m in matches):
            return Result((text,), None if text == value else "region.whitespace", "region.unknown")
        values = tuple(dict.fromkeys(m[0] for m in matches))
        fuzzy = any(m[1] for m in matches)
    else:
        values, fuzzy = (found[0],), found[1]
    if values == (value,):
        return Result(values, None, None)
    rule = "region.split" if len(values) > 1 else "region.fuzzy" if fuzzy else "region.alias"
    return Result(values, rule, None)


def _lookup(text: str, index: RegionIndex) -> tuple[str, bool] | None:
    """(canonical name, whether fuzzy) for one spelling, or None."""
    key = fold(text)
    if key in index:
        return index[key], False
    if len(key) < _FUZZY_MIN_LENGTH:
        return None
    best = process.extractOne(key, index.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE)
    if best:
        return index[best[0]], True
    # one typo by Damerau's count (two letters swapped: "guateng"), when it points at one region only
    close = {index[k] for k in index if OSA.distance(key, k, score_cutoff=1) <= 1}
    return (close.pop(), True) if len(close) == 1 else None
