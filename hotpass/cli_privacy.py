"""``hotpass privacy``: the suppression list, retention purges and the register of processing."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import typer

import hotpass
from hotpass import HotpassError
from hotpass.cli_common import WORKSPACE, fail, login_name

privacy_app = typer.Typer(help="Personal data (POPIA): suppress people, purge what is past retention, "
                          "print the register of processing.", no_args_is_help=True)

EMAIL = typer.Option(None, "--email", help="The person's email address (any case).")
PHONE = typer.Option(None, "--phone", help="The person's phone number (any format; read as E.164).")
OUTPUT = typer.Option(None, "--output", "-o", help="Write it here instead of printing.")
NAME = typer.Option(None, "--name", help="The person's full name: suppresses everyone of that name, "
                    "so prefer an email or phone.")




@contextmanager
def _workspace(workspace: Path):
    """The workspace; a ``HotpassError`` or ``ValueError`` becomes ``error: ...`` and exit 1."""
    try:
        with hotpass.Workspace(workspace) as ws:
            yield ws
    except (HotpassError, ValueError) as exc:
        fail(str(exc))


@privacy_app.command()
def suppress(email: str | None = EMAIL, phone: str | None = PHONE, name: str | None = NAME,
             reason: str = typer.Option(..., "--reason", help="Why (an objection, an erasure request ...); audited."),
             workspace: Path = WORKSPACE) -> None:
    """Keep a person out of every export of every later run (stored as salted hashes only)."""
    with _workspace(workspace) as ws:
        added = hotpass.suppress(ws, email=email, phone=phone, name=name, reason=reason, username=login_name())
    typer.echo(f"{added} identifier(s) added to the suppression list")


@privacy_app.command()
def unsuppress(email: str | None = EMAIL, phone: str | None = PHONE, name: str | None = NAME,
               workspace: Path = WORKSPACE) -> None:
    """Take a person's identifiers off the suppression list (audited)."""
    with _workspace(workspace) as ws:
        removed = hotpass.unsuppress(ws, email=email, phone=phone, name=name, username=login_name())
    typer.echo(f"{removed} identifier(s) taken off the suppression list")


@privacy_app.command()
def suppressed(email: str | None = EMAIL, phone: str | None = PHONE, name: str | None = NAME,
               workspace: Path = WORKSPACE) -> None:
    """How many identifiers are on the suppression list (never which); with an identifier, whether it is."""
    with _workspace(workspace) as ws:
        if email or phone or name:
            listed = hotpass.is_suppressed(ws, email=email, phone=phone, name=name)
            typer.echo("on the suppression list" if listed else "not on the suppression list")
            return
        counts = hotpass.suppression_counts(ws)
    typer.echo(", ".join(f"{kind}: {number}" for kind, number in counts.items()))


@privacy_app.command()
def purge(dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be removed; remove nothing."),
          profile: str = typer.Option("generic", "--profile", "-p", help="Profile whose retention applies to "
                                      "uploads (runs use their own profile's)."),
          days: int | None = typer.Option(None, "--days", min=1, help="Keep this many days instead of every "
                                          "profile's privacy.retention_days."),
          workspace: Path = WORKSPACE) -> None:
    """Remove runs (database and outputs), uploads and caches past retention; print the report."""
    with _workspace(workspace) as ws:
        report = hotpass.purge(ws, dry_run=dry_run, username=login_name(), days=days,
                                 profile=hotpass.load_profile(profile))
    typer.echo(report.markdown())
    if report.report_path:
        typer.echo(f"report: {report.report_path}")


@privacy_app.command(name="register")
def register_(fmt: str = typer.Option("markdown", "--format", "-f", help="markdown or csv."),
              output: Path | None = OUTPUT,
              workspace: Path = WORKSPACE) -> None:
    """The register of processing: personal fields, purposes, lawful bases, retention, access, recipients."""
    if fmt not in ("markdown", "csv"):
        fail(f"--format: {fmt!r} is not markdown or csv")
    with _workspace(workspace) as ws:
        text = hotpass.register_csv(ws) if fmt == "csv" else hotpass.register_markdown(ws)
        ws.audit(login_name(), "privacy.register", format=fmt)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}")
