"""The Downloads page's files (no Streamlit): every stored run, each file read or built on click.

A :class:`Download` is the callable ``data`` of a download button: Streamlit
calls it on a server thread when the button is clicked. It opens the
workspace and the run itself (so it holds nothing between clicks), reads the
file the run wrote, or builds a zip of every table in a temporary folder,
writes one audit line (who, which run, what kind, how many bytes and their
SHA-256; never the contents) and returns the bytes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hotpass import Workspace, WorkspaceError, export_tables
from workbench import overview, running, stored

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"
PARQUET = "application/vnd.apache.parquet"


@dataclass(frozen=True)
class Deliverable:
    """One kind of download: its label, where it comes from and its type."""

    kind: str
    label: str
    mime: str
    published_only: bool  # a deliverable of the data (not offered while the run is blocked)
    output: str | None = None  # the run's output it is read from (None: built from the tables)
    suffix: str = ""  # the Parquet twin of an output written as CSV

    @property
    def group(self) -> str:
        """Where the page lists it."""
        if self.kind.startswith("report_"):
            return "Quality report"
        return "Every row in full" if self.kind.startswith(("findings", "provenance")) else "Data"


DELIVERABLES = (
    Deliverable("workbook", "Styled workbook (Excel)", XLSX, True, "workbook"),
    Deliverable("csv", "Every table as CSV (zip)", ZIP, True),
    Deliverable("parquet", "Every table as Parquet (zip)", ZIP, True),
    Deliverable("findings", "Every finding (CSV)", "text/csv", True, "findings"),
    Deliverable("findings_parquet", "Every finding (Parquet)", PARQUET, True, "findings",
                ".parquet"),
    Deliverable("provenance", "Every field's provenance (CSV)", "text/csv", True, "provenance"),
    Deliverable("provenance_parquet", "Every field's provenance (Parquet)", PARQUET, True,
                "provenance", ".parquet"),
    Deliverable("report_html", "Quality report (HTML)", "text/html", False, "report_html"),
    Deliverable("report_markdown", "Quality report (Markdown)", "text/markdown", False,
                "report_markdown"),
    Deliverable("report_json", "Quality report (JSON)", "application/json", False, "report_json"),
)
KINDS = {d.kind: d for d in DELIVERABLES}


def finished_runs(ws) -> pd.DataFrame:
    """Every stored run whose tables are complete (ok or blocked), newest first, with its counts:
    a column per entity the runs wrote (organisations, contacts, people ...), empty for a run
    that has no such entity."""
    rows, summaries = [], []
    for run in ws.runs().itertuples(index=False):
        if run.status not in running.FINISHED:
            continue
        summary = overview.summary_of(run.summary)
        summaries.append(summary)
        rows.append({"run": int(run.run_id), "finished": run.finished_at, "user": run.username,
                     "profile": run.profile, "files": len(_json(run.files, [])),
                     "status": "published" if run.status == "ok" else "blocked",
                     **overview.outputs(summary),
                     "pairs to review": summary.get("Pairs waiting for review")})
    plurals = overview.plurals(summaries)
    columns = ["run", "finished", "user", "profile", "files", "status", *plurals, "pairs to review"]
    return overview.counted(pd.DataFrame(rows, columns=columns), plurals)


def entity_columns(runs: pd.DataFrame) -> list[str]:
    """The columns of :func:`finished_runs` that count an entity's records."""
    fixed = {"run", "finished", "user", "profile", "files", "status", "pairs to review"}
    return [c for c in runs.columns if c not in fixed]


def totals(row: pd.Series, columns: list[str]) -> str:
    """What one run of :func:`finished_runs` wrote, as text: '4,216 people' or
    '9 organisations, 4 contacts' (entities the run does not have are left out)."""
    return ", ".join(f"{count(row[c])} {c}" for c in columns if not pd.isna(row[c])) or "no records"


def count(value) -> str:
    """A count from a run's summary as text ('–' when the run did not say)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "–"


def codes(names) -> str:
    """Ids as Markdown code, comma separated (a backtick in one cannot end its code span)."""
    return ", ".join("`" + str(name).replace("`", "'") + "`" for name in names)


def _json(text, default):
    try:
        value = json.loads(text) if isinstance(text, str) and text else default
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def source(outputs: dict, deliverable: Deliverable) -> Path | None:
    """The file a deliverable is read from, when the run wrote it and it is still there."""
    written = outputs.get(deliverable.output) if deliverable.output else None
    if not written:
        return None
    path = Path(written)
    if deliverable.suffix:
        path = path.with_suffix(deliverable.suffix)
    return path if path.is_file() else None


def offered(result) -> list[Deliverable]:
    """What a run may be downloaded as: everything it has when published, else only its report."""
    outputs = result.outputs
    return [d for d in DELIVERABLES if (result.published or not d.published_only)
            and (d.output is None or source(outputs, d) is not None)]


def file_name(deliverable: Deliverable, run_id: int, outputs: dict) -> str:
    """The name the browser saves the file under."""
    path = source(outputs, deliverable)
    if deliverable.kind.startswith("report_") and path is not None:
        return f"{path.stem}-run-{run_id}{path.suffix}"
    if path is not None:
        return path.name
    return f"hotpass-run-{run_id}-{deliverable.kind}.zip"


def build(ws, run_id: int, kind: str, directory: Path) -> bytes:
    """The bytes of one deliverable of a stored run (zips are built in ``directory``)."""
    deliverable = KINDS[kind]
    with stored.opened(ws, run_id) as result:
        if deliverable.published_only and not result.published:
            raise WorkspaceError(f"run {run_id} was not published: no {deliverable.label}")
        if deliverable.output is not None:
            path = source(result.outputs, deliverable)
            if path is None:
                raise WorkspaceError(f"run {run_id}: its {deliverable.label} is no longer there")
            return path.read_bytes()
        files = export_tables(result, kind, directory / kind)
    return zipped(files, directory / f"{kind}.zip")


def zipped(files: list[Path], target: Path) -> bytes:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, arcname=path.name)
    return target.read_bytes()


@dataclass
class Download:
    """The ``data`` callable of one download button (see the module docstring)."""

    workspace_dir: Path
    run_id: int
    kind: str
    username: str

    def __call__(self) -> bytes:
        folder = Path(tempfile.mkdtemp(prefix=f"hotpass-download-{self.kind}-"))
        try:
            with Workspace(self.workspace_dir) as ws:
                data = build(ws, self.run_id, self.kind, folder)
                ws.audit(self.username, "download", run_id=self.run_id, kind=self.kind,
                         bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return data
