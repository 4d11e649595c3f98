"""``town_region``: an organisation's region from its town, by the gazetteer.

An organisation without a region whose town (compared after folding case,
accents and punctuation; trailing words such as "Airport" or "North" are
tried without) names places in one region only gets that region, with less
confidence when its landline's area code says otherwise. A town in several
regions (Middelburg, Heidelberg, Virginia) proposes only when the area code
of the organisation's landline picks exactly one of them.
"""

from __future__ import annotations

from hotpass.enrich.base import Proposal
from hotpass.enrich.providers._common import Org, Sources
from hotpass.enrich.providers._regions import RegionProvider, Tables, landlines, town_match


class TownRegionProvider(RegionProvider):
    """Region from the organisation's town."""

    name = "town_region"

    def _for(self, org: Org, tables: Tables, sources: Sources) -> list[Proposal]:
        town = town_match(org, tables)
        if town is None or not town.places:
            return []
        cite = sources.cite("organisation", org.id, "town", org.get("town"))
        evidence = f"no region; {town.evidence(tables, cite)}"
        lines = landlines(org, tables, sources)
        region = town.single()
        if region and lines is not None and region not in lines.regions:
            evidence, confidence = f"{evidence}; but {lines.evidence}", 0.6
        elif region:
            confidence = 0.9
        else:
            narrowed = town.regions & lines.regions if lines is not None else frozenset()
            if len(narrowed) != 1:
                return []
            region, evidence = next(iter(narrowed)), f"{evidence}; of those, {lines.evidence}"
            confidence = 0.8
        return [org.proposal("region", region, self.name, evidence, confidence)]
