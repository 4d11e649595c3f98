"""The documentation covers every CLI command, option and profile setting."""

from __future__ import annotations

import re

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
