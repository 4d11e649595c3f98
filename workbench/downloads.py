"""The Downloads page's files, each built only when asked for (no Streamlit here).

A :class:`Download` is the callable ``data`` of a download button: Streamlit
calls it on a server thread when the button is clicked; it builds the file in
the session's temporary folder, writes a line to the audit log (who, what
kind, which run; never the contents) and returns the bytes.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hotpass import outputs
from hotpass.report import write_report
from hotpass.report.build import build_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_STEM = "quality-report"


@dataclass(frozen=True)
class Deliverable:
    """One kind of download: what it is called, its file name ending and type."""

    kind: str
    label: str
    suffix: str
    mime: str
    published_only: bool  # a deliverable of the data (not offered when the run was blocked)


DELIVERABLES = (
    Deliverable("xlsx", "Styled workbook (Excel)", ".xlsx", XLSX, True),
    Deliverable("csv", "CSV files (zip)", "-csv.zip", "application/zip", True),
    Deliverable("parquet", "Parquet files (zip)", "-parquet.zip", "application/zip", True),
    Deliverable("html", "Quality report (HTML)", ".html", "text/html", False),
    Deliverable("markdown", "Quality report (Markdown)", ".md", "text/markdown", False),
    Deliverable("json", "Quality report (JSON)", ".json", "application/json", False),
)
REPORT_KINDS = ("html", "markdown", "json")


def offered(refined) -> list[Deliverable]:
    """What a run may be downloaded as: everything when published, else only the report."""
    return [d for d in DELIVERABLES if refined.published or not d.published_only]


def file_name(deliverable: Deliverable, run_id: int | None) -> str:
    """The name the browser saves the file under."""
    stem = REPORT_STEM if deliverable.kind in REPORT_KINDS else "hotpass"
    return f"{stem}-run-{run_id if run_id is not None else 'unsaved'}{deliverable.suffix}"


def build(kind: str, refined, profile, directory: Path, report_dir: Path | None = None) -> Path:
    """Write one download into ``directory`` (which must exist) and return its path."""
    deliverable = next(d for d in DELIVERABLES if d.kind == kind)
    if deliverable.published_only and not refined.published:
        raise ValueError(f"run {refined.run_id} was not published: no {deliverable.label}")
    target = directory / file_name(deliverable, refined.run_id)
    if kind == "xlsx":
        return outputs.write_xlsx(refined, target)
    if kind in ("csv", "parquet"):
        write = outputs.write_csv if kind == "csv" else outputs.write_parquet
        return _zipped(write(refined, directory / kind), target)
    return _report(kind, refined, profile, directory, report_dir)


def _zipped(files: list[Path], target: Path) -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, arcname=path.name)
    return target


def _report(kind: str, refined, profile, directory: Path, report_dir: Path | None) -> Path:
    """The run's report file (written when the run was), or written now."""
    suffix = next(d.suffix for d in DELIVERABLES if d.kind == kind)
    written = Path(report_dir) / f"{REPORT_STEM}{suffix}" if report_dir else None
    if written is not None and written.is_file():
        return Path(shutil.copy(written, directory / written.name))
    return write_report(build_report(refined, profile), directory, stem=REPORT_STEM)[kind]


@dataclass
class Download:
    """The ``data`` callable of one download button."""

    kind: str
    refined: object
    profile: object
    directory: Path  # the session's downloads folder
    username: str
    audit: Callable[..., None]  # audit(username, action, **detail)
    report_dir: Path | None = None

    def __call__(self) -> bytes:
        self.directory.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=f"{self.kind}-", dir=self.directory))
        try:
            path = build(self.kind, self.refined, self.profile, folder, self.report_dir)
            data = path.read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self.audit(self.username, "download", kind=self.kind, run_id=self.refined.run_id,
                   bytes=len(data))
        return data
