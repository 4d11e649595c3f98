"""How people mistype things: phones, emails, websites, regions, names.

Every function takes a :class:`Dice` and returns what a person might have
typed; the callers record what a perfect normaliser would read back.
"""

from __future__ import annotations

import bisect
import itertools

import numpy as np
import phonenumbers

from hotpass.samples import _vocab as v

_BLOCK = 1 << 16


class Dice:
    """A stream of uniform draws from a seeded generator, cheap to call per cell."""

    __slots__ = ("_rng", "_buf", "_i")

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self._buf: list[float] = []
        self._i = 0

    def u(self) -> float:
        if self._i >= len(self._buf):
            self._buf = self._rng.random(_BLOCK).tolist()
            self._i = 0
        value = self._buf[self._i]
        self._i += 1
        return value

    def chance(self, p: float) -> bool:
        return self.u() < p

    def pick(self, seq):
        return seq[int(self.u() * len(seq))]

    def weighted(self, table: tuple[list, list[float]]):
        """One option from ``table`` = (options, cumulative weights ending in 1.0)."""
        options, cumulative = table
        return options[min(bisect.bisect_right(cumulative, self.u()), len(options) - 1)]


def table(weights: dict) -> tuple[list, list[float]]:
    """(options, cumulative probabilities) for :meth:`Dice.weighted`."""
    total = float(sum(weights.values()))
    return list(weights), list(itertools.accumulate(w / total for w in weights.values()))


# --- phones -------------------------------------------------------------------------------------

PHONE_FORMATS = table(
    {
        "0{a} {b} {c}": 30,
        "(0{a}) {b}-{c}": 8,
        "(0{a}) {b} {c}": 6,
        "0{a}{b}{c}": 12,
        "+27 {a} {b} {c}": 12,
        "+27 (0){a} {b} {c}": 6,
        "0{a}-{b}-{c}": 6,
        "+27{a}{b}{c}": 6,
        "0{a} {b}{c}": 6,
        "27{a}{b}{c}": 3,
        "0{a}.{b}.{c}": 2,
        "+27-{a}-{b}-{c}": 3,
    }
)


def e164(nsn: int) -> str:
    return f"+27{nsn}"


def phone_text(nsn: int, dice: Dice) -> str:
    """A South African number as people type it ("011 456 7890", "+27 (0)82 123 4567")."""
    s = str(nsn)
    return dice.weighted(PHONE_FORMATS).format(a=s[:2], b=s[2:5], c=s[5:])


def phone_number(nsn: int, dice: Dice) -> int:
    """A number stored as a numeric cell: with the country code, or without its leading zero."""
    return int(f"27{nsn}") if dice.chance(0.5) else nsn


def broken_phone(nsn: int, dice: Dice) -> tuple[str, str | None]:
    """A number missing a digit, and its E.164 form in the rare case it is still valid."""
    s = str(nsn)
    k = 1 + int(dice.u() * (len(s) - 1))
    t = s[:k] + s[k + 1 :]
    text = f"0{t[:2]} {t[2:5]} {t[5:]}"
    number = phonenumbers.parse(text, "ZA")
    valid = phonenumbers.is_valid_number(number)
    return text, (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if valid else None
    )


# --- email and web ------------------------------------------------------------------------------


def canonical_email(address: str) -> str:
    return address.strip().rstrip(".").lower()


def email_text(address: str, dice: Dice, messy: float = 0.3) -> str:
    """An address with the case, space and punctuation slips of hand-kept lists."""
    if not dice.chance(messy):
        return address
    local, domain = address.split("@")
    return dice.pick(
        (
            f"{local}@{domain.upper()}",
            address.upper(),
            f"{address}.",
            f" {address} ",
            local.capitalize() + "@" + domain,
            f"{local}@{domain.capitalize()}",
        )
    )


def broken_email(address: str, dice: Dice) -> str:
    """An address no normaliser can repair (no top-level domain, no @)."""
    local, domain = address.split("@")
    return f"{local}@{domain.split('.')[0]}" if dice.chance(0.5) else f"{local}.{domain}"


WEBSITE_FORMS = table(
    {
        "https://www.{d}/": 20,
        "http://www.{d}": 12,
        "www.{d}": 22,
        "{d}": 16,
        "https://{d}": 12,
        "http://{d}/": 6,
        "https://www.{d}/contact-us": 4,
        "WWW.{D}": 3,
        "https://www.{d}/index.html": 3,
        "{d}/": 2,
    }
)
FACEBOOK_FORMS = [
    "https://www.facebook.com/{s}",
    "www.facebook.com/{s}",
    "facebook.com/{s}",
    "https://m.facebook.com/{s}/",
    "https://web.facebook.com/{s}",
]


def website_text(domain: str, dice: Dice) -> str:
    return dice.weighted(WEBSITE_FORMS).format(d=domain, D=domain.upper())


def facebook_text(page: str, dice: Dice) -> str:
    return dice.pick(FACEBOOK_FORMS).format(s=page)


# --- places -------------------------------------------------------------------------------------


def region_text(region: str, dice: Dice, alias: float, typo: float, upper: float = 0.0) -> str:
    """A province as written: canonical, an alias, a typo or shouted."""
    r = dice.u()
    if r < alias:
        return dice.pick(v.PROVINCE_ALIASES[region])
    if r < alias + typo:
        return dice.pick(v.PROVINCE_TYPOS[region])
    if r < alias + typo + upper:
        return region.upper()
    return region


def town_text(town: int, dice: Dice, alias: float = 0.1, upper: float = 0.0) -> str:
    name, _, _, _, aliases = v.TOWNS[town]
    r = dice.u()
    if r < alias and aliases:
        return dice.pick(aliases)
    if r < alias + upper:
        return name.upper()
    return name


# --- names --------------------------------------------------------------------------------------


def typo(text: str, dice: Dice) -> str:
    """Drop or swap one letter inside a longer word."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = dice.pick(long)
    w = words[i]
    k = 1 + int(dice.u() * (len(w) - 3))
    if dice.chance(0.5) and w[k] != w[k + 1]:
        words[i] = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    else:
        words[i] = w[:k] + w[k + 1 :]
    return " ".join(words)


def shorter(core: str, tail: str) -> str:
    """The name less the last word of its tail ("Skyway Aviation Academy" -> "Skyway Aviation")."""
    words = tail.split()
    return f"{core} {' '.join(words[:-1])}" if len(words) > 1 else core


def swap_and(text: str) -> str:
    return text.replace(" & ", " and ") if " & " in text else text.replace(" and ", " & ")


def extra_spaces(text: str, dice: Dice) -> str:
    if dice.chance(0.5):
        return text.replace(" ", "  ", 1) + " "
    return f" {text}" if dice.chance(0.5) else f"{text}  "
