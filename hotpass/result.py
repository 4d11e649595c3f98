"""A finished run, read from its database: what the CLI, the report and the workbench show.

:class:`RunResult` only reads. Each table is loaded when first asked for, so
a page that shows the summary never loads the findings. Open one on a stored
run with :meth:`RunResult.open` (read-only, so any number of readers can look
at a run while other runs are written).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from hotpass.errors import WorkspaceError
from hotpass.profile import Profile
from hotpass.resolve import PAIRS, REVIEW
from hotpass.rundb import RunDB
from hotpass.stages.names import entity_tables
from hotpass.stages.sources import stored_mappings
from hotpass.stages.validate import validation_of
from hotpass.validate.result import Validation

RUN_FILE = "run.duckdb"


class RunResult:
    """Read-only view of one run's tables and verdicts."""

    def __init__(self, db: RunDB, run_id: int | None = None, outputs: dict[str, str] | None = None):
        self.db = db
        self.run_id = run_id
        self._outputs = outputs

    @classmethod
    def open(cls, directory: str | Path, run_id: int | None = None) -> RunResult:
        """The run stored in ``directory`` (a workspace's ``runs/<id>/``), opened read-only."""
        return cls(RunDB(Path(directory) / RUN_FILE, read_only=True), run_id)

    def close(self) -> None:
        """Close the run's database."""
        self.db.close()

    def __enter__(self) -> RunResult:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def table(self, name: str) -> pd.DataFrame:
        """A table of the run; an empty frame when the run never wrote it."""
        return self.db.frame(name) if self.db.has(name) else pd.DataFrame()

    # --- verdicts and counts ---------------------------------------------------------------------

    @cached_property
    def summary(self) -> list[tuple[str, object]]:
        """The Summary lines (metric, value)."""
        return [tuple(line) for line in self.db.meta("summary", [])]

    @property
    def counts(self) -> dict[str, object]:
        """The summary as a dict."""
        return dict(self.summary)

    @cached_property
    def gate(self) -> dict:
        """The gate's verdict: blocked_by, override, published."""
        return self.db.meta("gate", {"blocked_by": [], "override": None, "published": False})

    @property
    def published(self) -> bool:
        """Whether the deliverables were (or may be) published."""
        return bool(self.gate.get("published"))

    @cached_property
    def files(self) -> list[str]:
        """The names of the files read."""
        return [r[0] for r in self.db.rows("SELECT DISTINCT file FROM sheets ORDER BY 1")] \
            if self.db.has("sheets") else []

    @property
    def outputs(self) -> dict[str, str]:
        """What was written where: workbook, csv, parquet, findings, provenance, report_*."""
        return dict(self._outputs if self._outputs is not None else self.db.meta("outputs", {}))

    @cached_property
    def timings(self) -> dict[str, float]:
        """Seconds per stage."""
        return self.db.meta("timings", {})

    @cached_property
    def enrichment_summary(self) -> dict | None:
        """Counts of the enrichment stage."""
        return self.db.meta("enrichment_summary")

    @cached_property
    def profile(self) -> Profile | None:
        """The profile the run ran with (file settings as absolute paths), or None."""
        stored = self.db.meta("profile")
        return Profile.from_dict(stored, source=f"run {self.run_id}") if stored else None

    @cached_property
    def mappings(self) -> list:
        """The sheet mappings the run used (:class:`hotpass.mapping.SheetMapping`)."""
        return stored_mappings(self)

    # --- tables ----------------------------------------------------------------------------------

    @cached_property
    def golden(self) -> dict[str, pd.DataFrame]:
        """Each entity's golden table keyed by its plural (organisations, contacts, people ...), in
        the profile's order."""
        return {plural: self.table(table) for plural, table, _ in entity_tables(self.db)}

    @cached_property
    def entities(self) -> dict[str, str]:
        """Entity plural -> entity name, in the profile's order."""
        return {plural: entity for plural, _, entity in entity_tables(self.db)}

    @cached_property
    def organisations(self) -> pd.DataFrame:
        return self.table("out_organisations")

    @cached_property
    def contacts(self) -> pd.DataFrame:
        return self.table("out_contacts")

    @cached_property
    def clusters(self) -> pd.DataFrame:
        return self.table("out_clusters")

    @cached_property
    def review(self) -> pd.DataFrame:
        return self.table("out_review")

    @cached_property
    def pairs(self) -> pd.DataFrame:
        return self.table(PAIRS)

    @cached_property
    def quality(self) -> pd.DataFrame:
        return self.table("out_quality")

    @cached_property
    def scorecard(self) -> pd.DataFrame:
        return self.table("scorecard")

    @cached_property
    def enrichment(self) -> pd.DataFrame:
        return self.table("enrichment")

    @cached_property
    def source_map(self) -> pd.DataFrame:
        return self.table("out_source_map")

    @cached_property
    def provenance(self) -> pd.DataFrame:
        return self.table("provenance")

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Every finding (code, severity, message, file, sheet, row, column, original, new, rule)."""
        frame = self.table("findings")
        return frame.drop(columns=["stage"]) if "stage" in frame else frame

    @cached_property
    def changes(self) -> pd.DataFrame:
        """What changed since the previous run (kind, entity, golden_id, previous_id, record_key, field,
        before, after, message); empty for a first run."""
        return self.table("changes")

    @cached_property
    def changes_since(self) -> int | None:
        """The run the changes are counted from (None: a first run, or a run made before changes were)."""
        return (self.db.meta("changes") or {}).get("previous_run")

    @cached_property
    def validation(self) -> Validation | None:
        return validation_of(self.db)

    def pending_review(self) -> int:
        """Pairs waiting for review."""
        return self.db.count(REVIEW)


#: Run statuses whose tables are complete (a blocked run was refined, just not published).
FINISHED = ("ok", "blocked")


def open_run(workspace, run_id: int) -> RunResult:
    """A stored run of ``workspace``, read-only; WorkspaceError when it has no tables."""
    path = workspace.run_dir(run_id) / RUN_FILE
    if not path.exists():
        raise WorkspaceError(f"{workspace.directory}: run {run_id} has no stored tables")
    return RunResult(RunDB(path, read_only=True), run_id)


def latest_finished(workspace) -> int | None:
    """The id of the newest run whose tables are complete (ok or blocked), or None."""
    runs = workspace.runs()
    if not len(runs):
        return None
    done = runs[runs["status"].isin(FINISHED)]
    return int(done["run_id"].max()) if len(done) else None
