"""Shape refined records into the deliverable's tables and write them.

Until duplicate resolution lands, every organisation record is its own
output organisation. Every output row traces back to its source rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hotpass.pipeline import Refined
from hotpass.profile import Profile
from hotpass.text import is_missing

EXCEL_MAX_ROWS = 1_048_575  # data rows below the header
CELL_KINDS = {"website": "url", "email": "email", "date": "date"}


def _ordered(frame: pd.DataFrame, first: list[str], fields: list[str], last: list[str]) -> list[str]:
    """Columns: ids, each field followed by its ``_other``, then extras, then provenance."""
    cols = [c for c in first if c in frame]
    for name in fields:
        cols += [c for c in (name, f"{name}_other") if c in frame]
    tail = [c for c in last if c in frame]
    middle = [c for c in frame.columns if c not in cols and c not in tail and not c.startswith("_")]
    return cols + middle + tail


def _source_ref(frame: pd.DataFrame) -> list[str]:
    return [f"{f} | {s} | row {r}" for f, s, r in zip(frame["source_file"], frame["source_sheet"], frame["source_row"])]


def _organisations(records, profile: Profile) -> pd.DataFrame:
    orgs = records.organisations.copy()
    orgs.insert(0, "organisation_id", [f"ORG-{i:06d}" for i in range(1, len(orgs) + 1)])
    orgs["source_rows"] = _source_ref(orgs)
    orgs["source_count"] = 1
    hidden = {"record_id", "source_sha256", "source_file", "source_sheet", "source_row"}
    cols = _ordered(orgs, ["organisation_id"], list(profile.organisation_fields),
                    ["source_count", "source_rows", "record_key"])
    return orgs[[c for c in cols if c not in hidden]].reset_index(drop=True)


def _contacts(records, org_ids: dict[str, str], org_names: dict[str, str], profile: Profile) -> pd.DataFrame:
    contacts = records.contacts.copy()
    contacts.insert(0, "contact_id", [f"CON-{i:06d}" for i in range(1, len(contacts) + 1)])
    contacts.insert(1, "organisation_id", [org_ids.get(r) for r in contacts["org_record"]])
    contacts.insert(2, "organisation_name", [org_names.get(r) for r in contacts["org_record"]])
    contacts["source_rows"] = _source_ref(contacts)
    hidden = {"record_id", "org_record", "source_sha256", "source_file", "source_sheet", "source_row"}
    cols = _ordered(contacts, ["contact_id", "organisation_id", "organisation_name"],
                    list(profile.contact_fields), ["source_rows", "record_key"])
    return contacts[[c for c in cols if c not in hidden]].reset_index(drop=True)


def _source_map(records, org_ids: dict[str, str], contact_ids: list[str]) -> pd.DataFrame:
    orgs, contacts = records.organisations, records.contacts
    org_part = pd.DataFrame({
        "source_file": orgs["source_file"], "source_sheet": orgs["source_sheet"],
        "source_row": orgs["source_row"], "record_kind": "organisation",
        "organisation_id": [org_ids[r] for r in orgs["record_id"]], "contact_id": None,
    })
    contact_part = pd.DataFrame({
        "source_file": contacts["source_file"], "source_sheet": contacts["source_sheet"],
        "source_row": contacts["source_row"], "record_kind": "contact",
        "organisation_id": [org_ids.get(r) for r in contacts["org_record"]], "contact_id": contact_ids,
    })
    frame = pd.concat([org_part, contact_part], ignore_index=True).astype({"source_row": "Int64"})
    return frame.sort_values(["source_file", "source_sheet", "source_row", "record_kind"], kind="stable",
                             ignore_index=True)


def _summary(records, sheets, mappings, orgs, contacts, findings: pd.DataFrame, profile: Profile):
    severities = findings["severity"].value_counts() if len(findings) else {}
    roles = pd.Series([m.role for m in mappings]).value_counts() if mappings else {}
    unlinked = int(sum(is_missing(v) for v in contacts["organisation_id"])) if len(contacts) else 0
    return [
        ("Profile", profile.name),
        ("Files read", len({s.file for s in sheets})),
        ("Sheets read", len(sheets)),
        ("Organisation sheets", int(roles.get("organisation", 0))),
        ("Contact sheets", int(roles.get("contact", 0))),
        ("Mixed sheets", int(roles.get("mixed", 0))),
        ("Source rows", int(sum(len(s.frame) for s in sheets))),
        ("Organisation records", len(records.organisations)),
        ("Contact records", len(records.contacts)),
        ("Output organisations", len(orgs)),
        ("Output contacts", len(contacts)),
        ("Contacts without an organisation", unlinked),
        ("Findings (info)", int(severities.get("info", 0))),
        ("Findings (warning)", int(severities.get("warning", 0))),
        ("Findings (error)", int(severities.get("error", 0))),
    ]


def build(records, sheets, mappings, profile: Profile) -> Refined:
    """The deliverable's tables from linked, normalised records."""
    orgs = _organisations(records, profile)
    org_ids = dict(zip(records.organisations["record_id"], orgs["organisation_id"]))
    org_names = dict(zip(records.organisations["record_id"], orgs["name"]))
    contacts = _contacts(records, org_ids, org_names, profile)
    source_map = _source_map(records, org_ids, contacts["contact_id"].tolist())
    findings = records.findings.to_frame()
    summary = _summary(records, sheets, mappings, orgs, contacts, findings, profile)
    refined = Refined(orgs, contacts, source_map, findings, summary, mappings)
    refined.kinds = _cell_kinds(profile)
    return refined


