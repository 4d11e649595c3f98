"""Stage ``enrich``: approved values flow into the golden organisations; providers propose more.

Runs :func:`hotpass.enrich.enrich` on the golden tables: values people
approved earlier (kept in the workspace) fill their fields with provenance
``enrichment:<provider>``, then every enabled provider proposes values, which
wait for approval (or are approved automatically above the profile's
confidence). Reference lists named in the request are read, mapped,
normalised and keyed like any source, in a database of their own. Writes
``golden_organisation`` (with approved values), ``provenance`` and
``enrichment`` (every proposal with its status and outcome).
"""

from __future__ import annotations

import pandas as pd

from hotpass.enrich import enrich
from hotpass.mapping import CONTACT, ORG
from hotpass.profile import Profile
from hotpass.run import Request, Run
from hotpass.rundb import RunDB
from hotpass.stages import link, normalise, records, sources
from hotpass.stages.merge import golden_table

PROVENANCE_COLUMNS = ["record_kind", "record_id", "field", "value", "rule", "source_file", "source_sheet",
                      "source_row", "record_key"]


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
    orgs = db.frame(golden_table(ORG))
    contacts = db.frame(golden_table(CONTACT))
    every = db.frame("provenance")
    own = every[every["record_kind"] == ORG].rename(columns={"record_id": "organisation_id"})
    own = own[["organisation_id", "field", "value", "source_file", "source_sheet", "source_row", "record_key",
               "rule"]]
    reference = load_reference(run.request.references, profile)
    result = enrich(orgs, own, contacts, profile, run.workspace, run.run_id, reference, db.meta("model"),
                    sources=every)
    db.write(golden_table(ORG), result.records)
    applied = result.provenance.rename(columns={"organisation_id": "record_id"}).assign(record_kind=ORG)
    people = every[every["record_kind"] == CONTACT]
    both = pd.concat([applied[PROVENANCE_COLUMNS], people[PROVENANCE_COLUMNS]], ignore_index=True)
    both["source_row"] = both["source_row"].astype("Int64")
    db.write("provenance", both)
    db.write("enrichment", result.proposals)
    db.set_meta("enrichment_summary", result.summary())
    return result.proposed_now
