"""The value every normaliser returns, and the text helpers they share.

A normaliser is a pure function ``str -> Result``. ``values`` is empty when the
cell is missing or junk and holds several strings when one cell held several
values; ``rule`` names what changed the value (``None`` when nothing did);
``problem`` names why a kept value is suspect.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple


class Result(NamedTuple):
    """What a normaliser made of one value."""

    values: tuple[str, ...]
    rule: str | None = None
    problem: str | None = None

    @property
    def value(self) -> str | None:
        """The first value, or ``None`` when the value is missing."""
        return self.values[0] if self.values else None


MISSING = Result(())

# Zero-width characters vanish; every other control or space character is a space.
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def clean_text(value: str) -> str:
    """Collapse every run of whitespace or control characters to one space and strip."""
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", value)).strip()


def clean_lines(value: str) -> str:
    """Like :func:`clean_text` but keep line breaks; blank lines are dropped."""
    text = _ZERO_WIDTH.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


_NOT_ASCII_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(value: str) -> str:
    """Lower-case, fold accents and drop everything but letters and digits."""
    if value.isascii():
        return _NOT_ASCII_ALNUM.sub("", value.lower())
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", value).casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def whitespace_only(value: str, kind: str) -> Result:
    """Collapse whitespace; the rule is ``<kind>.whitespace`` when that changed anything."""
    text = clean_text(value)
    if not text:
        return MISSING
    return Result((text,), None if text == value else f"{kind}.whitespace")
