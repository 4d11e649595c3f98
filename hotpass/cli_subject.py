"""``hotpass subject``: data-subject requests — search, export, correct, erase (part of the CLI).

The person is named by ``--email``, ``--phone`` and/or ``--name``. What is
printed names places (run, table or file, sheet, row, columns), never the
values they hold; ``export`` writes those values into the zip the person is
sent. Every command is audited without the values searched for.
"""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from pathlib import Path

import typer

import hotpass
from hotpass import HotpassError
from hotpass.cli_common import WORKSPACE, fail, login_name

subject_app = typer.Typer(help="Data-subject requests (POPIA): find everything held about one person, "
                          "export it, correct it or erase it.", no_args_is_help=True)

EMAIL = typer.Option(None, "--email", help="The person's email address (any case).")
PHONE = typer.Option(None, "--phone", help="The person's phone number (any format; compared as E.164).")
NAME = typer.Option(None, "--name", help="The person's full name (case, accents and spacing ignored; "
                    "similar names are listed as possible, never erased).")


def _dsar(name: str = "dsar"):
    """A module of :mod:`hotpass.privacy` (imported when a command runs: it needs the normalisers)."""
    return importlib.import_module(f"hotpass.privacy.{name}")




@contextmanager
def _request(workspace: Path, email, phone, name):
    """(workspace, subject); a ``HotpassError`` becomes ``error: ...`` and exit 1."""
    try:
        subject = _dsar().Subject.of(email=email, phone=phone, name=name)
        with hotpass.Workspace(workspace) as ws:
            yield ws, subject
    except HotpassError as exc:
        fail(str(exc))


def _show(found) -> None:
    frame = found.frame()
    for row in frame.itertuples(index=False):
        run = f"run {row.run}" if row.run is not None else "-"
        where = " · ".join(str(v) for v in (row.sheet, f"row {row.row}" if row.row is not None else None) if v)
        typer.echo(f"{row.match:<8} {row.area:<10} {run:<7} {row.location}"
                   + (f" · {where}" if where else "") + f" · {row.columns} ({row.keys})")
    for note in found.notes:
        typer.echo(f"note: {note}", err=True)
    counts = ", ".join(f"{n} {area}" for area, n in sorted(found.counts().items())) or "nothing"
    typer.echo(f"{len(found.exact)} place(s) hold this person ({counts}); {len(found.possible)} possible "
               "(a similar name)")


@subject_app.command("search")
def subject_search(email: str | None = EMAIL, phone: str | None = PHONE, name: str | None = NAME,
                   workspace: Path = WORKSPACE) -> None:
    """List every place the workspace holds the person: run tables, outputs, uploads, workspace tables."""
    with _request(workspace, email, phone, name) as (ws, subject):
        _show(_dsar().search(ws, subject, login_name()))


@subject_app.command("export")
def subject_export(output: Path = typer.Option(..., "--output", "-o", help="The zip to write (JSON, "
                                               "Markdown and HTML of everything held)."),
                   email: str | None = EMAIL, phone: str | None = PHONE, name: str | None = NAME,
                   workspace: Path = WORKSPACE) -> None:
    """Write everything held about the person (a data-subject access request) as a zip."""
    with _request(workspace, email, phone, name) as (ws, subject):
        dsar = _dsar()
        found = dsar.search(ws, subject, login_name(), audit=False)
        path = dsar.export(ws, found, output, login_name())
    typer.echo(f"wrote {path}: {len(found.exact)} place(s), {len(found.possible)} possible")


@subject_app.command("correct")
def subject_correct(field: str = typer.Option(..., "--field", help="The golden record's field to correct "
                                              "(a column of the person's golden record)."),
                    value: str = typer.Option(..., "--value", help="The corrected value."),
                    email: str | None = EMAIL, phone: str | None = PHONE, name: str | None = NAME,
                    workspace: Path = WORKSPACE) -> None:
    """Store a correction applied to the person's golden record in every later run."""
    with _request(workspace, email, phone, name) as (ws, subject):
        correction_id = _dsar().correct(ws, subject, field, value, login_name())
    typer.echo(f"correction {correction_id} stored: {field} is corrected in every later run")


@subject_app.command("erase")
def subject_erase(reason: str = typer.Option(..., "--reason", help="The request this erasure answers "
                                             "(kept with the suppression entry)."),
                  yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
                  email: str | None = EMAIL, phone: str | None = PHONE, name: str | None = NAME,
                  workspace: Path = WORKSPACE) -> None:
    """Remove the person from every run, output, upload and workspace table, and suppress them."""
    with _request(workspace, email, phone, name) as (ws, subject):
        found = _dsar().search(ws, subject, login_name(), audit=False)
        if not found.exact:
            typer.echo("nothing holds this person: nothing to erase")
            return
        if not yes and not typer.confirm(f"Erase this person from {len(found.exact)} place(s) in "
                                         f"{len(found.runs)} run(s)? This cannot be undone"):
            typer.echo("not erased")
            raise typer.Exit(1)
        done = _dsar("dsar_erase").erase(ws, subject, reason=reason, username=login_name())
    typer.echo(f"erased: {len(done.runs)} run(s) rebuilt, {done.source_rows} source row(s) removed, "
               f"{done.cells} cell(s) cut, {len(done.uploads_rewritten)} upload(s) rewritten, "
               f"{len(done.uploads_removed)} removed, {len(done.files_removed)} stale file(s) deleted, "
               f"{sum(done.workspace_rows.values())} workspace row(s); suppressed ({done.suppressed} new)")
    for note in done.notes:
        typer.echo(f"note: {note}", err=True)
    if done.left:
        typer.echo(f"warning: {len(done.left)} place(s) still hold this person:", err=True)
        for place in done.left:
            typer.echo(f"  {place.where()}", err=True)
        raise typer.Exit(1)
