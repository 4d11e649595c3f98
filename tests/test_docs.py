"""The documentation covers every CLI command, option and profile setting."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys

import openpyxl
import typer.main

from hotpass.cli import app
from hotpass.profile import settings_reference
from tests.conftest import ROOT

CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
PROFILE_DOC = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix="hotpass"):
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            yield from _commands(command, path)
        else:
            yield path, command


def test_every_cli_command_and_option_is_documented():
    group = typer.main.get_command(app)
    found = list(_commands(group))
    assert len(found) >= 6
    for path, command in found:
        assert f"`{path}" in CLI_DOC, f"{path} is not documented in docs/cli.md"
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in CLI_DOC, f"{path} {opt} is not documented in docs/cli.md"


def test_every_profile_setting_is_documented():
    for key, _default, _help in settings_reference():
        assert f"`{key}`" in PROFILE_DOC, f"profile setting {key} is not documented in docs/profiles.md"


def test_readme_quickstart_has_two_commands_that_exist():
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]
    assert commands == ["bash scripts/quickstart.sh", "bash scripts/test.sh"]
    for command in commands:
        assert (ROOT / command.split()[1]).is_file()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test.sh" in ci


def _example_files(section: str) -> dict[str, str]:
    """File name -> text of every "`name`:" code block of a docs section."""
    return {name: body for name, body in re.findall(r"`([\w.-]+)`:\n\n```\w*\n(.*?)```", section, re.S)}


def test_the_new_entity_example_in_the_profile_docs_runs(tmp_path):
    """The aircraft example of docs/profiles.md, written to files and run as its commands say."""
    section = PROFILE_DOC.split("## Example: a profile for a new kind of record", 1)[1].split("\n## ", 1)[0]
    files = _example_files(section)
    assert set(files) == {"aircraft.yaml", "fleet_a.csv", "fleet_b.csv"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    commands = re.search(r"```bash\n(.*?)```", section, re.S).group(1).strip().splitlines()
    assert [c.split()[:2] for c in commands] == [["hotpass", "profiles"], ["hotpass", "refine"]]
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    for command in commands:
        args = [*command.split()[1:], *(["--workspace", "ws"] if " refine " in command else [])]
        done = subprocess.run([sys.executable, "-m", "hotpass.cli", *args], cwd=tmp_path, capture_output=True,
                              text=True, env=env, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "wrote out/aircraft.xlsx (5 aircraft" in done.stdout
    with open(tmp_path / "out" / "csv" / "aircraft.csv", encoding="utf-8-sig", newline="") as handle:
        aircraft = {row["serial_number"]: row for row in csv.DictReader(handle)}
    assert set(aircraft) == {"1021", "20-887", "5532", "41-207", "7710"}
    assert aircraft["1021"]["source_count"] == "2" and aircraft["20-887"]["source_count"] == "2"
    assert aircraft["1021"]["aircraft_id"].startswith("AC-")
    assert aircraft["7710"]["last_inspection"] == "2026-04-02"
    assert "Aircraft" in openpyxl.load_workbook(tmp_path / "out" / "aircraft.xlsx", read_only=True).sheetnames
