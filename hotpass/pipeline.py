"""Run the refinement stages in order, reporting progress.

``refine`` is the whole job; the stage functions it calls can be run alone
(the workbench runs ``read_sources`` and ``map_sources`` on upload, then
``refine_sheets`` when the operator presses Run).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hotpass.findings import Findings
from hotpass.mapping import SheetMapping, find_saved, map_sheet
from hotpass.profile import Profile
from hotpass.text import fold

Progress = Callable[[str, float, str], None]
STAGES = ("ingest", "map", "records", "normalise", "link", "keys", "resolve", "merge", "outputs", "export")


def _quiet(stage: str, fraction: float, message: str) -> None:
    """The default progress callback: says nothing."""


@dataclass
class Refined:
    """The refined tables, before they are written anywhere."""

    organisations: pd.DataFrame
    contacts: pd.DataFrame
    source_map: pd.DataFrame
    findings: pd.DataFrame
    summary: list[tuple[str, object]]
    mappings: list[SheetMapping] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    kinds: dict[str, dict[str, str]] = field(default_factory=dict)
    clusters: pd.DataFrame | None = None
    provenance: pd.DataFrame | None = None
    pairs: pd.DataFrame | None = None
    review: pd.DataFrame | None = None
    source_organisations: pd.DataFrame | None = None
    source_contacts: pd.DataFrame | None = None
    run_id: int | None = None
    quality: pd.DataFrame | None = None  # per-record scores and flags (the Quality sheet)
    validation: object | None = None  # hotpass.validate.Validation
    scorecard: pd.DataFrame | None = None  # before/after: measure, raw, refined, unit
    gate: dict = field(default_factory=dict)  # blocked_by, override
    published: bool = False
    files: list[str] = field(default_factory=list)
    enrichment: pd.DataFrame | None = None  # every proposal with its status (the Enrichment sheet)
    enrichment_summary: dict | None = None

    def snapshot(self) -> dict[str, pd.DataFrame]:
        """The tables a workspace keeps for this run."""
        tables = {"organisations": self.organisations, "contacts": self.contacts, "findings": self.findings}
        if self.validation is not None:
            tables["validation"] = self.validation.results
        for name in ("source_organisations", "source_contacts", "clusters", "provenance", "pairs", "review",
                     "quality", "scorecard", "enrichment"):
            if getattr(self, name) is not None:
                tables[name] = getattr(self, name)
        return {name: frame.astype(object).where(frame.notna(), None) for name, frame in tables.items()}


class _Clock:
    """Times stages and forwards progress."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.timings: dict[str, float] = {}

    def run(self, stage: str, message: str, func, *args, **kwargs):
        from hotpass import telemetry

        self.progress(stage, 0.0, message)
        start = time.perf_counter()
        with telemetry.span(f"stage.{stage}", stage=stage) as current:
            result = func(*args, **kwargs)
            self.timings[stage] = round(time.perf_counter() - start, 3)
            current.set_attribute("hotpass.seconds", self.timings[stage])
            items = telemetry.count(result)
            if items is not None:
                current.set_attribute("hotpass.items", items)
        self.progress(stage, 1.0, f"{message} done in {self.timings[stage]:.1f} s")
        return result


def known_headers(profile: Profile) -> set[str]:
    """Every folded synonym in the profile: helps find the header row."""
    out = set()
    for kind in ("organisation", "contact"):
        for name, spec in profile.fields(kind).items():
            out.update(fold(s) for s in [name, spec.label, *spec.synonyms] if fold(s))
    return out


def read_sources(paths: Sequence[str | Path], profile: Profile, names: Sequence[str] | None = None):
    """Read every file; the first unreadable one raises ``InputFileError``."""
    from hotpass.ingest import read_workbook

    headers = known_headers(profile)
    names = names or [None] * len(paths)
    return [read_workbook(p, profile.ingest, known_headers=headers, display_name=n) for p, n in zip(paths, names)]


