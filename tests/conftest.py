"""Shared fixtures: profiles, fresh sample workbooks, sheets built in memory."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from hotpass.profile import load_profile

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def aviation():
    """The shipped aviation profile."""
    return load_profile("aviation")


@pytest.fixture(scope="session")
def generic():
    """The shipped generic profile."""
    return load_profile("generic")


@pytest.fixture(scope="session")
def _sample_master(tmp_path_factory):
    from hotpass.samples import generate_samples

    return generate_samples(tmp_path_factory.mktemp("samples"), rows=600, seed=11)


@pytest.fixture
def samples(_sample_master, tmp_path):
    """Fresh copies of the synthetic sample workbooks and their ground truth."""
    from hotpass.samples import SampleSet

    def copy(path: Path) -> Path:
        return Path(shutil.copy(path, tmp_path / path.name))

    s = _sample_master
    return SampleSet(files=[copy(f) for f in s.files], truth_records=copy(s.truth_records),
                     truth_organisations=copy(s.truth_organisations), truth_contacts=copy(s.truth_contacts))


def make_sheet(columns: list[str], rows: list[list[object]], file: str = "test.xlsx", sheet: str = "Sheet1",
               first_row: int = 2):
    """A SourceSheet built in memory, as ingest would return it."""
    from hotpass.ingest import SourceSheet

    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame.index = range(first_row, first_row + len(rows))
    return SourceSheet(file=file, path=f"/tmp/{file}", sha256="0" * 64, sheet=sheet, header_row=first_row - 1,
                       columns=list(columns), frame=frame)


@pytest.fixture
def sheet_factory():
    """Build in-memory sheets: ``sheet_factory(columns, rows, file=..., sheet=...)``."""
    return make_sheet


# --- in CI (.ci/run sets HOTPASS_NO_SKIPS=1) a skipped test is a failed test; xfail keeps its meaning ---

NO_SKIPS = "HOTPASS_NO_SKIPS"


def _skip_fails(report) -> None:
    if os.environ.get(NO_SKIPS) != "1" or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped, and a skip counts as a failure here ({NO_SKIPS}=1): {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn a skipped test (skip, skipif, importorskip) into a failure when $HOTPASS_NO_SKIPS is 1."""
    outcome = yield
    _skip_fails(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """The same for a whole module skipped while collecting it."""
    outcome = yield
    _skip_fails(outcome.get_result())
