"""Organisation names: whitespace, case, legal suffix, and a key for matching.

``parse_org_name`` returns the cleaned base name as a :class:`Result` *and*
the canonical legal suffix it removed ("ABC Aviation (PTY) LTD" ->
"ABC Aviation", "(Pty) Ltd"); ``normalise_org_name`` returns only the Result.
Suffixes are recognised in the spellings people use ("Pty. Ltd.",
"(Proprietary) Limited", "C.C.") and reported in the profile's canonical
spelling; several trailing suffixes are all removed ("X Trust (Pty) Ltd").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from hotpass.normalise.casing import fix_org_case
from hotpass.normalise.result import MISSING, Result, clean_text, fold

# Other spellings -> the canonical suffix they mean (used when that suffix is in the profile).
SUFFIX_VARIANTS = {
    "(Pty) Ltd": ["Pty Ltd", "Pty Limited", "Proprietary Ltd", "Proprietary Limited", "Pty"],
    "(RF) (Pty) Ltd": ["RF Pty Limited", "RF Proprietary Limited", "RF Pty"],
    "SOC Ltd": ["SOC Limited", "State Owned Company Ltd", "State Owned Company Limited"],
    "CC": ["C.C.", "Close Corporation", "Close Corp"],
    "NPC": ["N.P.C.", "Non Profit Company", "Nonprofit Company", "Non-Profit Company"],
    "NPO": [
        "N.P.O.",
        "Non Profit Organisation",
        "Non Profit Organization",
        "Non-Profit Organisation",
    ],
    "Inc": ["Inc."],
    "PLC": ["Public Limited Company"],
    "Co-op": ["Co op", "Coop"],
    "GmbH": ["G.m.b.H."],
}
_TOKEN = re.compile(r"[^\s().,]+")
_QUOTES = "\"'“”‘’`"
_EDGE = " ,;:-–—/&(" + _QUOTES


class OrgName(NamedTuple):
    """A normalised organisation name and the legal suffix taken off it."""

    result: Result
    legal_suffix: str | None


def _key(text: str) -> tuple[str, ...]:
    return tuple(k for k in (fold(t) for t in _TOKEN.findall(text)) if k)


@lru_cache(maxsize=64)
def suffix_table(suffixes: tuple[str, ...]) -> dict[tuple[str, ...], str]:
    """Folded token sequence -> canonical suffix, for the suffixes and their known variants."""
    table = {_key(s): s for s in suffixes if _key(s)}
    for canonical, variants in SUFFIX_VARIANTS.items():
        if canonical in suffixes:
            for variant in variants:
                table.setdefault(_key(variant), canonical)
    return table


@lru_cache(maxsize=64)
def _table_info(
    suffixes: tuple[str, ...],
) -> tuple[dict[tuple[str, ...], str], frozenset[str], int]:
    """The suffix table, the last tokens of its keys and its longest key length."""
    table = suffix_table(suffixes)
    return table, frozenset(key[-1] for key in table), max(map(len, table), default=0)


def split_legal_suffix(name: str, suffixes: Iterable[str]) -> tuple[str, str | None]:
    """(name without trailing legal suffixes, canonical suffix or None).

    The name is tokenised once and suffixes are taken off its end one by one,
    so a cell of thousands of "Pty"s costs linear time, not quadratic.
    """
    table, last, longest = _table_info(tuple(suffixes))
    tokens = _Tokens(name)
    found: list[str] = []
    kept = len(name)
    while True:
        hit = tokens.trailing_suffix(table, last, longest)
        if hit is None:
            break
        index, canonical = hit
        end = tokens.starts[index]
        while end and name[end - 1] in _EDGE:
            end -= 1
        if end <= tokens.first_alnum:
            break
        tokens.cut(index, end)
        if tokens.words <= longest and tokens.key() in table:
            break
        found.insert(0, canonical)
        kept = end
    return name[:kept], " ".join(found) or None


class _Tokens:
    """The tokens of a prefix of ``name``, with their folded keys, shortened from the end."""

    def __init__(self, name: str) -> None:
        self.name = name
        matches = list(_TOKEN.finditer(name))
        self.starts = [m.start() for m in matches]
        self.keys = [fold(m.group()) for m in matches]
        self.words = sum(1 for k in self.keys if k)
        self.first_alnum = next((i for i, ch in enumerate(name) if ch.isalnum()), len(name))

    def trailing_suffix(
        self, table: dict, last: frozenset[str], longest: int
    ) -> tuple[int, str] | None:
        """(token index, canonical suffix) of the longest suffix ending the text, if any."""
        keys = self.keys
        while keys and not keys[-1]:
            self._pop()
        if not keys or keys[-1] not in last:
            return None
        for size in range(min(longest, len(keys) - 1), 0, -1):
            canonical = table.get(tuple(k for k in keys[-size:] if k))
            if canonical is not None:
                return len(keys) - size, canonical
        return None

    def cut(self, index: int, end: int) -> None:
        """Keep the text before ``end`` (at or before token ``index``)."""
        while len(self.keys) > index:
            self._pop()
        while self.starts and self.starts[-1] >= end:
            self._pop()
        if self.starts:  # its last token may have lost trailing edge characters
            start = self.starts[-1]
            self._pop()
            self.starts.append(start)
            self.keys.append(fold(_TOKEN.match(self.name, start, end).group()))
            self.words += bool(self.keys[-1])

    def key(self) -> tuple[str, ...]:
        return tuple(k for k in self.keys if k)

    def _pop(self) -> None:
        self.starts.pop()
        self.words -= bool(self.keys.pop())


def parse_org_name(value: str, suffixes: Iterable[str] = ()) -> OrgName:
    """The cleaned name (whitespace, quotes, case, suffix removed) and its legal suffix."""
    text = clean_text(value).strip(_QUOTES + " ,;:")
    text = clean_text(text)
    if not text:
        return OrgName(MISSING, None)
    base, suffix = split_legal_suffix(text, suffixes)
    fixed = fix_org_case(base)
    if fixed == value:
        rule = None
    elif suffix:
        rule = "name.legal_suffix"
    elif fixed != base:
        rule = "name.case"
    else:
        rule = "name.whitespace" if text == clean_text(value) else "name.punctuation"
    return OrgName(Result((fixed,), rule), suffix)


def normalise_org_name(value: str, suffixes: Iterable[str] = ()) -> Result:
    """The cleaned organisation name without its legal suffix (see :func:`parse_org_name`)."""
    return parse_org_name(value, suffixes).result


def normalise_legal_suffix(value: str, suffixes: Iterable[str] = ()) -> Result:
    """A legal-suffix cell in canonical spelling; unknown ones get ``legal_suffix.unknown``."""
    text = clean_text(value)
    if not text:
        return MISSING
    canonical = suffix_table(tuple(suffixes)).get(_key(text))
    if canonical is None:
        return Result(
            (text,), None if text == value else "legal_suffix.whitespace", "legal_suffix.unknown"
        )
    return Result((canonical,), None if canonical == value else "legal_suffix.canonical")


@lru_cache(maxsize=500_000)
def name_key(name: str) -> str:
    """A matching key: lower case, accents folded, "&" -> "and", punctuation removed."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("&", " and ")
    text = re.sub(r"['’`.]", "", text)
    return " ".join(re.sub(r"[\W_]+", " ", text).split())
