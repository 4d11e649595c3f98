"""Shape refined records into the deliverable's tables and write them.

Organisations and contacts are golden records; every output row traces
back to its source rows, and every golden field to the row and rule that
supplied it (the Provenance sheet).
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


def _organisations(golden, profile: Profile) -> pd.DataFrame:
    orgs = golden.records
    cols = _ordered(orgs, ["organisation_id"], list(profile.organisation_fields),
                    ["conflicts", "source_count", "source_rows", "record_keys"])
    return orgs[cols].reset_index(drop=True)


def _contacts(contacts: pd.DataFrame, golden, profile: Profile) -> pd.DataFrame:
    contacts = contacts.copy()
    names = dict(zip(golden.records["organisation_id"], golden.records["name"]))
    contacts.insert(2, "organisation_name", [names.get(o) for o in contacts["organisation_id"]])
    cols = _ordered(contacts, ["contact_id", "organisation_id", "organisation_name"], list(profile.contact_fields),
                    ["source_count", "source_rows", "record_keys"])
    return contacts[cols].reset_index(drop=True)


def _contact_ids(contacts: pd.DataFrame) -> dict[str, str]:
    return {key: cid for cid, keys in zip(contacts["contact_id"], contacts["record_keys"]) for key in keys.split("; ")}


def _source_map(records, golden_of: dict[str, str], contact_of: dict[str, str]) -> pd.DataFrame:
    orgs, contacts = records.organisations, records.contacts
    org_part = pd.DataFrame({
        "source_file": orgs["source_file"], "source_sheet": orgs["source_sheet"],
        "source_row": orgs["source_row"], "record_kind": "organisation",
        "organisation_id": [golden_of[r] for r in orgs["record_id"]], "contact_id": None,
    })
    contact_part = pd.DataFrame({
        "source_file": contacts["source_file"], "source_sheet": contacts["source_sheet"],
        "source_row": contacts["source_row"], "record_kind": "contact",
        "organisation_id": [golden_of.get(r) for r in contacts["org_record"]],
        "contact_id": [contact_of.get(k) for k in contacts["record_key"]],
    })
    frame = pd.concat([org_part, contact_part], ignore_index=True).astype({"source_row": "Int64"})
    return frame.sort_values(["source_file", "source_sheet", "source_row", "record_kind"], kind="stable",
                             ignore_index=True)


def _clusters(records, golden_of: dict[str, str], resolution, workspace) -> pd.DataFrame:
    """One row per organisation record: its cluster, best match and the people's say."""
    orgs = records.organisations
    best: dict[str, float] = {}
    pairs = resolution.pairs
    golden_of_keys = dict(zip(orgs["record_key"], [golden_of[r] for r in orgs["record_id"]]))
    for a, b, p in zip(pairs["key_l"], pairs["key_r"], pairs["match_probability"]):
        if golden_of_keys.get(a) == golden_of_keys.get(b):
            best[a], best[b] = max(best.get(a, 0.0), p), max(best.get(b, 0.0), p)
    decided = _decisions_by_key(workspace)
    sizes = pd.Series(list(golden_of_keys.values())).value_counts()
    frame = pd.DataFrame({
        "organisation_id": [golden_of_keys[k] for k in orgs["record_key"]],
        "cluster_size": [int(sizes[golden_of_keys[k]]) for k in orgs["record_key"]],
        "record_key": orgs["record_key"], "source_file": orgs["source_file"],
        "source_sheet": orgs["source_sheet"], "source_row": orgs["source_row"], "name": orgs["name"],
        "best_match_probability": [best.get(k) for k in orgs["record_key"]],
        "decision": [decided.get(k, (None, None))[0] for k in orgs["record_key"]],
        "reviewer": [decided.get(k, (None, None))[1] for k in orgs["record_key"]],
    })
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame.sort_values(["organisation_id", "source_file", "source_sheet", "source_row"], kind="stable",
                             ignore_index=True)


def _decisions_by_key(workspace) -> dict[str, tuple[str, str]]:
    if workspace is None:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for row in workspace.decisions().itertuples(index=False):
        for key in (row.record_key, row.other_key):
            if key:
                out[key] = (row.kind, row.reviewer)
    return out


REVIEW_FIELDS = ("name", "legal_suffix", "phone", "email", "website", "region", "town", "source_id")


