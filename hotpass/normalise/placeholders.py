"""Placeholders: values such as "n/a", "- -" or "Not Publicly Listed" that mean nothing.

Comparison ignores case, all whitespace and punctuation around the value, so
"N / A", "(unknown)" and "-- --" match "n/a", "unknown" and "--". A value made
only of punctuation is a placeholder when the list holds any such entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hotpass.normalise.result import MISSING, Result, clean_text

PLACEHOLDER = Result((), "placeholder")
_NO_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_LONGEST = 80  # longer text is never taken for a placeholder


def _compact(value: str) -> str:
    return _NO_SPACE.sub("", value.casefold())


def placeholder_keys(placeholders: Iterable[str]) -> frozenset[str]:
    """The comparison keys of a placeholder list ("" stands for punctuation-only values)."""
    keys = {_compact(entry) for entry in placeholders}
    if any(not _EDGE.sub("", key) for key in keys):
        keys.add("")
    return frozenset(keys)


def is_placeholder(value: str, keys: frozenset[str]) -> bool:
    """True when ``value`` is one of the placeholders whose keys are ``keys``."""
    if len(value) > _LONGEST:
        return False
    compact = _compact(value)
    if not compact:
        return False
    return compact in keys or _EDGE.sub("", compact) in keys


def clean_placeholder(value: str, keys: frozenset[str]) -> Result | None:
    """``PLACEHOLDER`` for a placeholder, ``MISSING`` for blank text, else ``None``."""
    if not clean_text(value):
        return MISSING
    return PLACEHOLDER if is_placeholder(value, keys) else None
