"""The refinement, as one list of stages over one DuckDB database per run.

Read ``STAGES`` top to bottom and you have the pipeline. Each stage is a
function of (run, profile) that reads named tables of ``run.db`` and writes
named tables (see each stage's module), so any stage can be run again from
its inputs: :func:`execute` takes where to start and where to stop.

With a workspace, a run is a folder ``runs/<id>/`` holding ``run.duckdb``
and ``outputs/``; progress goes to the workspace's ``run_stages`` table,
which other processes read while the run goes on. Without one, the database
lives in memory.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from hotpass import checkpoints, telemetry
from hotpass.errors import PublishBlocked
from hotpass.export import staging
from hotpass.mapping import SheetMapping
from hotpass.profile import Profile
from hotpass.result import RUN_FILE, RunResult
from hotpass.run import Progress, Request, Run, quiet
from hotpass.rundb import RunDB
from hotpass.stages import (
    changes,
    corrections,
    deliver,
    enrich,
    link,
    measure,
    merge,
    normalise,
    records,
    resolve,
    sources,
    suppress,
    tables,
)
from hotpass.stages import validate as validation

Stage = Callable[[Run, Profile], int]

STAGES: list[tuple[str, Stage]] = [
    ("ingest", sources.ingest),  # files -> sheets, sheet_<id>
    ("map", sources.map_columns),  # -> column_map, sheet_roles
    ("screen", suppress.screen),  # columns outside each file's purpose, suppressed people's rows -> meta privacy
    ("records", records.build),  # -> organisation_raw, contact_raw
    ("measure", measure.raw),  # -> raw_measures
    ("normalise", normalise.run),  # -> norm_values, organisation_records, contact_records
    ("link", link.link),  # contact_records.org_record
    ("keys", link.keys),  # *.record_key
    ("suppress", suppress.run),  # suppressed people out of the person record tables
    ("basis", suppress.fill_basis),  # person records: lawful_basis, consent, marketing, opt_out
    ("resolve", resolve.run),  # -> decisions, match_features, pairs, clusters, review_queue
    ("merge", merge.run),  # -> golden_organisation, golden_contact, provenance, conflicts, member_of
    ("consent", suppress.golden_opt_out),  # a golden person with an opted-out record has opted out
    ("enrich", enrich.run),  # -> golden_organisation (approved values), provenance, enrichment
    ("corrections", corrections.run),  # data subjects' corrections -> golden records, provenance
    ("tables", tables.build),  # -> out_organisations, out_contacts, out_clusters, out_review, out_source_map
    ("changes", changes.run),  # -> changes (against the previous run of the workspace and profile)
    ("validate", validation.run),  # -> quality columns, out_quality, out_validation, scorecard, summary
    ("privacy", suppress.summary),  # summary: purpose, columns dropped, people suppressed (counts)
    ("gate", validation.gate),  # -> gate
    ("export", deliver.export),  # workbook, CSV, Parquet (when published) -> outputs
    ("report", deliver.report),  # quality report -> outputs
]
STAGE_NAMES = [name for name, _ in STAGES]
LABELS = {
    "ingest": "Reading files", "map": "Mapping columns", "records": "Building records",
    "measure": "Measuring the raw input", "normalise": "Normalising values",
    "screen": "Applying each file's purpose and the suppression list",
    "suppress": "Leaving suppressed people out", "basis": "Recording each person's lawful basis",
    "consent": "Carrying opt-outs to golden records", "privacy": "Counting personal data",
    "link": "Linking records to what they belong to", "keys": "Assigning stable record keys",
    "resolve": "Finding duplicates", "merge": "Building golden records",
    "enrich": "Proposing enrichments", "corrections": "Applying data subjects' corrections",
    "tables": "Building output tables",
    "changes": "Comparing with the previous run",
    "validate": "Scoring quality and validating", "gate": "Checking the publish gate",
    "export": "Writing the deliverables", "report": "Writing the quality report",
}


def execute(run: Run, profile: Profile, start: str | None = None, stop: str | None = None) -> RunResult:
    """Run the stages from ``start`` to ``stop`` (inclusive; default all) on ``run``."""
    first = STAGE_NAMES.index(start) if start else 0
    last = STAGE_NAMES.index(stop) if stop else len(STAGES) - 1
    run.db.set_meta("request", run.request.to_dict())
    run.db.set_meta("profile", profile.anchored().to_dict())
    staging.clean(deliver.destinations(run))  # what killed runs left: finished or removed
    with telemetry.span("refine", files=len(run.request.files), profile=profile.name) as root:
        try:
            for position, (name, stage) in enumerate(STAGES[first:last + 1], start=first):
                _stage(run, profile, position, name, stage)
            run.staging.commit()  # the outputs appear as a whole
        finally:
            run.staging.discard()
        result = RunResult(run.db, run.run_id)
        counts = {"published": result.published, "run_id": run.run_id, "findings": run.db.count("findings"),
                  "organisations": result.counts.get("Output organisations"),
                  "contacts": result.counts.get("Output contacts")}
        for key, value in counts.items():
            if value is not None:
                root.set_attribute(f"hotpass.{key}", value)
    return result


def _stage(run: Run, profile: Profile, position: int, name: str, stage: Stage) -> None:
    """One stage in its span, timed, with progress before and after."""
    label = LABELS.get(name, name)
    if run.workspace is not None and run.run_id is not None:
        run.workspace.set_stage(run.run_id, name, position=position, status="running", fraction=0.0,
                                message=label)
    run.progress(name, 0.0, label)
    checkpoints.reached(name)
    began = time.perf_counter()
    with telemetry.span(f"stage.{name}", stage=name) as current:
        try:
            items = stage(run, profile)
        except BaseException as error:
            if run.workspace is not None and run.run_id is not None:
                run.workspace.set_stage(run.run_id, name, status="failed", message=_first_line(error))
            raise
        seconds = round(time.perf_counter() - began, 3)
        current.set_attribute("hotpass.seconds", seconds)
        if isinstance(items, int):
            current.set_attribute("hotpass.items", items)
    run.timings[name] = seconds
    run.db.set_meta("timings", run.timings)
    if run.workspace is not None and run.run_id is not None:
        run.workspace.set_stage(run.run_id, name, status="done", seconds=seconds,
                                rows=items if isinstance(items, int) else None, message=label)
    run.progress(name, 1.0, f"{label} done in {seconds:.1f} s")


def _first_line(error: BaseException) -> str:
    return telemetry.error_text(error)  # never a value the error's message may quote


# --- whole runs --------------------------------------------------------------------------------


def start(request: Request, profile: Profile, workspace=None, progress: Progress = quiet,
          run_id: int | None = None) -> Run:
    """A new run for ``request``: recorded in the workspace (its own folder and database), else in memory."""
    if workspace is None:
        return Run(RunDB(None, memory_mb=memory_limit_mb()), request, progress=progress)
    if run_id is None:
        run_id = workspace.start_run(profile.name, [f.name for f in request.files], request.username,
                                     request=request.to_dict())
    directory = workspace.run_dir(run_id)
    return Run(RunDB(directory / RUN_FILE, memory_mb=memory_limit_mb()), request, directory, workspace, run_id,
               progress)


#: Memory DuckDB may use for one run before it spills to the run's folder, unless
#: ``HOTPASS_DUCKDB_MEMORY_MB`` says otherwise.
DUCKDB_MEMORY_MB = 3072


def memory_limit_mb() -> int:
    """The memory limit of a run's DuckDB database, in MB (``HOTPASS_DUCKDB_MEMORY_MB``)."""
    value = os.environ.get("HOTPASS_DUCKDB_MEMORY_MB", "").strip()
    return int(value) if value.isdigit() and int(value) >= 256 else DUCKDB_MEMORY_MB


