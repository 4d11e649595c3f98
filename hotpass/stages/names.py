"""What a run's tables and columns are called, per entity of the profile."""

from __future__ import annotations

from dataclasses import dataclass

#: The entities the organisation-and-contact stages know: an ``organisation`` resolved with the
#: built-in organisation comparisons, and the ``contact`` records that belong to it.
ORG, CONTACT = "organisation", "contact"

#: Record key prefixes of the shipped entities (kept: people's decisions name these keys).
KEY_PREFIXES = {"organisation": "org:", "contact": "contact:"}


def raw_table(entity: str) -> str:
    """The table of an entity's records as read (before normalising)."""
    return f"{entity}_raw"


def records_table(entity: str) -> str:
    """The table of an entity's normalised records."""
    return f"{entity}_records"


def golden_table(entity: str) -> str:
    """The table of an entity's golden records."""
    return f"golden_{entity}"


def id_column(entity: str) -> str:
    """The column holding an entity's golden record id (organisation_id, person_id)."""
    return f"{entity}_id"


def key_prefix(entity: str) -> str:
    """The prefix of an entity's record keys."""
    return KEY_PREFIXES.get(entity, f"{entity}:")


def out_table(profile, entity: str) -> str:
    """The deliverable table of an entity (out_organisations, out_people)."""
    return f"out_{profile.plural(entity)}"


def member_table(entity: str) -> str:
    """record_id, record_key and golden id of every record of an entity."""
    return f"members_{entity}"


@dataclass(frozen=True)
class Layout:
    """Which stages a profile's entities go through.

    ``organisation``: the profile has an ``organisation`` entity resolved with the built-in
    organisation comparisons (and ``contact``: contact records that belong to it), which go through
    the organisation-and-contact stages (people split out of cells, contacts linked and
    deduplicated within their organisation, enrichment). ``generic``: every other entity that
    stands alone, resolved with the comparisons its profile declares.
    """

    organisation: bool
    contact: bool
    generic: tuple[str, ...]

    @property
    def entities(self) -> tuple[str, ...]:
        """Every entity that has records in a run, in the order the stages treat them."""
        return (*((ORG,) if self.organisation else ()), *((CONTACT,) if self.contact else ()), *self.generic)


def layout(profile) -> Layout:
    """The :class:`Layout` of ``profile``."""
    built_in = ORG in profile.entities and profile.entity(ORG).resolution is not None \
        and profile.entity(ORG).resolution.built_in()
    contact = built_in and CONTACT in profile.children(ORG)
    generic = tuple(e for e in profile.top_entities() if not (built_in and e == ORG))
    return Layout(built_in, contact, generic)


def entity_table(table: str, profile, entity: str) -> str:
    """Where resolution table ``table`` (pairs, clusters, review_queue) of ``entity`` is kept: the
    table itself for the profile's first entity that stands alone, ``<table>_<entity>`` else."""
    return table if entity == profile.primary else f"{table}_{entity}"


#: The entity tables of a run stored before runs recorded theirs.
SHIPPED_ENTITIES = [["organisations", "out_organisations", "organisation"], ["contacts", "out_contacts", "contact"]]


def entity_tables(db) -> list[tuple[str, str, str]]:
    """(plural, output table, entity) of each entity of the run, in profile order."""
    return [tuple(row) for row in db.meta("entity_tables", SHIPPED_ENTITIES)]
