"""Stable record keys.

A record's key must survive re-uploading an edited workbook: rows inserted
above it, columns reordered or renamed. So it is built from what the record
says (its canonical, normalised fields), the sheet it is on and the file's
family name (digits and dates stripped, so ``crm_2024-05.xlsx`` and
``crm_2024-06.xlsx`` agree), never from row numbers. Identical records in one
sheet are told apart by their order of appearance.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pandas as pd

from hotpass.text import fold, is_missing

_DIGITS = re.compile(r"[\d_\-\s.]+")


def file_family(file_name: str) -> str:
    """``"CRM export 2024-06.xlsx"`` -> ``"crmexport"``: the name without dates and extension."""
    stem = file_name.rsplit(".", 1)[0]
    return fold(_DIGITS.sub("", stem)) or fold(stem)


def record_keys(frame: pd.DataFrame, fields: list[str], prefix: str) -> list[str]:
    """One stable key per row of ``frame`` from its ``fields`` and its file family and sheet."""
    present = [f for f in fields if f in frame.columns]
    seen: Counter = Counter()
    keys = []
    families = _each_once(frame["source_file"].tolist(), file_family)
    sheets = _each_once(frame["source_sheet"].tolist(), fold)
    values = [_each_once(frame[c].tolist(), _folded) for c in present]
    contents = ["\x1f".join(row) for row in zip(*values)] if values else [""] * len(frame)
    for family, sheet, content in zip(families, sheets, contents):
        base = hashlib.sha1(f"{family}\x1e{sheet}\x1e{content}".encode()).hexdigest()[:16]
        seen[base] += 1
        keys.append(f"{prefix}{base}" + (f"-{seen[base]}" if seen[base] > 1 else ""))
    return keys


def _folded(value: object) -> str:
    return "" if is_missing(value) else fold(value)


def _each_once(values: list, function) -> list[str]:
    """``function`` of every value, computed once per distinct value (columns repeat a lot)."""
    memo: dict = {}
    out = []
    for value in values:
        try:
            result = memo[value]
        except KeyError:
            result = memo[value] = function(value)
        except TypeError:  # unhashable
            result = function(value)
        out.append(result)
    return out


def display_id(key: object) -> str:
    """How a record is named on every page and in the CLI: ``"org:5697abcdef012345"`` ->
    ``"ORG-5697ABCDEF01"`` (the key's entity word cut to three letters, then the first twelve
    characters of its hash, upper case; a ``-2`` that tells identical records apart is kept).

    A golden record's id is the display id of its cluster's smallest record key, so a golden id
    (``"ORG-…"``, anything without ``:``) is given back unchanged; missing values give ``""``.
    """
    if is_missing(key):
        return ""
    text = str(key)
    word, colon, rest = text.partition(":")
    if not colon or not word or not rest:
        return text
    digest, dash, count = rest.partition("-")
    return f"{word[:3].upper()}-{digest[:12].upper()}" + (f"-{count}" if dash and count else "")
