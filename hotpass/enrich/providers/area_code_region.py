"""``area_code_region``: an organisation's region from the area code of its landline.

An organisation without a region whose geographic numbers (``phone``,
``phone_other``; mobiles and other non-geographic numbers say nothing) all
fall in one region of the numbering plan gets that region. A code that
serves several regions (012: Gauteng and North West) proposes only when the
organisation's town, by the gazetteer, picks exactly one of them; a town
that the gazetteer places elsewhere refuses the proposal.
"""

from __future__ import annotations

from hotpass.enrich.base import Proposal
from hotpass.enrich.providers._common import Org, Sources
from hotpass.enrich.providers._regions import RegionProvider, Tables, landlines, town_match


class AreaCodeRegionProvider(RegionProvider):
    """Region from the area code of the organisation's landline(s)."""

    name = "area_code_region"

    def _for(self, org: Org, tables: Tables, sources: Sources) -> list[Proposal]:
        lines = landlines(org, tables, sources)
        if lines is None or not lines.regions:
            return []
        town = town_match(org, tables)
        in_towns = town.regions if town and town.places else None
        if lines.single():
            region = lines.single()
            if in_towns is not None and region not in in_towns:
                return []
            evidence, confidence = f"no region; {lines.evidence}", 0.8
            if in_towns is not None:
                evidence, confidence = f"{evidence}; {town.evidence(tables)} too", 0.85
        else:
            narrowed = lines.regions & in_towns if in_towns else frozenset()
            if len(narrowed) != 1:
                return []
            region = next(iter(narrowed))
            evidence = f"no region; {lines.evidence}; of those, {town.evidence(tables)}"
            confidence = 0.8
        return [org.proposal("region", region, self.name, evidence, confidence)]
