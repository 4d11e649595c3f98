"""The reference-list provider: an operator's trusted list (a regulator's register, say) proposes its values.

The list is read like any source (safety checks, header detection, mapping,
normalisation) and matched to the golden organisations with the resolution
machinery: the golden records and the list's records are scored together by
the same Splink model, and a list record linked to exactly one golden record
at or above the profile's match threshold proposes its values for that
record's empty or conflicting fields.
"""

from __future__ import annotations

import pandas as pd

from hotpass.enrich.base import EnrichContext, Proposal
from hotpass.resolve import resolve_frames
from hotpass.text import is_missing

#: Fields a reference list may propose (identity and lineage columns never).
SKIP = {"organisation_id", "source_id", "conflicts", "source_count", "source_rows", "record_keys"}
#: How much a match's probability is trusted as the proposal's confidence.
TRUST = 0.95


class ReferenceListProvider:
    """Values from the operator's reference list, for records it matches with confidence."""

    name = "reference_list"
    fields: tuple[str, ...] = ("*",)
    needs_network = False

    def propose(self, context: EnrichContext) -> list[Proposal]:
        reference = context.reference
        golden = context.organisations
        if reference is None or not len(reference) or not len(golden):
            return []
        links = _links(golden, reference, context)
        by_id = golden.set_index("organisation_id", drop=False)
        out = []
        for ref_key, (org_id, probability) in links.items():
            ref = reference.loc[reference["record_key"] == ref_key].iloc[0]
            out.extend(_proposals(by_id.loc[org_id], ref, probability, context.profile))
        return out


def _links(golden: pd.DataFrame, reference: pd.DataFrame, context: EnrichContext) -> dict[str, tuple[str, float]]:
    """Reference record key -> (organisation_id, probability) for list records matching one golden record."""
    as_records = golden.copy()
    as_records["record_key"] = "golden:" + as_records["organisation_id"].astype(str)
    as_records["record_id"] = [f"G{i:09d}" for i in range(len(as_records))]
    both = pd.concat([as_records, reference], ignore_index=True)
    pairs = resolve_frames(both, context.profile, model=context.extra.get("model")).pairs
    threshold = context.profile.resolution.match_threshold
    best: dict[str, list[tuple[str, float]]] = {}
    for a, b, p in zip(pairs["key_l"], pairs["key_r"], pairs["match_probability"]):
        if p < threshold or a.startswith("golden:") == b.startswith("golden:"):
            continue
        org, ref = (a, b) if a.startswith("golden:") else (b, a)
        best.setdefault(ref, []).append((org.removeprefix("golden:"), float(p)))
    return {ref: found[0] for ref, found in best.items() if len({o for o, _ in found}) == 1}


def _proposals(record: pd.Series, ref: pd.Series, probability: float, profile) -> list[Proposal]:
    conflicts = set() if is_missing(record.get("conflicts")) else {
        f.strip() for f in str(record["conflicts"]).split(",")}
    keys = tuple(str(record["record_keys"]).split("; "))
    where = f"{ref['source_file']} | {ref['source_sheet']} | row {ref['source_row']}"
    out = []
    for field in profile.organisation_fields:
        if field in SKIP or field not in ref.index or is_missing(ref[field]):
            continue
        current = record.get(field)
        value = str(ref[field])
        if not (is_missing(current) or (field in conflicts and str(current) != value)):
            continue
        out.append(Proposal("organisation", str(record["organisation_id"]), field,
                            None if is_missing(current) else str(current), value, "reference_list",
                            f"reference list {where} (matched with probability {probability:.2f})",
                            round(probability * TRUST, 3), keys))
    return out
