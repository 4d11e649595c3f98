"""Health checks behind ``hotpass doctor``: each check is data, the CLI prints them."""

from __future__ import annotations

import importlib.metadata as metadata
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hotpass.errors import HotpassError

PACKAGES = ["pandas", "openpyxl", "python-calamine", "xlsxwriter", "pyarrow", "pydantic", "phonenumbers",
            "rapidfuzz", "email-validator", "tldextract", "duckdb", "splink", "great-expectations",
            "streamlit", "streamlit-authenticator", "plotly", "defusedxml", "typer"]
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    status: str  # ok | warn | fail
    detail: str


def _python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", "ok" if ok else "fail", sys.version.split()[0] + ("" if ok else " (need 3.11+)"))


def _packages() -> list[Check]:
    out = []
    for name in PACKAGES:
        try:
            out.append(Check(f"package {name}", "ok", metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append(Check(f"package {name}", "fail", "not installed: pip install -e ."))
    return out


def _profiles() -> list[Check]:
    from hotpass.profile import available_profiles, load_profile

    out = []
    for name, path in available_profiles().items():
        try:
            load_profile(path)
            out.append(Check(f"profile {name}", "ok", str(path)))
        except HotpassError as exc:
            out.append(Check(f"profile {name}", "fail", str(exc).replace("\n", " ")))
    return out


def _workspace(path: Path) -> Check:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path):
            pass
        return Check("workspace", "ok", f"{path} is writable")
    except OSError as exc:
        return Check("workspace", "fail", f"{path} is not writable ({exc.strerror})")


def _chromium() -> Check:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if found:
        return Check("chromium", "ok", f"{found} (browser tests can run)")
    return Check("chromium", "warn", "not found: apt-get install chromium (needed for browser tests only)")


def run_checks(workspace: Path) -> list[Check]:
    """Every check, in order."""
    return [_python(), *_packages(), *_profiles(), _workspace(workspace), _chromium()]