def finish(run: Run, ended: dict | None, error: BaseException | None = None) -> None:
    """Record how the run ended in the workspace: ok, blocked or failed, with its summary
    (``ended``: published and counts, read before the run's database was closed)."""
    if run.workspace is None or run.run_id is None:
        return
    if error is not None or ended is None:
        run.workspace.finish_run(run.run_id, "failed", {"error": _first_line(error) if error else None},
                                 username=run.request.username)
        return
    status = "ok" if ended["published"] else "blocked"
    run.workspace.finish_run(run.run_id, status, ended["counts"], username=run.request.username)
    telemetry.record_run(ended["counts"], ended["published"], len(run.workspace.decisions()))


def refine(paths: Sequence[str | Path], profile: Profile, *, output: str | Path | None = None,
           csv_dir: str | Path | None = None, parquet_dir: str | Path | None = None,
           report_dir: str | Path | None = None, saved: list[SheetMapping] | None = None,
           exact_mappings: bool = False, names: Sequence[str] | None = None, workspace=None,
           retrain: bool = False, retrain_from_labels: bool = False, username: str | None = None, override: str | None = None,
           references: Sequence[str | Path] = (), progress: Progress = quiet,
           raise_blocked: bool = True, privacy: dict | None = None) -> RunResult:
    """Read, map, refine, validate and (when published) write the deliverables of ``paths``.

    With a ``workspace`` the run is recorded, people's decisions are honoured,
    the trained model is cached and the run's tables are kept. When a blocking
    expectation fails the deliverables are not written (the report is) and
    :class:`~hotpass.errors.PublishBlocked` is raised (unless ``raise_blocked``
    is False), unless ``override`` gives a reason, which is audited. ``privacy``
    (purpose, lawful_basis, consent_source) is what every file is processed for. The
    result holds the run's database open: close it when done.
    """
    request = Request.for_paths(
        list(paths), names, mappings=tuple(_mapping_dicts(saved)), exact_mappings=exact_mappings,
        retrain=retrain, retrain_from_labels=retrain_from_labels, override=override, username=username, references=tuple(str(r) for r in references),
        workbook=_text(output), csv_dir=_text(csv_dir), parquet_dir=_text(parquet_dir),
        report_dir=_text(report_dir), privacy=privacy or None)
    run = start(request, profile, workspace, progress)
    return complete(run, profile, raise_blocked=raise_blocked)


