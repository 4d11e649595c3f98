"""``hotpass users``: add, list, remove and change workbench users (part of the CLI)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import typer

import hotpass
from hotpass import HotpassError
from hotpass.cli_common import WORKSPACE, fail, login_name

users_app = typer.Typer(help="Workbench users and their roles: add, list, remove, role, password, "
                        "unlock.", no_args_is_help=True)

USERNAME = typer.Argument(..., help="The username: letters, digits, '.', '_' or '-' "
                          "(kept lower-case).")
PASSWORD_STDIN = typer.Option(False, "--password-stdin", help="Read the password from the first "
                              "line of stdin instead of making a random one.")
ROLE_HELP = "viewer, operator, reviewer or admin."




def _by() -> str:
    return login_name()


def _stdin_password() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        fail("--password-stdin: no password on the first line of stdin")
    return line


def _shown_once(username: str, password: str) -> None:
    typer.echo(f"password for {username}: {password}")
    typer.echo("shown once; change it after the first login")


@contextmanager
def _users(workspace: Path):
    """The workspace's users; any ``HotpassError`` becomes ``error: ...`` and exit 1."""
    try:
        with hotpass.Workspace(workspace) as ws:
            yield hotpass.Users(ws)
    except HotpassError as exc:
        fail(str(exc))


@users_app.command("add")
def users_add(
    username: str = USERNAME,
    role: str = typer.Option(..., "--role", "-r", help=ROLE_HELP),
    name: str | None = typer.Option(None, "--name", help="Full name shown in the workbench "
                                    "(default: the username)."),
    password_stdin: bool = PASSWORD_STDIN,
    workspace: Path = WORKSPACE,
) -> None:
    """Create a user; without --password-stdin a random password is printed once."""
    password = _stdin_password() if password_stdin else None
    with _users(workspace) as users:
        password = users.add(username, role, password, name, by=_by())
    typer.echo(f"added {username.lower()} ({role})")
    if not password_stdin:
        _shown_once(username.lower(), password)


@users_app.command("list")
def users_list(workspace: Path = WORKSPACE) -> None:
    """Show every user with role, name and failed logins since their last login."""
    with _users(workspace) as users:
        found = users.list()
    if not found:
        typer.echo("no users; add one with `hotpass users add NAME --role admin`")
        return
    rows = [("username", "role", "name", "status")] + [
        (u.username, u.role, u.name, _status(u)) for u in found]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        typer.echo("  ".join([*cells, row[3]]))


def _status(user) -> str:
    return f"{user.failed_logins} failed login(s)" if user.failed_logins else "ok"


@users_app.command("remove")
def users_remove(username: str = USERNAME, workspace: Path = WORKSPACE) -> None:
    """Delete a user (not the last admin)."""
    with _users(workspace) as users:
        users.remove(username, by=_by())
    typer.echo(f"removed {username.lower()}")


@users_app.command("role")
def users_role(username: str = USERNAME, role: str = typer.Argument(..., help=ROLE_HELP),
               workspace: Path = WORKSPACE) -> None:
    """Give a user another role (the last admin stays admin)."""
    with _users(workspace) as users:
        users.set_role(username, role, by=_by())
    typer.echo(f"{username.lower()} is now {role}")


@users_app.command("password")
def users_password(username: str = USERNAME, password_stdin: bool = PASSWORD_STDIN,
                   workspace: Path = WORKSPACE) -> None:
    """Set a new password (random unless --password-stdin); also unlocks the account."""
    password = _stdin_password() if password_stdin else hotpass.random_password()
    with _users(workspace) as users:
        users.set_password(username, password, by=_by())
    typer.echo(f"new password set for {username.lower()}")
    if not password_stdin:
        _shown_once(username.lower(), password)


@users_app.command("unlock")
def users_unlock(username: str = USERNAME, workspace: Path = WORKSPACE) -> None:
    """Forget a user's failed logins, so no address is held back from logging in as them."""
    with _users(workspace) as users:
        users.unlock(username, by=_by())
    typer.echo(f"unlocked {username.lower()}")
