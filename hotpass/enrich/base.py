"""The enrichment interface: providers look at golden records and propose values.

A provider never changes data. It returns :class:`Proposal` objects; the
workspace stores them and only approved ones flow into the golden records
(with provenance ``enrichment:<provider>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd


@dataclass(frozen=True)
class Proposal:
    """One proposed value for one field of one golden record, with its evidence."""

    record_kind: str  # "organisation" or "contact"
    record_id: str  # golden id (organisation_id / contact_id)
    field: str
    current: str | None  # the golden record's value now (None when empty)
    proposed: str
    provider: str
    evidence: str  # what supports it: source file and row, rule, table entry or URL
    confidence: float  # 0..1
    record_keys: tuple[str, ...] = ()  # the source record keys of the golden record (stable identity)


@dataclass
class EnrichContext:
    """What providers may read: the golden tables, their provenance and the profile."""

    organisations: pd.DataFrame
    contacts: pd.DataFrame
    provenance: pd.DataFrame | None
    profile: object  # hotpass.profile.Profile
    reference: pd.DataFrame | None = None  # an operator's reference list, as normalised records
    extra: dict = field(default_factory=dict)


class Provider(Protocol):
    """Something that proposes values. ``needs_network`` providers run only when the profile's
    ``enrichment.allow_network`` is true."""

    name: str
    fields: tuple[str, ...]
    needs_network: bool

    def propose(self, context: EnrichContext) -> list[Proposal]:
        """Proposals for the records in ``context``; never changes them."""
        ...
