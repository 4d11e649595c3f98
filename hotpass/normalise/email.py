"""Email addresses: trimmed, unwrapped, domain lower-cased, syntax-checked offline.

"mailto:", surrounding ``<>`` and quotes, and trailing dots are removed; the
local part is kept as written. One cell may hold several addresses separated
by ``; , /``, whitespace or new lines; words around them ("Email:", a name)
are dropped. Syntax is checked with email-validator without DNS; an address
that fails is kept with the problem ``email.invalid``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from hotpass.normalise.result import MISSING, Result, clean_lines, clean_text

_SEPARATOR = re.compile(r"[;,/\s]+")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_WRAPPERS = "<>\"'`()[]{}"
_EDGE = _WRAPPERS + ".:"


def normalise_email(value: str) -> Result:
    """Every address in ``value`` cleaned; invalid ones kept with ``email.invalid``."""
    lines = clean_lines(value)
    if not lines:
        return MISSING
    tokens = [_clean_address(token) for token in _SEPARATOR.split(lines) if "@" in token]
    tokens = [token for token in tokens if token]
    if not tokens:
        return _result(value, (clean_text(lines),), "email.whitespace", "email.invalid")
    values = tuple(dict.fromkeys(tokens))
    problem = None if all(map(_is_valid, values)) else "email.invalid"
    return _result(value, values, _rule(value, values), problem)


def _clean_address(token: str) -> str:
    """Strip "mailto:", wrappers and trailing dots until nothing changes; lower-case the domain."""
    previous = None
    while token != previous:
        previous = token
        token = _MAILTO.sub("", token.strip(_WRAPPERS)).rstrip(_EDGE).lstrip(_WRAPPERS + ":")
    local, at, domain = token.rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else token


def _rule(original: str, values: tuple[str, ...]) -> str:
    """The most telling change between ``original`` and the cleaned ``values``."""
    if len(values) > 1:
        return "email.split"
    text = clean_text(original)
    if text == values[0]:
        return "email.whitespace"
    local, _, domain = text.rpartition("@")
    if f"{local}@{domain.lower()}" == values[0]:
        return "email.lowercase_domain"
    return "email.cleaned"


def _result(original: str, values: tuple[str, ...], rule: str, problem: str | None) -> Result:
    return Result(values, None if values == (original,) else rule, problem)


@lru_cache(maxsize=65536)
def _is_valid(address: str) -> bool:
    """Syntax check only (no DNS)."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def email_domain(email: str) -> str | None:
    """The lower-cased domain of an address, or None when there is no "@"."""
    local, at, domain = email.strip().rpartition("@")
    domain = domain.strip().rstrip(".").lower()
    return domain if at and local and domain else None


def is_free_mail(domain: str | None, free_mail_domains: Iterable[str]) -> bool:
    """True when ``domain`` (or a parent of it) is a free-mail provider."""
    if not domain:
        return False
    domain = domain.lower().rstrip(".")
    return any(domain == free or domain.endswith("." + free) for free in free_mail_domains)