def map_sources(workbooks, profile: Profile, saved: list[SheetMapping] | None = None):
    """Map every sheet of every workbook; returns (sheets, mappings) in source order."""
    sheets = [sheet for wb in workbooks for sheet in wb.sheets]
    mappings = [
        map_sheet(sheet, profile, find_saved(saved, sheet.file, sheet.sheet) if saved else None)
        for sheet in sheets
    ]
    return sheets, mappings


def _kinds(profile: Profile, kind: str, frame: pd.DataFrame) -> dict[str, str]:
    """Column -> field kind; contact details left on organisations keep their contact kind."""
    from hotpass.records import UNASSIGNED

    kinds = {name: spec.kind for name, spec in profile.fields(kind).items() if name in frame.columns}
    for column in frame.columns:
        name = column[len(UNASSIGNED):] if column.startswith(UNASSIGNED) else None
        if name in profile.contact_fields:
            kinds[column] = profile.contact_fields[name].kind
    return kinds


def normalise_records(records, profile: Profile) -> None:
    """Normalise both record frames in place, adding findings; derive domains from websites."""
    from hotpass.normalise import Normaliser, normalise_frame, organisation_domain
    from hotpass.normalise.frame import distinct_values
    from hotpass.normalise.parallel import read_all
    from hotpass.records import fill_full_names

    ctx = Normaliser.from_profile(profile)
    org_kinds = _kinds(profile, "organisation", records.organisations)
    contact_kinds = _kinds(profile, "contact", records.contacts)
    pairs = list(dict.fromkeys(distinct_values(records.organisations, org_kinds)
                               + distinct_values(records.contacts, contact_kinds)))
    cache = read_all(ctx, pairs)  # each distinct value once, on every core when there are many
    orgs, found = normalise_frame(records.organisations, org_kinds, ctx, cache)
    records.findings.extend(found)
    contacts, found = normalise_frame(records.contacts, contact_kinds, ctx, cache)
    records.findings.extend(found)
    fill_full_names(contacts)
    if "country" in orgs:
        orgs["country"] = orgs["country"].where(orgs["country"].notna(), profile.country)
    if "website" in orgs and "domain" in orgs:
        derived = [organisation_domain(w, profile.social_domains) if isinstance(w, str) else None
                   for w in orgs["website"]]
        orgs["domain"] = orgs["domain"].where(orgs["domain"].notna(), pd.Series(derived, index=orgs.index, dtype=object))
    records.organisations, records.contacts = orgs, contacts


def assign_keys(records, profile: Profile) -> None:
    """Give every record its stable key."""
    from hotpass.keys import record_keys

    orgs, contacts = records.organisations, records.contacts
    orgs["record_key"] = record_keys(orgs, list(profile.organisation_fields), "org:")
    contacts["record_key"] = record_keys(contacts, list(profile.contact_fields), "contact:")


def resolve_records(records, profile: Profile, workspace=None, retrain: bool = False, progress: Progress = _quiet):
    """Find duplicate organisations with Splink, honouring the workspace's decisions and cached model."""
    from hotpass.resolve import ScoreCache, load_model, resolve, save_model

    constraints = workspace.constraints() if workspace is not None else None
    model = load_model(workspace.directory, profile) if workspace is not None and not retrain else None
    scores = ScoreCache(workspace.directory, profile) if workspace is not None else None
    resolution = resolve(records.organisations, profile, constraints, model, retrain, progress,
                         contacts=records.contacts, scores=scores)
    if workspace is not None and resolution.trained:
        save_model(workspace.directory, profile, resolution.model)
    return resolution


def merge_records(records, resolution, profile: Profile):
    """Golden organisations and contacts with field-level provenance."""
    from hotpass.contacts import merge_contacts
    from hotpass.merge import golden_id, merge_organisations

    golden = merge_organisations(records.organisations, resolution.clusters, profile)
    keys = dict(zip(records.organisations["record_id"], records.organisations["record_key"]))
    cluster_of = dict(zip(resolution.clusters["record_key"], resolution.clusters["cluster_id"]))
    golden_of = {rid: golden_id(cluster_of.get(key, key)) for rid, key in keys.items()}
    contacts, contact_provenance = merge_contacts(records.contacts, golden_of, profile)
    return golden, golden_of, contacts, contact_provenance


