"""The offline enrichment providers: each reads the golden records and proposes, never changes.

``email_domain``
    website and domain from the organisation's own email addresses; domain from its website.
``contact_details``
    the organisation's email and landline from its contacts.
``area_code_region``
    region from the area code of the organisation's landline (``profiles/za/area_codes.csv``).
``town_region``
    region from the organisation's town (``profiles/za/towns.csv``).

The tables are those the profile names (``enrichment.area_codes``,
``enrichment.gazetteer``), else the shipped South African ones.
"""

from __future__ import annotations

from hotpass.enrich.base import Provider
from hotpass.enrich.providers._common import table_path
from hotpass.enrich.providers.area_code_region import AreaCodeRegionProvider
from hotpass.enrich.providers.contact_details import ContactDetailsProvider
from hotpass.enrich.providers.email_domain import EmailDomainProvider
from hotpass.enrich.providers.town_region import TownRegionProvider
from hotpass.enrich.tables import AREA_CODES, TOWNS

OFFLINE_PROVIDERS: dict[str, type] = {
    EmailDomainProvider.name: EmailDomainProvider,
    ContactDetailsProvider.name: ContactDetailsProvider,
    AreaCodeRegionProvider.name: AreaCodeRegionProvider,
    TownRegionProvider.name: TownRegionProvider,
}

__all__ = ["OFFLINE_PROVIDERS", "AreaCodeRegionProvider", "ContactDetailsProvider",
           "EmailDomainProvider", "TownRegionProvider", "offline_providers"]


def offline_providers(profile) -> list[Provider]:
    """Every offline provider, reading the tables ``profile`` names (the shipped ones by default).

    The tables are read, and checked against the profile's regions, when a
    provider first proposes: a bad table raises ProfileError then.
    """
    codes = table_path(profile, "area_codes", AREA_CODES)
    towns = table_path(profile, "gazetteer", TOWNS)
    return [EmailDomainProvider(), ContactDetailsProvider(codes),
            AreaCodeRegionProvider(area_codes=codes, towns=towns),
            TownRegionProvider(area_codes=codes, towns=towns)]
