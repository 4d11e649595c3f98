"""The profile's settings bound to the normalisers, one entry point per field kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from hotpass import defaults
from hotpass.normalise.dates import normalise_date
from hotpass.normalise.email import normalise_email
from hotpass.normalise.orgname import normalise_legal_suffix, parse_org_name
from hotpass.normalise.person import normalise_role, parse_person_name
from hotpass.normalise.persons import Person, normalise_persons_cell, split_persons
from hotpass.normalise.phone import normalise_phone
from hotpass.normalise.placeholders import (
    PLACEHOLDER,
    clean_placeholder,
    is_placeholder,
    placeholder_keys,
)
from hotpass.normalise.region import normalise_region, region_index
from hotpass.normalise.result import Result, whitespace_only
from hotpass.normalise.text import normalise_country, normalise_number, normalise_town
from hotpass.normalise.website import normalise_domain, normalise_website

if TYPE_CHECKING:
    from hotpass.profile import Profile

# A kind's reader returns the Result and an extra value (legal suffix, title) or None.
Reader = Callable[["Normaliser", str], tuple[Result, str | None]]


def _plain(function: Callable[..., Result]) -> Reader:
    return lambda ctx, value: (function(value), None)


READERS: dict[str, Reader] = {
    "phone": lambda ctx, value: (normalise_phone(value, ctx.region), None),
    "email": _plain(normalise_email),
    "website": lambda ctx, value: (normalise_website(value, ctx.social_domains), None),
    "domain": lambda ctx, value: (normalise_domain(value, ctx.social_domains), None),
    "region": lambda ctx, value: (normalise_region(value, ctx.regions), None),
    "org_name": lambda ctx, value: tuple(parse_org_name(value, ctx.legal_suffixes)),
    "legal_suffix": lambda ctx, value: (normalise_legal_suffix(value, ctx.legal_suffixes), None),
    "person_name": lambda ctx, value: tuple(parse_person_name(value)),
    "first_name": lambda ctx, value: tuple(parse_person_name(value)),
    "last_name": lambda ctx, value: tuple(parse_person_name(value)),
    "persons": _plain(normalise_persons_cell),
    "role": _plain(normalise_role),
    "town": _plain(normalise_town),
    "country": _plain(normalise_country),
    "date": _plain(normalise_date),
    "number": _plain(normalise_number),
}


@dataclass(frozen=True)
class Normaliser:
    """Profile settings bound to the pure normalisers: ``ctx.normalise(kind, value)``."""

    region: str = "ZA"
    placeholders: frozenset[str] = field(
        default_factory=lambda: placeholder_keys(defaults.placeholders())
    )
    legal_suffixes: tuple[str, ...] = tuple(defaults.legal_suffixes())
    regions: dict[str, str] = field(default_factory=lambda: region_index(defaults.region_aliases()))
    free_mail_domains: tuple[str, ...] = tuple(defaults.free_mail_domains())
    social_domains: tuple[str, ...] = tuple(defaults.social_domains())

    @classmethod
    def from_profile(cls, profile: Profile) -> Normaliser:
        """Bind the settings of ``profile``."""
        return cls(
            region=profile.phone_region.upper(),
            placeholders=placeholder_keys(profile.placeholders),
            legal_suffixes=tuple(profile.legal_suffixes),
            regions=region_index(profile.region_aliases),
            free_mail_domains=tuple(d.lower() for d in profile.free_mail_domains),
            social_domains=tuple(d.lower() for d in profile.social_domains),
        )

    def read(self, kind: str, value: str) -> tuple[Result, str | None]:
        """(Result, extra): placeholders first, then the kind's normaliser.

        ``extra`` is the legal suffix taken off an ``org_name`` or the title taken
        off a person name; None for other kinds.
        """
        keys = self._number_placeholders if kind == "number" else self.placeholders
        early = clean_placeholder(value, keys)
        if early is not None:
            return early, None
        reader = READERS.get(kind)
        result, extra = reader(self, value) if reader else (whitespace_only(value, kind), None)
        kept = tuple(v for v in result.values if v == value or not is_placeholder(v, keys))
        if len(kept) == len(result.values):
            return result, extra
        return (
            Result(kept, result.rule or "placeholder", result.problem) if kept else PLACEHOLDER
        ), extra

    @cached_property
    def _number_placeholders(self) -> frozenset[str]:
        """Placeholders without "0" and "000": in a number column zero is a number."""
        return frozenset(key for key in self.placeholders if not key.isdigit())

    def normalise(self, kind: str, value: str) -> Result:
        """The Result of normalising ``value`` as a field of ``kind``."""
        return self.read(kind, value)[0]

    def split_persons(self, cell: str) -> list[Person]:
        """The people named in a ``persons`` cell, with this profile's placeholders."""
        return split_persons(cell, self.placeholders)