def _cell_kinds(profile: Profile) -> dict[str, dict[str, str]]:
    out = {}
    for table, kind in (("Organisations", "organisation"), ("Contacts", "contact")):
        out[table] = {}
        for name, spec in profile.fields(kind).items():
            if spec.kind in CELL_KINDS:
                out[table][name] = CELL_KINDS[spec.kind]
    out["Source Map"] = {"source_row": "integer"}
    out["Findings"] = {"row": "integer"}
    out["Organisations"]["source_count"] = "integer"
    return out


def tables(refined: Refined, limit_rows: bool = False) -> list:
    """The deliverable as export tables, in sheet order (Summary is written separately)."""
    from hotpass.export import Table

    kinds = getattr(refined, "kinds", {})
    frames = [("Organisations", refined.organisations), ("Contacts", refined.contacts),
              ("Source Map", refined.source_map), ("Findings", refined.findings)]
    out = []
    for name, frame in frames:
        if limit_rows and len(frame) > EXCEL_MAX_ROWS:
            frame = frame.head(EXCEL_MAX_ROWS)
        out.append(Table(name, frame, kinds.get(name, {})))
    return out


def write_xlsx(refined: Refined, path: str | Path) -> Path:
    """The styled workbook: Organisations, Contacts, Source Map, Findings, Summary."""
    from hotpass.export import write_workbook

    summary = list(refined.summary)
    if len(refined.findings) > EXCEL_MAX_ROWS:
        summary.append(("Findings sheet", f"first {EXCEL_MAX_ROWS:,} of {len(refined.findings):,}; "
                                          "all are in the CSV/Parquet outputs"))
    return write_workbook(path, tables(refined, limit_rows=True), summary=summary)


def write_csv(refined: Refined, directory: str | Path) -> list[Path]:
    """One CSV file per table."""
    from hotpass.export import write_csv as _write

    Path(directory).mkdir(parents=True, exist_ok=True)
    return _write(directory, tables(refined))


def write_parquet(refined: Refined, directory: str | Path) -> list[Path]:
    """One Parquet file per table."""
    from hotpass.export import write_parquet as _write

    Path(directory).mkdir(parents=True, exist_ok=True)
    return _write(directory, tables(refined))
