"""What every part of the command line shares: who is running it, the workspace option, failing."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

#: ``--workspace``/``-w`` of every command that works on a workspace.
WORKSPACE = typer.Option(Path("workspace"), "--workspace", "-w", envvar="HOTPASS_WORKSPACE",
                         help="Workspace folder (default: $HOTPASS_WORKSPACE, else ./workspace).")


def login_name() -> str:
    """The name of the person at the terminal (recorded as the reviewer or user), or "unknown"."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def fail(message: str, code: int = 1) -> None:
    """Print ``error: message`` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
