"""Refine workbooks that were already read and mapped: the workbench's Run button.

:func:`refine_read` mirrors :func:`hotpass.pipeline.refine` after its ingest
and map stages (the workbench reads each upload on arrival and lets the
operator correct the mapping first): it records the run in the workspace,
refines, applies the publish gate, writes the quality report and stores the
run's tables. Deliverables (xlsx, CSV, Parquet) are written later, when asked
for, with :func:`hotpass.pipeline.write_outputs`.

:func:`refine_read` does not raise when a blocking expectation fails: it
returns the result with ``published`` False and ``gate["blocked_by"]`` naming
the failures, so the workbench can show them and ask for a reason;
:func:`publish_anyway` then publishes without running again (the gate audits
the reason).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from hotpass.findings import Findings
from hotpass.mapping import SheetMapping
from hotpass.pipeline import (
    Progress,
    Refined,
    _Clock,
    _quiet,
    mapping_findings,
    refine_sheets,
    write_report,
)
from hotpass.profile import Profile


def read_findings(
    workbooks: Sequence, mappings: Sequence[SheetMapping], profile: Profile
) -> Findings:
    """What reading and mapping found: each workbook's findings and each sheet's mapping notes."""
    found = Findings()
    for workbook in workbooks:
        found.extend(workbook.findings)
    for mapping in mappings:
        found.extend(mapping_findings(mapping, profile))
    return found


def refine_read(
    workbooks: Sequence,
    mappings: list[SheetMapping],
    profile: Profile,
    *,
    workspace=None,
    username: str | None = None,
    progress: Progress = _quiet,
    report_dir: str | Path | None = None,
    override: str | None = None,
    retrain: bool = False,
    reference: pd.DataFrame | None = None,
    run_id: int | None = None,
    clock: _Clock | None = None,
    deliver: Callable[[Refined], object] | None = None,
    raise_blocked: bool = False,
) -> Refined:
    """Refine the sheets of ``workbooks`` (ingest ``SourceWorkbook``s) with ``mappings``.

    ``mappings`` holds one mapping per sheet, in sheet order. ``run_id``: a run
    the caller already started (else one is started here); ``deliver`` writes
    the deliverables once the gate allows publishing (before the report).

    When a blocking expectation failed and no ``override`` reason was given,
    the run is stored with status ``blocked`` and the report written; the
    result comes back with ``published`` False, or
    :class:`~hotpass.errors.PublishBlocked` is raised with ``raise_blocked``
    (what :func:`hotpass.pipeline.refine` does). A failed stage marks the run
    ``failed`` and re-raises.
    """
    sheets = [sheet for workbook in workbooks for sheet in workbook.sheets]
    if len(sheets) != len(mappings):
        raise ValueError(f"{len(sheets)} sheet(s) but {len(mappings)} mapping(s)")
    files = [workbook.file for workbook in workbooks]
    found = read_findings(workbooks, mappings, profile)
    clock = clock or _Clock(progress)
    if run_id is None and workspace is not None:
        run_id = workspace.start_run(profile.name, files, username)
    try:
        refined = refine_sheets(
            sheets, mappings, profile, progress, found, workspace, retrain, run_id, reference
        )
        refined.run_id, refined.files = run_id, files
        blocked = _gate(refined, override, username, workspace)
        if blocked is None and deliver is not None:
            deliver(refined)
        _finish(refined, profile, workspace, username, report_dir, clock, "blocked" if blocked else "ok")
    except BaseException:
        if workspace is not None:
            workspace.finish_run(run_id, "failed", username=username)
        raise
    if blocked is not None and raise_blocked:
        raise blocked
    return refined


def _gate(refined: Refined, override: str | None, username: str | None, workspace):
    """None when the run may be published (perhaps by override), else the PublishBlocked error."""
    from hotpass.assess import gate
    from hotpass.errors import PublishBlocked

    try:
        gate(refined, override, username, workspace)
    except PublishBlocked as exc:
        return exc
    return None


def publish_anyway(
    refined: Refined,
    profile: Profile,
    reason: str,
    *,
    workspace=None,
    username: str | None = None,
    report_dir: str | Path | None = None,
) -> Refined:
    """Publish a blocked run with a written ``reason`` (audited); the report is written again."""
    from hotpass.assess import gate

    if not (reason or "").strip():
        raise ValueError("a reason is needed to publish despite failed blocking expectations")
    gate(refined, reason, username, workspace)
    return _finish(refined, profile, workspace, username, report_dir, _Clock(_quiet), "ok")


def _finish(
    refined: Refined,
    profile: Profile,
    workspace,
    username: str | None,
    report_dir,
    clock: _Clock,
    status: str,
) -> Refined:
    """Write the report, store the run's tables and mark the run ``status``."""
    write_report(refined, profile, report_dir, clock)
    refined.timings.update(clock.timings)
    if workspace is not None and refined.run_id is not None:
        workspace.save_tables(refined.run_id, refined.snapshot())
        workspace.finish_run(refined.run_id, status, dict(refined.summary), username=username)
    return refined
