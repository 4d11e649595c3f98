"""Text helpers the pages share: missing cells, folded names, and Markdown that stays text.

``is_missing`` and ``fold`` behave as the library's own (``hotpass.text``),
which the public API does not offer.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~$])")
_LIST_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas' NA and NaT, and blank strings."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def fold(text: object) -> str:
    """Lower-case, accents stripped, only letters and digits: how names are compared."""
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return _NON_ALNUM.sub("", decomposed.encode("ascii", "ignore").decode("ascii").lower())


def md(text: object) -> str:
    """``text`` for a Markdown element, shown as typed: no markup, links, HTML or line breaks."""
    flat = _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))
    return _LIST_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", flat)