def complete(run: Run, profile: Profile, start_at: str | None = None, raise_blocked: bool = True) -> RunResult:
    """Execute ``run`` (from ``start_at``), record how it ended, and raise when it was blocked."""
    try:
        result = execute(run, profile, start_at)
    except BaseException as error:
        run.db.close()
        finish(run, None, error)
        raise
    ended = {"published": result.published, "counts": result.counts, "gate": result.gate}
    if run.directory is not None or (not result.published and raise_blocked):
        run.db.close()  # before the run is marked done: its readers open it read-only at once
    finish(run, ended)
    if not ended["published"] and raise_blocked:
        failures = [(b["id"], b["message"] or f"{b['unexpected_count']:,} failing")
                    for b in ended["gate"].get("blocked_by", [])]
        raise PublishBlocked(failures)
    return result if run.directory is None else RunResult.open(run.directory, run.run_id)


def publish(workspace, run_id: int, profile: Profile, reason: str, username: str | None = None) -> RunResult:
    """Publish a blocked stored run with a written ``reason`` (audited): the gate, export and report
    stages run again on its tables."""
    if not (reason or "").strip():
        raise ValueError("a reason is needed to publish despite failed blocking expectations")
    directory = workspace.run_dir(run_id)
    db = RunDB(directory / RUN_FILE)
    stored = Request.from_dict(db.meta("request", {}))
    request = Request(**{**stored.__dict__, "override": reason, "username": username or stored.username})
    run = Run(db, request, directory, workspace, run_id)
    return complete(run, profile, start_at="gate", raise_blocked=False)


def prepare_records(paths: Sequence[str | Path], profile: Profile, names: Sequence[str] | None = None):
    """(organisation records, contact records) of files: read, mapped, normalised, linked and keyed,
    as resolution starts from them (the stages up to ``keys`` in a database of their own)."""
    with RunDB() as db:
        run = Run(db, Request.for_paths(list(paths), names))
        execute(run, profile, stop="keys")
        return db.frame(normalise.records_table("organisation")), db.frame(normalise.records_table("contact"))


def refine_sheets(sheets: Sequence, profile: Profile, stop: str | None = None,
                  mappings: list[SheetMapping] | None = None) -> RunResult:
    """Refine sheets already read (ingest's ``SourceSheet`` objects) in memory, from the ``map``
    stage to ``stop``; ``mappings`` are applied as they are to the sheets they were made for. The
    result holds its in-memory database: close it when done."""
    request = Request(mappings=tuple(_mapping_dicts(mappings)), exact_mappings=True)
    run = Run(RunDB(None), request)
    sources.store_sheets(run, list(sheets))
    return execute(run, profile, start="map", stop=stop)


def _mapping_dicts(saved: list[SheetMapping] | None) -> list[dict]:
    return [asdict(m) for m in saved or []]


def _text(value) -> str | None:
    return None if value is None else str(value)