def review_table(records, resolution) -> pd.DataFrame:
    """The review queue with both records' main fields and source rows side by side."""
    orgs = records.organisations.set_index("record_key")
    queue = resolution.review.copy()
    for side, key in (("l", "key_l"), ("r", "key_r")):
        rows = orgs.loc[queue[key]]
        queue[f"source_{side}"] = [f"{f} | {s} | row {r}" for f, s, r in
                                   zip(rows["source_file"], rows["source_sheet"], rows["source_row"])]
        for name in REVIEW_FIELDS:
            if name in rows:
                queue[f"{name}_{side}"] = rows[name].tolist()
    return queue.reset_index(drop=True)


def _provenance(golden, contact_provenance: pd.DataFrame) -> pd.DataFrame:
    orgs = golden.provenance.rename(columns={"organisation_id": "record_id"}).assign(record_kind="organisation")
    people = contact_provenance.rename(columns={"contact_id": "record_id"}).assign(record_kind="contact")
    frame = pd.concat([orgs, people], ignore_index=True)
    frame = frame[["record_kind", "record_id", "field", "value", "rule", "source_file", "source_sheet",
                   "source_row", "record_key"]]
    return frame.astype({"source_row": "Int64"})


#: Field shown for a record whose every field came from one source row by one rule.
EVERY_FIELD = "(every field)"


def provenance_sheet(provenance: pd.DataFrame) -> pd.DataFrame:
    """The workbook's Provenance: golden record, field, value, source row, rule.

    A record whose fields all came from one source row by one rule (most
    records built from a single row) is one row with field ``(every field)``;
    every other record lists each field. The CSV and Parquet outputs keep a
    row per field of every record.
    """
    if not len(provenance):
        return pd.DataFrame(columns=["record_id", "field", "value", "source", "rule"])
    where = (provenance["source_file"].astype("string") + " | "
             + provenance["source_sheet"].astype("string").fillna(""))
    row = " | row " + provenance["source_row"].astype("string")
    source = (where + row).fillna(where).astype(object)
    frame = pd.DataFrame({"record_id": provenance["record_id"], "field": provenance["field"],
                          "value": provenance["value"], "source": source, "rule": provenance["rule"]})
    record = pd.factorize(frame["record_id"])[0]
    source_code, sources = pd.factorize(frame["source"], use_na_sentinel=False)
    rule_code = pd.factorize(frame["rule"], use_na_sentinel=False)[0]
    origin = pd.Series(source_code.astype("int64") + rule_code.astype("int64") * (len(sources) + 1))
    by_record = origin.groupby(record)
    one = (by_record.transform("min") == by_record.transform("max")).to_numpy()
    first = ~pd.Series(record).duplicated().to_numpy()
    keep = ~one | first
    out = frame[keep].reset_index(drop=True)
    collapsed = one[keep]
    out.loc[collapsed, "field"] = EVERY_FIELD
    out.loc[collapsed, "value"] = None
    return out


def _summary(records, sheets, mappings, orgs, contacts, findings: pd.DataFrame, profile: Profile, resolution):
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
        ("Duplicate pairs merged automatically", int((resolution.pairs["band"] == "auto").sum())),
        ("Pairs waiting for review", len(resolution.review)),
        ("Organisation records merged into another", len(records.organisations) - len(orgs)),
        ("Contacts without an organisation", unlinked),
        ("Findings (info)", int(severities.get("info", 0))),
        ("Findings (warning)", int(severities.get("warning", 0))),
        ("Findings (error)", int(severities.get("error", 0))),
    ]


def _resolution_findings(records, resolution) -> None:
    """Decisions that contradict each other, and blocking rules left out to bound the pairs, are
    findings; training notes are not (they vary with the cache)."""
    from hotpass.resolve.resolver import SKIPPED_RULE

    for conflict in resolution.conflicts:
        records.findings.add("resolve.decision_conflict", conflict.message, "warning")
    for note in resolution.notes:
        if note.startswith(SKIPPED_RULE):
            records.findings.add("resolve.blocking_rule_skipped", note, "warning")


