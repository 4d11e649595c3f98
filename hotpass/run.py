"""A run: its database, what it was asked to do, and where it reports progress.

A :class:`Run` is handed to every stage with the profile. It is not a bag the
stages fill in: stages talk to each other only through the tables of
``run.db``. ``run.request`` is what the caller asked for (files, a saved
mapping to re-apply, options, where to write the deliverables); it is kept in
the database so a stored run can be re-run from any stage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hotpass import checkpoints
from hotpass.export.staging import Staging
from hotpass.rundb import RunDB

Progress = Callable[[str, float, str], None]
#: Seconds between two progress writes of one stage to the workspace.
REPORT_EVERY = 0.5


def quiet(stage: str, fraction: float, message: str) -> None:
    """The default progress callback: says nothing."""


@dataclass(frozen=True)
class SourceFile:
    """One input file: where it is, and the name it goes by (as uploaded)."""

    path: str
    name: str


@dataclass(frozen=True)
class Request:
    """What a run was asked to do. Paths are strings so the request round-trips through JSON."""

    files: tuple[SourceFile, ...] = ()
    mappings: tuple[dict, ...] = ()  # saved sheet mappings (hotpass.mapping.SheetMapping as dicts)
    exact_mappings: bool = False  # the mappings were made for these very sheets: apply them as they are
    retrain: bool = False
    retrain_from_labels: bool = False  # re-estimate m from reviewers' pairwise decisions
    override: str | None = None  # publish despite failed blocking expectations, for this reason
    username: str | None = None
    references: tuple[str, ...] = ()  # reference lists for the reference_list provider
    workbook: str | None = None  # where the .xlsx deliverable goes (None: the run's folder)
    csv_dir: str | None = None
    parquet_dir: str | None = None
    report_dir: str | None = None
    privacy: dict | None = None  # purpose, lawful_basis, consent_source declared for every file

    def to_dict(self) -> dict:
        """The request as plain data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Request:
        """A request from :meth:`to_dict`'s output."""
        values = dict(data)
        values["files"] = tuple(SourceFile(**f) for f in values.get("files", ()))
        values["mappings"] = tuple(values.get("mappings", ()))
        values["references"] = tuple(values.get("references", ()))
        return cls(**values)

    @classmethod
    def for_paths(cls, paths, names=None, **options) -> Request:
        """A request for files given by path (``names``: how they are called, default their names)."""
        names = list(names or [None] * len(paths))
        files = tuple(SourceFile(str(Path(p).resolve()), n or Path(p).name) for p, n in zip(paths, names, strict=False))
        return cls(files=files, **options)


@dataclass
class Run:
    """One refinement run (see the module docstring)."""

    db: RunDB
    request: Request
    directory: Path | None = None  # where the run keeps its outputs (None: only what was asked)
    workspace: object | None = None  # hotpass.workspace.Workspace, when decisions and models are kept
    run_id: int | None = None
    progress: Progress = quiet
    timings: dict[str, float] = field(default_factory=dict)
    #: Where the deliverables are written until the run moves them into place as a whole.
    staging: Staging = field(default_factory=Staging, repr=False)
    _reported: dict[str, float] = field(default_factory=dict, repr=False)

    def report(self, stage: str, fraction: float, message: str) -> None:
        """Say how far ``stage`` has got, to the caller and (at most twice a second) the workspace."""
        self.progress(stage, fraction, message)
        checkpoints.reached(stage, fraction)
        if self.workspace is None or self.run_id is None:
            return
        now = time.monotonic()
        if now - self._reported.get(stage, 0.0) >= REPORT_EVERY:
            self._reported[stage] = now
            self.workspace.set_stage(self.run_id, stage, fraction=float(fraction), message=message)

    def output_dir(self) -> Path:
        """The folder this run's own outputs go in (it appears when the run commits its outputs:
        stages write into ``staging``)."""
        if self.directory is None:
            raise ValueError("this run has no folder of its own")
        return self.directory / "outputs"
