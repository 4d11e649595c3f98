"""Stage ``enrich``: approved values flow into the golden organisations; providers propose more.

Runs :func:`hotpass.enrich.enrich` on the golden tables: values people
approved earlier (kept in the workspace) fill their fields with provenance
``enrichment:<provider>``, then every enabled provider proposes values, which
wait for approval (or are approved automatically above the profile's
confidence). Reference lists named in the request are read, mapped,
normalised and keyed like any source, in a database of their own. Only the
applied values are written back: ``golden_organisation`` cells, their
``provenance`` rows, and ``enrichment`` (every proposal with its status).
"""

from __future__ import annotations

import pandas as pd

from hotpass.enrich import SHEET_COLUMNS, enrich
from hotpass.enrich.providers._common import CITED
from hotpass.profile import Profile
from hotpass.run import Request, Run
from hotpass.rundb import RunDB, literal, quote
from hotpass.stages import link, normalise, records, sources
from hotpass.stages.names import CONTACT, ORG, golden_table, layout

PROVENANCE_COLUMNS = ["record_kind", "record_id", "field", "value", "rule", "source_file", "source_sheet",
                      "source_row", "record_key"]
APPLIED = ["organisation_id", "field", "value", "source_file", "source_sheet", "source_row", "record_key",
           "rule"]


def load_reference(paths, profile: Profile) -> pd.DataFrame | None:
    """The organisation records of reference files, read, mapped, normalised and keyed like any source."""
    if not paths:
        return None
    with RunDB() as db:
        sub = Run(db, Request.for_paths(list(paths)))
        for stage in (sources.ingest, sources.map_columns, records.build, normalise.run, link.link, link.keys):
            stage(sub, profile)
        return db.frame(normalise.records_table(ORG))


def run(run: Run, profile: Profile) -> int:
    """Stage ``enrich`` (see the module docstring); returns the number of proposals made this run."""
    db = run.db
    lay = layout(profile)
    if not lay.organisation:  # providers propose organisations' fields only
        db.write("enrichment", pd.DataFrame(columns=SHEET_COLUMNS, dtype=object))
        return 0
    orgs = db.frame(golden_table(ORG))
    contacts = db.frame(golden_table(CONTACT)) if lay.contact else pd.DataFrame(columns=["organisation_id"])
    cited = ", ".join(literal(f) for f in CITED)
    evidence = db.frame("SELECT record_kind, record_id, field, value, source_file, source_sheet, source_row "
                        f"FROM provenance WHERE field IN ({cited})")
    reference = load_reference(run.request.references, profile)
    result = enrich(orgs, pd.DataFrame(columns=APPLIED), contacts, profile, run.workspace, run.run_id, reference,
                    db.meta("model"), sources=evidence)
    _apply(db, result.provenance)
    db.write("enrichment", result.proposals)
    db.set_meta("enrichment_summary", result.summary())
    return result.proposed_now


def _apply(db: RunDB, applied: pd.DataFrame) -> None:
    """Write the applied values into the golden organisations and their provenance."""
    if not len(applied):
        return
    frame = applied[APPLIED].rename(columns={"organisation_id": "record_id"}).assign(record_kind=ORG)
    frame["source_row"] = frame["source_row"].astype("Int64")
    db.write("_applied", frame[PROVENANCE_COLUMNS])
    for field in frame["field"].unique():
        db.execute(f"UPDATE {golden_table(ORG)} g SET {quote(field)} = a.value FROM _applied a "
                   f"WHERE a.field = {literal(field)} AND a.record_id = g.organisation_id")
    columns = ", ".join(PROVENANCE_COLUMNS)
    db.create("provenance", f"""
        SELECT {columns} FROM (
            SELECT {columns}, 0 AS part, rowid AS pos FROM provenance p
            WHERE record_kind <> {literal(ORG)} OR NOT EXISTS (
                SELECT 1 FROM _applied a WHERE a.record_id = p.record_id AND a.field = p.field)
            UNION ALL
            SELECT {columns}, 1, rowid FROM _applied)
        ORDER BY CASE WHEN record_kind = {literal(ORG)} THEN part ELSE 2 END, pos""")
    db.drop("_applied")
