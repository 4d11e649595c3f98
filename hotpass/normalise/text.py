"""Simple kinds: free text, categories, ids, towns, countries and numbers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from phonenumbers.geocoder import LOCALE_DATA

from hotpass.normalise.casing import fix_org_case
from hotpass.normalise.result import MISSING, Result, clean_text, fold, whitespace_only

COUNTRY_ALIASES = {
    "South Africa": [
        "SA",
        "S.A.",
        "RSA",
        "R.S.A.",
        "ZA",
        "ZAF",
        "Suid-Afrika",
        "Suid Afrika",
        "Republic of South Africa",
        "S Africa",
        "Sth Africa",
        "Mzansi",
    ],
    "United Kingdom": ["UK", "U.K.", "Great Britain", "Britain", "England", "GB"],
    "United States": ["US", "USA", "U.S.A.", "United States of America", "America"],
}
_GROUP_SPACE = re.compile(r"(?<=\d)[\s'\u00a0\u202f](?=\d{3}(?!\d))")
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_GROUPS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d{1,2}|[+-]?\d+,\d{4,}")
_PLAIN = re.compile(r"[+-]?\d+(?:\.\d+)?")
_FLOAT_ZERO = re.compile(r"^([+-]?\d+)\.0+$")


def normalise_text(value: str) -> Result:
    """Free text, categories, ids and links: whitespace collapsed, nothing else."""
    return whitespace_only(value, "text")


def normalise_town(value: str) -> Result:
    """Town names: whitespace collapsed, case fixed when typed all in one case."""
    text = clean_text(value)
    if not text:
        return MISSING
    fixed = fix_org_case(text)
    if fixed == value:
        return Result((fixed,))
    return Result((fixed,), "town.case" if fixed != text else "town.whitespace")


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """Folded spelling -> English country name: ISO names, ISO codes, then aliases."""
    index: dict[str, str] = {}
    for code, names in LOCALE_DATA.items():
        name = names.get("en", "") if isinstance(names, dict) else ""
        if name.startswith("*"):
            name = names.get(name[1:], "")
        if name and len(code) == 2:
            index.setdefault(fold(code), name)
            index[fold(name)] = name
    for canonical, aliases in COUNTRY_ALIASES.items():
        for alias in (*aliases, canonical):
            index[fold(alias)] = canonical
    return index


def normalise_country(value: str, aliases: Mapping[str, list[str]] | None = None) -> Result:
    """A country name in English ("RSA", "Suid-Afrika" -> "South Africa")."""
    text = clean_text(value)
    if not text:
        return MISSING
    index = _country_index()
    if aliases:
        index = {
            **index,
            **{fold(a): c for c, spellings in aliases.items() for a in (*spellings, c)},
        }
    name = index.get(fold(text))
    if name is None:
        fixed = fix_org_case(text)
        fixed = text if fold(fixed) in index else fixed
        rule = None if fixed == value else "country.case" if fixed != text else "country.whitespace"
        return Result((fixed,), rule, "country.unknown")
    return Result((name,), None if name == value else "country.alias")


def normalise_number(value: str) -> Result:
    """A number with thousands separators removed ("1,234.50", "1 234" -> "1234")."""
    text = clean_text(value)
    if not text:
        return MISSING
    number, rule = _plain_number(text)
    if number is None:
        return Result((text,), None if text == value else "number.whitespace", "number.invalid")
    if number == value:
        return Result((number,))
    return Result((number,), rule if number != text else "number.whitespace")


def _plain_number(text: str) -> tuple[str | None, str]:
    """(plain number, rule) or (None, "") when ``text`` is not a number."""
    compact = _GROUP_SPACE.sub("", text)
    rule = "number.thousands" if compact != text else ""
    if _COMMA_GROUPS.fullmatch(compact):
        compact, rule = compact.replace(",", ""), "number.thousands"
    elif _DOT_GROUPS.fullmatch(compact):
        compact, rule = compact.replace(".", "").replace(",", "."), "number.thousands"
    elif _DECIMAL_COMMA.fullmatch(compact):
        compact, rule = compact.replace(",", "."), "number.decimal_comma"
    if not _PLAIN.fullmatch(compact):
        return None, ""
    match = _FLOAT_ZERO.match(compact)
    if match:
        return match.group(1), rule or "number.float"
    return compact, rule or "number.whitespace"
