"""Approved proposals flow into the golden records, with provenance ``enrichment:<provider>``.

An approved value fills its field only while the golden record still holds
what it held when the value was proposed (empty, usually): when a source has
since supplied a value, the source wins and the proposal is reported as
``superseded``. Pending and rejected proposals never touch data.
"""

from __future__ import annotations

import pandas as pd

from hotpass.text import is_missing

ID_COLUMN = {"organisation": "organisation_id", "contact": "contact_id"}


def apply_approved(records: pd.DataFrame, provenance: pd.DataFrame, approved: pd.DataFrame,
                   kind: str = "organisation") -> tuple[pd.DataFrame, pd.DataFrame, dict[int, str]]:
    """(records, provenance, outcome per proposal id: "applied" or "superseded"/"no record").

    ``approved`` has the proposal columns (record_keys "; "-joined, field,
    current, proposed, provider, proposal_id); ``records`` is a golden table
    with ``record_keys``.
    """
    mine = approved[approved["record_kind"] == kind] if len(approved) else approved
    if not len(mine):
        return records, provenance, {}
    records = records.copy()
    row_of = {key: i for i, keys in enumerate(records["record_keys"].tolist())
              for key in str(keys).split("; ")}
    id_column = ID_COLUMN[kind]
    outcome: dict[int, str] = {}
    added = []
    for p in mine.itertuples(index=False):
        row = next((row_of[k] for k in str(p.record_keys).split("; ") if k in row_of), None)
        if row is None or p.field not in records.columns:
            outcome[int(p.proposal_id)] = "no record"
            continue
        now = records.iat[row, records.columns.get_loc(p.field)]
        if not (is_missing(now) or (not is_missing(p.current) and str(now) == str(p.current))):
            outcome[int(p.proposal_id)] = "superseded" if str(now) != p.proposed else "applied"
            continue
        records.iat[row, records.columns.get_loc(p.field)] = p.proposed
        outcome[int(p.proposal_id)] = "applied"
        added.append({id_column: records.iat[row, records.columns.get_loc(id_column)], "field": p.field,
                      "value": p.proposed, "source_file": "enrichment", "source_sheet": p.provider,
                      "source_row": None, "record_key": None, "rule": f"enrichment:{p.provider}"})
    if added:
        fresh = pd.DataFrame(added, columns=list(provenance.columns) or list(added[0]), dtype=object)
        replaced = provenance[[id_column, "field"]].apply(tuple, axis=1).isin(
            {(a[id_column], a["field"]) for a in added}) if len(provenance) else None
        kept = provenance[~replaced] if replaced is not None else provenance
        provenance = pd.concat([kept, fresh], ignore_index=True)
    return records, provenance, outcome
