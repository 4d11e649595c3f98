"""The install is reproducible: requirements.lock pins every package, within pyproject's ranges."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT


def _locked() -> dict[str, str]:
    lines = [line.strip() for line in (ROOT / "requirements.lock").read_text().splitlines()]
    pins = {}
    for line in lines:
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and re.fullmatch(r"[A-Za-z0-9_.+!-]+", version), f"not pinned exactly: {line!r}"
        pins[canonicalize_name(name)] = version
    return pins


def test_every_dependency_is_locked_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = _locked()
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{requirement.name} {pins[name]} is outside {requirement.specifier}")


def test_setup_installs_from_the_lock_and_does_not_resolve_again():
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    assert "-r requirements.lock" in setup and "--no-deps -e ." in setup
