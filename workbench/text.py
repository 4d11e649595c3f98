"""Text helpers the pages share: Markdown that stays text (and the library's is_missing, fold)."""

from __future__ import annotations

import re

from hotpass import fold, is_missing

_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~$])")
_LIST_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def md(text: object) -> str:
    """``text`` for a Markdown element, shown as typed: no markup, links, HTML or line breaks."""
    flat = _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))
    return _LIST_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", flat)


__all__ = ["fold", "is_missing", "md"]
