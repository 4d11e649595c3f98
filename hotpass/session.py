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

from collections.abc import Sequence
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
) -> Refined:
    """Refine the sheets of ``workbooks`` (ingest ``SourceWorkbook``s) with ``mappings``.

    ``mappings`` holds one mapping per sheet, in sheet order.

    When a blocking expectation failed and no ``override`` reason was given,
    the run is stored with status ``blocked`` and the report written, as
    :func:`hotpass.pipeline.refine` does, and the result comes back with
    ``published`` False. A failed stage marks the run ``failed`` and re-raises.
    """
    sheets = [sheet for workbook in workbooks for sheet in workbook.sheets]
    if len(sheets) != len(mappings):
        raise ValueError(f"{len(sheets)} sheet(s) but {len(mappings)} mapping(s)")
    files = [workbook.file for workbook in workbooks]
    found = read_findings(workbooks, mappings, profile)
    clock = _Clock(progress)
    run_id = workspace.start_run(profile.name, files, username) if workspace is not None else None
    try:
        refined = refine_sheets(
            sheets, mappings, profile, progress, found, workspace, retrain, run_id, reference
        )
        refined.run_id, refined.files = run_id, files
        status = _gate(refined, override, username, workspace)
        return _finish(refined, profile, workspace, username, report_dir, clock, status)
    except BaseException:
        if workspace is not None:
            workspace.finish_run(run_id, "failed", username=username)
        raise


def _gate(refined: Refined, override: str | None, username: str | None, workspace) -> str:
    """'ok' when the run may be published (perhaps by override), else 'blocked'."""
    from hotpass.assess import gate
    from hotpass.errors import PublishBlocked

    try:
        gate(refined, override, username, workspace)
    except PublishBlocked:
        return "blocked"
    return "ok"


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
