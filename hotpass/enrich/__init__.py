"""Enrichment: providers propose values for empty fields, people approve, approved values flow in.

``enrich`` is the pipeline stage. It first applies the proposals people
approved earlier (stored in the workspace), then asks every enabled provider
for proposals on the result, stores the new ones (rejected values are never
proposed again), applies those the profile auto-approves, and returns the
Enrichment table. Nothing pending changes any data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hotpass.enrich.apply import apply_approved
from hotpass.enrich.base import EnrichContext, Proposal, Provider
from hotpass.enrich.store import COLUMNS, ProposalStore

SHEET_COLUMNS = ["proposal_id", "status", "outcome", "record_kind", "record_id", "field", "current", "proposed",
                 "provider", "confidence", "evidence", "auto", "reviewer", "decided_at", "note"]

__all__ = ["EnrichContext", "Enrichment", "Proposal", "ProposalStore", "Provider", "enabled_providers", "enrich"]


@dataclass
class Enrichment:
    """What the enrich stage did: the golden records with approved values, and every proposal."""

    records: pd.DataFrame
    provenance: pd.DataFrame
    proposals: pd.DataFrame  # SHEET_COLUMNS
    proposed_now: int = 0
    filled: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict:
        """Counts for the report and the Summary sheet."""
        status = self.proposals["status"].value_counts() if len(self.proposals) else {}
        return {"proposed": self.proposed_now, "approved": int(status.get("approved", 0)),
                "rejected": int(status.get("rejected", 0)), "pending": int(status.get("pending", 0)),
                "filled": dict(sorted(self.filled.items()))}


def enabled_providers(profile) -> list[Provider]:
    """The providers the profile enables (network ones only when ``allow_network``)."""
    from hotpass.enrich.providers import offline_providers
    from hotpass.enrich.reference import ReferenceListProvider

    settings = profile.enrichment
    found = [p for p in [*offline_providers(profile), ReferenceListProvider()] if p.name in settings.providers]
    return [p for p in found if settings.allow_network or not p.needs_network]


def enrich(records: pd.DataFrame, provenance: pd.DataFrame, contacts: pd.DataFrame, profile, workspace=None,
           run_id: int | None = None, reference: pd.DataFrame | None = None,
           model: dict | None = None, sources: pd.DataFrame | None = None) -> Enrichment:
    """The enrich stage on golden organisations ``records`` (see the module docstring). ``reference``:
    an operator's reference list as organisation records; ``model``: the resolution model to match it;
    ``sources``: the field provenance of every golden record (record_kind, record_id, field, value,
    source_file, source_sheet, source_row), which providers cite as evidence."""
    store = ProposalStore(workspace) if workspace is not None else None
    earlier = store.frame(status="approved") if store else pd.DataFrame(columns=COLUMNS)
    records, provenance, outcome = apply_approved(records, provenance, earlier)
    context = EnrichContext(records, contacts, sources if sources is not None else provenance, profile,
                            reference, {"model": model})
    minimum = profile.enrichment.min_confidence
    made = [p for provider in enabled_providers(profile) for p in provider.propose(context) if p.confidence >= minimum]
    table = _stored(store, made, run_id, profile) if store else _in_memory(made, profile)
    fresh = table[(table["status"] == "approved") & ~table["proposal_id"].isin(list(outcome))]
    records, provenance, more = apply_approved(records, provenance, fresh)
    outcome.update(more)
    return Enrichment(records, provenance, _sheet(table, outcome), len(made), _filled(table, outcome))


def _stored(store: ProposalStore, made: list[Proposal], run_id, profile) -> pd.DataFrame:
    store.record(made, run_id, profile.enrichment.auto_approve)
    return store.frame()


def _in_memory(made: list[Proposal], profile) -> pd.DataFrame:
    """Without a workspace: this run's proposals, pending unless auto-approved."""
    auto = profile.enrichment.auto_approve
    rows = []
    for i, p in enumerate(made, start=1):
        approved = p.provider in auto and p.confidence >= auto[p.provider]
        rows.append({"proposal_id": i, "record_kind": p.record_kind, "record_id": p.record_id,
                     "record_keys": "; ".join(p.record_keys), "field": p.field, "current": p.current,
                     "proposed": p.proposed, "provider": p.provider, "evidence": p.evidence,
                     "confidence": p.confidence, "created_at": None, "run_id": None,
                     "status": "approved" if approved else "pending", "auto": approved,
                     "reviewer": "auto" if approved else None, "decided_at": None, "note": None})
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)


def _sheet(table: pd.DataFrame, outcome: dict[int, str]) -> pd.DataFrame:
    out = table.copy()
    out["outcome"] = pd.Series([outcome.get(int(i)) for i in out["proposal_id"]], index=out.index, dtype=object)
    return out[SHEET_COLUMNS].reset_index(drop=True)


def _filled(table: pd.DataFrame, outcome: dict[int, str]) -> dict[str, int]:
    applied = {i for i, o in outcome.items() if o == "applied"}
    counts: dict[str, int] = {}
    for pid, name in zip(table["proposal_id"], table["field"]):
        if int(pid) in applied:
            counts[name] = counts.get(name, 0) + 1
    return counts