def enrich_records(merged, profile: Profile, workspace=None, run_id: int | None = None,
                   reference: pd.DataFrame | None = None, model: dict | None = None):
    """Apply approved enrichments to the golden organisations and collect new proposals (in place)."""
    from hotpass.enrich import enrich

    golden, _golden_of, contacts, _contact_provenance = merged
    result = enrich(golden.records, golden.provenance, contacts, profile, workspace, run_id, reference, model)
    golden.records, golden.provenance = result.records, result.provenance
    return result


def prepare_records(sheets, mappings: list[SheetMapping], profile: Profile,
                    ingest_findings: Findings | None = None, clock: _Clock | None = None):
    """Records from mapped sheets, normalised, linked and keyed: what resolution starts from."""
    from hotpass.records import build_records, link_contacts

    clock = clock or _Clock(_quiet)
    from hotpass.assess import raw_measures

    records = clock.run("records", "Building records", build_records, sheets, mappings, profile)
    if ingest_findings is not None:
        records.findings.extend(ingest_findings)
    records.raw_measures = clock.run("measure", "Measuring the raw input", raw_measures, records, profile)
    clock.run("normalise", "Normalising values", normalise_records, records, profile)
    clock.run("link", "Linking contacts to organisations", link_contacts, records, profile)
    clock.run("keys", "Assigning stable record keys", assign_keys, records, profile)
    return records


def refine_sheets(sheets, mappings: list[SheetMapping], profile: Profile, progress: Progress = _quiet,
                  ingest_findings: Findings | None = None, workspace=None, retrain: bool = False,
                  run_id: int | None = None, reference: pd.DataFrame | None = None) -> Refined:
    """Everything after mapping: records, normalisation, links, resolution, golden records, tables,
    then quality scores and validation."""
    from hotpass import outputs
    from hotpass.assess import assess

    clock = _Clock(progress)
    records = prepare_records(sheets, mappings, profile, ingest_findings, clock)
    resolution = clock.run("resolve", "Finding duplicate organisations", resolve_records, records, profile,
                           workspace, retrain, progress)
    merged = clock.run("merge", "Building golden records", merge_records, records, resolution, profile)
    enrichment = clock.run("enrich", "Proposing enrichments", enrich_records, merged, profile, workspace,
                           run_id, reference, resolution.model)
    refined = clock.run("outputs", "Building output tables", outputs.build, records, sheets, mappings, profile,
                        resolution, merged, workspace)
    refined.enrichment = enrichment.proposals
    refined.enrichment_summary = enrichment.summary()
    clock.run("validate", "Scoring quality and validating", assess, refined, profile, records.raw_measures)
    refined.timings.update(clock.timings)
    return refined


def refine(paths: Sequence[str | Path], profile: Profile, output: str | Path | None = None,
           csv_dir: str | Path | None = None, parquet_dir: str | Path | None = None,
           saved: list[SheetMapping] | None = None, progress: Progress = _quiet,
           workspace=None, retrain: bool = False, username: str | None = None,
           report_dir: str | Path | None = None, override: str | None = None,
           reference: pd.DataFrame | None = None) -> Refined:
    """Read, map, refine, validate and (when asked) write the deliverables and the quality report.

    With a ``workspace`` (a :class:`hotpass.workspace.Workspace`) the run is
    recorded, people's decisions are honoured, the trained model is cached and
    the run's tables are stored. When a blocking expectation fails the
    deliverables are not written (the report is, saying why) and
    :class:`~hotpass.errors.PublishBlocked` is raised, unless ``override``
    gives a reason, which is audited.
    """
    from hotpass import telemetry
    from hotpass.errors import PublishBlocked

    with telemetry.span("refine", files=len(paths), profile=profile.name) as root:
        try:
            refined = _refine(paths, profile, output, csv_dir, parquet_dir, saved, progress, workspace, retrain,
                              username, report_dir, override, reference)
        except PublishBlocked:
            root.set_attribute("hotpass.published", False)
            raise
        counts = {"run_id": refined.run_id, "organisations": len(refined.organisations),
                  "contacts": len(refined.contacts), "findings": len(refined.findings),
                  "published": refined.published}
        for key, value in counts.items():
            if value is not None:
                root.set_attribute(f"hotpass.{key}", value)
        decisions = len(workspace.decisions()) if workspace is not None else 0
        telemetry.record_run(dict(refined.summary), refined.published, decisions)
    return refined


