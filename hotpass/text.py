"""Small text helpers shared by several stages."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: object) -> str:
    """Lower-case, strip accents, drop everything but letters and digits.

    ``"E-mail Address"`` and ``"email_address"`` both fold to ``"emailaddress"``.
    """
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ALNUM.sub("", ascii_text)


def words(text: object) -> list[str]:
    """The folded words of ``text``: ``"Main Phone No."`` -> ``["main", "phone", "no"]``."""
    if text is None:
        return []
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return [w for w in _NON_ALNUM.split(ascii_text) if w]


_PANDAS_MISSING = ("NAType", "NaTType")  # pd.NA and pd.NaT, without importing pandas


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas' NA and NaT, and blank strings."""
    if value is None or type(value).__name__ in _PANDAS_MISSING:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()
