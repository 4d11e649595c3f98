"""Mask personal values before they are shown as examples in a report.

``mask(value, kind)`` keeps just enough to recognise a value ("jo***@ex***.co.za",
"+27 ** *** **67", "J*** S***") and never gives back the whole of anything
longer than two characters.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

STARS = "***"
KINDS = ("email", "phone", "name", "person", "text")
# Second-level labels kept with a country TLD: "example.co.za" keeps ".co.za".
_SECOND_LEVEL = {"ac", "co", "com", "edu", "gov", "mil", "net", "nic", "or", "org", "web"}
_WORD = re.compile(r"[^\W_]", re.UNICODE)


def mask(value: object, kind: str) -> str:
    """``value`` masked for display as an example; ``""`` for None, NaN and blanks."""
    if kind not in KINDS:
        raise ValueError(f"unknown mask kind {kind!r}; expected one of {', '.join(KINDS)}")
    text = _text(value)
    if not text:
        return ""
    if kind == "email":
        masked = mask_email(text)
    elif kind == "phone":
        masked = mask_phone(text)
    elif kind in ("name", "person"):
        masked = mask_name(text)
    else:
        masked = mask_text(text)
    return masked if masked != text or len(text) <= 2 else "*" * (len(text) + 1)


def mask_text(text: str) -> str:
    """First character and stars: ``"Acme"`` -> ``"A***"``."""
    return text[0] + STARS


def mask_name(text: str) -> str:
    """Initials and stars, one per word: ``"Jo Smith"`` -> ``"J*** S***"``."""
    words = [_initial(word) + STARS for word in text.split()]
    return " ".join(words) or mask_text(text)


def mask_email(text: str) -> str:
    """``"john@example.co.za"`` -> ``"jo***@ex***.co.za"``; not an address -> text mask."""
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return mask_text(text)
    labels = domain.split(".")
    keep = _suffix_length(labels)
    head = labels[: len(labels) - keep] or labels[:1]
    suffix = "".join("." + label for label in labels[len(head) :])
    return f"{local[:2]}{STARS}@{head[0][:2]}{STARS}{suffix}"


def mask_phone(text: str) -> str:
    """Country code or trunk ``0`` and the last two digits: ``"+27 ** *** **67"``."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 5:
        return "*" * len(digits) if digits else mask_text(text)
    stripped = text.lstrip()
    if stripped.startswith(("+", "00")):
        digits = digits[2:] if stripped.startswith("00") else digits
        code = _country_code(digits)
        return f"+{code} {_grouped(digits[len(code) :])}".rstrip()
    if digits.startswith("0"):
        return "0" + _grouped(digits[1:])
    return _grouped(digits)


def _grouped(digits: str) -> str:
    """Stars for every digit but the last two, grouped 4 from the right, then 3s."""
    shown = "*" * max(len(digits) - 2, 0) + digits[-2:]
    groups = [shown[-4:]]
    rest = shown[:-4]
    while rest:
        groups.insert(0, rest[-3:])
        rest = rest[:-3]
    return " ".join(groups)


def _country_code(digits: str) -> str:
    """The leading 1-3 digits that form a known calling code (else the first digit)."""
    codes = _calling_codes()
    for size in (1, 2, 3):
        if digits[:size] in codes and len(digits) > size:
            return digits[:size]
    return digits[:1]


@lru_cache(maxsize=1)
def _calling_codes() -> frozenset[str]:
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    return frozenset(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)


def _suffix_length(labels: list[str]) -> int:
    """How many trailing labels make the public suffix ("za" 1, "co.za" 2)."""
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2].lower() in _SECOND_LEVEL:
        return 2
    return 1 if len(labels) >= 2 else 0


def _initial(word: str) -> str:
    """The first letter or digit of ``word`` (its first character if it has none)."""
    found = _WORD.search(word)
    return found.group(0) if found else word[0]


def _text(value: object) -> str:
    """``value`` as stripped text; None, NaN and pandas' missing markers become ``""``."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()