def _refine(paths, profile, output, csv_dir, parquet_dir, saved, progress, workspace, retrain, username,
            report_dir, override, reference) -> Refined:
    """The body of :func:`refine`, inside its span: read and map here, then the rest as the
    workbench's Run does (:func:`hotpass.session.refine_read`), writing the deliverables when published."""
    from hotpass.session import refine_read

    clock = _Clock(progress)
    run_id = workspace.start_run(profile.name, [Path(p).name for p in paths], username) if workspace else None
    try:
        workbooks = clock.run("ingest", f"Reading {len(paths)} file(s)", read_sources, paths, profile)
        _sheets, mappings = clock.run("map", "Mapping columns", map_sources, workbooks, profile, saved)
    except BaseException:
        if workspace is not None:
            workspace.finish_run(run_id, "failed", username=username)
        raise
    return refine_read(workbooks, mappings, profile, workspace=workspace, username=username, progress=progress,
                       report_dir=report_dir, override=override, retrain=retrain, reference=reference,
                       run_id=run_id, clock=clock, raise_blocked=True,
                       deliver=lambda refined: write_outputs(refined, output, csv_dir, parquet_dir, clock))


def write_report(refined: Refined, profile: Profile, directory=None, clock: _Clock | None = None):
    """Write the quality report (HTML, Markdown, JSON) into ``directory``, when given."""
    if not directory:
        return refined
    from hotpass.report import write_report as write
    from hotpass.report.build import build_report

    clock = clock or _Clock(_quiet)
    paths = clock.run("report", "Writing the quality report", lambda: write(build_report(refined, profile),
                                                                             directory))
    refined.outputs.update({f"report_{kind}": path for kind, path in paths.items()})
    return refined


def mapping_findings(mapping: SheetMapping, profile: Profile) -> Findings:
    """Report unmapped and uncertain columns of one sheet."""
    found = Findings()
    where = {"file": mapping.file, "sheet": mapping.sheet}
    for col in mapping.columns:
        if col.target is None:
            found.add("mapping.unmapped_column", "kept as an extra column", "warning", column=col.source, **where)
        elif col.confidence < profile.mapping.confident_score:
            found.add("mapping.low_confidence", f"mapped to {col.target} by {col.method} "
                      f"with confidence {col.confidence:.0f}", "warning", column=col.source, **where)
    found.add("mapping.sheet_role", f"role {mapping.role} ({mapping.role_method})", "info", **where)
    return found


def write_outputs(refined: Refined, output=None, csv_dir=None, parquet_dir=None, clock: _Clock | None = None):
    """Write the workbook, CSV and Parquet files that were asked for."""
    from hotpass import outputs

    clock = clock or _Clock(_quiet)
    if output:
        refined.outputs["workbook"] = clock.run("export", "Writing the workbook", outputs.write_xlsx, refined, output)
    if csv_dir:
        refined.outputs["csv"] = Path(csv_dir)
        clock.run("export_csv", "Writing CSV files", outputs.write_csv, refined, csv_dir)
    if parquet_dir:
        refined.outputs["parquet"] = Path(parquet_dir)
        clock.run("export_parquet", "Writing Parquet files", outputs.write_parquet, refined, parquet_dir)
    return refined