def build(records, sheets, mappings, profile: Profile, resolution, merged, workspace=None) -> Refined:
    """The deliverable's tables from records, their resolution and golden records."""
    golden, golden_of, contacts, contact_provenance = merged
    _resolution_findings(records, resolution)
    orgs = _organisations(golden, profile)
    people = _contacts(contacts, golden, profile)
    source_map = _source_map(records, golden_of, _contact_ids(people))
    findings = records.findings.to_frame()
    summary = _summary(records, sheets, mappings, orgs, people, findings, profile, resolution)
    refined = Refined(orgs, people, source_map, findings, summary, mappings)
    refined.clusters = _clusters(records, golden_of, resolution, workspace)
    refined.provenance = _provenance(golden, contact_provenance)
    refined.pairs, refined.review = resolution.pairs, review_table(records, resolution)
    refined.source_organisations, refined.source_contacts = records.organisations, records.contacts
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
    out["Organisations"].update({"source_count": "integer", "quality_score": "number"})
    out["Contacts"].update({"source_count": "integer", "quality_score": "number"})
    out["Enrichment"] = {"proposal_id": "integer", "confidence": "number", "decided_at": "datetime"}
    out["Quality"] = {"quality_score": "number", "completeness": "percent", "validity": "percent"}
    out["Validation"] = {"element_count": "integer", "unexpected_count": "integer",
                         "unexpected_percent": "number"}
    out["Clusters"] = {"source_row": "integer", "cluster_size": "integer", "best_match_probability": "number"}
    out["Provenance"] = {"source_row": "integer"}
    out["Review"] = {"match_probability": "number", "match_weight": "number"}
    return out


def _review_sheet(review: pd.DataFrame | None) -> pd.DataFrame | None:
    """Pending pairs side by side with the match weight of each comparison (why the machine hesitated)."""
    if review is None:
        return None
    sides = [c for c in review.columns if c.endswith(("_l", "_r")) and c not in ("key_l", "key_r")]
    weights = [c for c in review.columns if c.startswith("mw_")]
    return review[["key_l", "key_r", "match_probability", "match_weight", *sides, *weights]]


def validation_sheet(validation) -> pd.DataFrame | None:
    """Expectation results, failed first: result (passed/failed), gate (blocking or not), counts."""
    if validation is None:
        return None
    frame = validation.to_frame().copy()
    frame.insert(0, "result", ["passed" if ok else "failed" for ok in frame["success"]])
    frame.insert(1, "gate", ["blocking" if b else "" for b in frame["blocking"]])
    frame = frame.drop(columns=["success", "blocking", "expectation", "table"], errors="ignore")
    order = frame["result"].map({"failed": 0, "passed": 1}) * 2 + (frame["gate"] != "blocking")
    return frame.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def _number_kinds(frame: pd.DataFrame | None) -> dict[str, str]:
    return {} if frame is None else {c: "number" for c in frame.columns if c.startswith("mw_")}


def tables(refined: Refined, workbook: bool = False, cut: list | None = None) -> list:
    """The deliverable as export tables, in sheet order (Summary is written separately).

    For the ``workbook`` the Provenance sheet is compact (:func:`provenance_sheet`)
    and each table is cut at Excel's row limit (each cut is appended to ``cut``
    as a Summary line); CSV and Parquet get every row.
    """
    from hotpass.export import FAILED_RED, SCORE_SCALE, Table

    kinds = getattr(refined, "kinds", {})
    validation = validation_sheet(refined.validation)
    frames = [("Organisations", refined.organisations), ("Contacts", refined.contacts),
              ("Quality", refined.quality), ("Validation", validation), ("Enrichment", refined.enrichment),
              ("Clusters", refined.clusters), ("Review", _review_sheet(refined.review)),
              ("Provenance", provenance_sheet(refined.provenance) if workbook else refined.provenance),
              ("Source Map", refined.source_map), ("Findings", refined.findings)]
    frames = [(name, frame) for name, frame in frames if frame is not None]
    out = []
    for name, frame in frames:
        if workbook and len(frame) > EXCEL_MAX_ROWS:
            if cut is not None:
                cut.append((f"{name} sheet", f"first {EXCEL_MAX_ROWS:,} of {len(frame):,} rows; "
                                             "all are in the CSV/Parquet outputs"))
            frame = frame.head(EXCEL_MAX_ROWS)
        extra = _number_kinds(frame) if name == "Review" else {}
        rules = {"quality_score": SCORE_SCALE, "result": FAILED_RED}
        conditional = {column: rule for column, rule in rules.items() if column in frame}
        out.append(Table(name, frame, {**kinds.get(name, {}), **extra}, conditional=conditional))
    return out


def write_xlsx(refined: Refined, path: str | Path) -> Path:
    """The styled workbook: Organisations, Contacts, Quality, Validation, Clusters, Review, Provenance,
    Source Map, Findings, and Summary with the before/after scorecard."""
    from hotpass.export import write_workbook

    cut: list[tuple[str, str]] = []
    sheets = tables(refined, workbook=True, cut=cut)
    return write_workbook(path, sheets, summary=[*refined.summary, *cut], scorecard=refined.scorecard)


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
