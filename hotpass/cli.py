"""The ``hotpass`` command line: the only module that prints.

Heavy libraries are imported inside commands so ``hotpass --help`` answers fast.
Errors from the library (``HotpassError``) become one message and exit 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

import hotpass
from hotpass import HotpassError
from hotpass.cli_common import WORKSPACE, fail, login_name
from hotpass.cli_enrich import enrich_app
from hotpass.cli_privacy import privacy_app
from hotpass.cli_subject import subject_app
from hotpass.cli_users import users_app

app = typer.Typer(help="Hotpass: refine messy workbooks of organisations and contacts, people or any other "
                  "records.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
profiles_app = typer.Typer(help="List, show and validate profiles.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")
review_app = typer.Typer(help="Review uncertain duplicates: list, decide, pick, undo, Label Studio "
                         "export/import, push/pull.",
                         no_args_is_help=True)
app.add_typer(review_app, name="review")
app.add_typer(enrich_app, name="enrich")
app.add_typer(users_app, name="users")
app.add_typer(privacy_app, name="privacy")
app.add_typer(subject_app, name="subject")

PROFILE_HELP = "Profile name (see `hotpass profiles list`) or path to a profile YAML file."




def _progress(stage: str, fraction: float, message: str) -> None:
    if fraction >= 1.0:
        typer.echo(f"  {stage:<14} {message}", err=True)


@app.command()
def refine(
    files: list[Path] = typer.Argument(..., help="Workbooks to refine (.xlsx, .xlsm, .xls, .csv, .parquet)."),
    profile: str = typer.Option("generic", "--profile", "-p", help=PROFILE_HELP),
    output: Path = typer.Option(..., "--output", "-o", help="Path of the styled .xlsx deliverable."),
    csv_dir: Path | None = typer.Option(None, "--csv-dir", help="Also write one CSV per table here."),
    parquet_dir: Path | None = typer.Option(None, "--parquet-dir", help="Also write one Parquet file per table here."),
    workspace: Path = typer.Option(Path("workspace"), "--workspace", "-w",
                                   help="Workspace folder: runs, decisions, the trained model and the "
                                   "last mapping are kept here."),
    mapping: Path | None = typer.Option(None, "--mapping", "-m",
                                        help="Re-apply a saved column mapping (JSON from an earlier run)."),
    retrain: bool = typer.Option(False, "--retrain", help="Train the matching model again instead of "
                                 "reusing the one cached in the workspace."),
    retrain_from_labels: bool = typer.Option(False, "--retrain-from-labels", help="Re-estimate the matching "
                                             "model from reviewers' same/different decisions (at least 10 "
                                             "pairs among these records) and keep it in the workspace."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the result line."),
    report: Path | None = typer.Option(None, "--report", help="Folder for the quality report (HTML, "
                                       "Markdown, JSON); default: the workbook's folder."),
    reference: list[Path] | None = typer.Option(None, "--reference", help="A trusted reference list (for "
                                                "example a regulator's register) whose values are proposed "
                                                "as enrichments for the records it matches; repeatable."),
    trace: bool = typer.Option(False, "--trace", help="Print an OpenTelemetry span for the run and each "
                               "stage (counts and durations only) and the run's metrics on standard error."),
    override_gate: str | None = typer.Option(None, "--override-gate", metavar="REASON",
                                             help="Publish even though a blocking expectation failed; "
                                             "the reason is written to the audit log."),
    purpose: str | None = typer.Option(None, "--purpose", help="What the files are processed for: one of "
                                       "the profile's privacy.purposes (`hotpass profiles show`); "
                                       "columns it may not use are dropped. Default: privacy.default_purpose."),
    lawful_basis: str | None = typer.Option(None, "--lawful-basis", help="The lawful basis of the people "
                                            "in the files when a row gives none: consent, contract, "
                                            "legal_obligation, data_subject_interest, public_law_duty or "
                                            "legitimate_interest."),
) -> None:
    """Read, map, normalise, deduplicate, validate and export the FILES as one deliverable.

    Exits 2 without writing the deliverable when a blocking expectation fails.
    """
    stop_tracing = None
    report_dir = report or output.parent
    try:
        if output.suffix.lower() != ".xlsx":
            fail(f"{output}: the output must be an .xlsx file")
        prof = hotpass.load_profile(profile)
        _check_privacy(prof, purpose, lawful_basis)
        saved = hotpass.load_mappings(mapping) if mapping else None
        stop_tracing = _trace() if trace else None
        output.parent.mkdir(parents=True, exist_ok=True)
        with hotpass.Workspace(workspace) as ws:
            result = hotpass.refine(files, prof, output=output, csv_dir=csv_dir, parquet_dir=parquet_dir, saved=saved,
                         progress=(lambda *a: None) if quiet else _progress, workspace=ws, retrain=retrain,
                         retrain_from_labels=retrain_from_labels,
                         username=_user(), report_dir=report_dir, override=override_gate,
                         references=reference or (),
                         privacy={"purpose": purpose, "lawful_basis": lawful_basis} if purpose or lawful_basis else None)
            with result:
                hotpass.save_mappings(result.mappings, workspace / "last_mapping.json")
                counts, findings, outputs = result.counts, result.db.count("findings"), result.outputs
                overridden = bool(result.gate.get("override"))
                since, changed = result.changes_since, result.db.count("changes")
    except hotpass.PublishBlocked as exc:
        typer.echo(f"quality report: {report_dir}", err=True)
        fail(str(exc), code=2)
    except HotpassError as exc:
        fail(str(exc))
    finally:
        if stop_tracing is not None:
            stop_tracing()
    if overridden:
        typer.echo(f"published despite failed blocking expectation(s); reason recorded: {override_gate}",
                   err=True)
    made = ", ".join(f"{value} {metric[len('Output '):]}" for metric, value in counts.items()
                     if metric.startswith("Output "))
    typer.echo(f"wrote {output} ({made}, {findings} findings)")
    if since is not None:
        typer.echo(f"what changed since run {since}: {changed} change(s), on the Changes sheet")
    for what in ("findings", "provenance"):
        if what in outputs:
            typer.echo(f"every {'finding' if what == 'findings' else 'field provenance'}: {outputs[what]}")
    if "report_html" in outputs:
        typer.echo(f"quality report: {outputs['report_html']}")


@app.command()
def validate(
    workbook: Path = typer.Argument(..., help="A Hotpass deliverable (.xlsx) to check again."),
    profile: str | None = typer.Option(None, "--profile", "-p", help=PROFILE_HELP + " Default: the "
                                       "profile named on the workbook's Summary sheet."),
) -> None:
    """Re-run the expectation suites on a deliverable's golden sheets (Organisations, Contacts, People ...).

    Exits 2 when a blocking expectation fails, 1 when the file cannot be read.
    """
    try:
        sheets, named = hotpass.read_deliverable(workbook)
        prof = hotpass.load_profile(profile or named or "generic")
        result = hotpass.validate_tables(hotpass.golden_tables(sheets, prof, workbook), prof)
    except HotpassError as exc:
        fail(str(exc))
    for row in result.results.itertuples(index=False):
        mark = "ok  " if row.success else ("FAIL" if row.blocking else "warn")
        detail = "" if row.success else f": {row.message or f'{row.unexpected_count:,} failing'}"
        typer.echo(f"[{mark}] {row.id}{detail}")
    blocking = result.blocking_failures()
    failed = int((~result.results["success"]).sum())
    typer.echo(f"{len(result.results)} expectations, {failed} failed, {len(blocking)} blocking "
               f"({prof.name} profile, {result.seconds:.2f} s)")
    if len(blocking):
        raise typer.Exit(2)


def _trace():
    """Spans and metrics to standard error (and OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set)."""
    return hotpass.configure_telemetry(console=sys.stderr)


def _check_privacy(profile, purpose: str | None, lawful_basis: str | None) -> None:
    """Exit 1 naming the choices when --purpose or --lawful-basis is not one the profile knows."""
    try:
        hotpass.check_purpose(profile, purpose, lawful_basis)
    except ValueError as exc:
        fail(f"--purpose/--lawful-basis: {exc}")


def _user() -> str:
    return login_name()


@app.command("app")
def run_app(
    port: int = typer.Option(8501, "--port", help="Port to listen on."),
    address: str = typer.Option("127.0.0.1", "--address", help="Address to listen on (0.0.0.0 for all)."),
    workspace: Path = typer.Option(Path("workspace"), "--workspace", "-w", help="Workspace folder the "
                                   "workbench uses (users, runs, decisions)."),
) -> None:
    """Start the workbench (Streamlit) on http://ADDRESS:PORT.

    On the first start with no users it creates `admin` and prints its password once.
    """
    import os
    import subprocess

    root = Path(__file__).resolve().parent.parent
    script = root / "app.py"
    if not script.is_file():
        fail(f"{script}: the workbench is not installed here (run from a clone of the repository)")

    try:
        with hotpass.Workspace(workspace) as ws:
            password = hotpass.Users(ws).ensure_admin(by="hotpass app")
    except HotpassError as exc:
        fail(str(exc))
    if password:
        typer.echo(f"Created user admin with password {password} (shown once; change it with "
                   "`hotpass users password admin`)")
    env = {**os.environ, "HOTPASS_WORKSPACE": str(workspace.resolve()), "GX_ANALYTICS_ENABLED": "false"}
    typer.echo(f"Hotpass workbench on http://{address}:{port} (workspace {workspace.resolve()}); Ctrl+C stops it")
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", address,
               "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    try:
        raise typer.Exit(subprocess.call(command, cwd=root, env=env))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


@app.command()
def init(
    directory: Path = typer.Argument(..., help="Folder to create with sample workbooks and a starter profile."),
    rows: int = typer.Option(600, "--rows", help="Total source rows across the sample workbooks."),
    seed: int = typer.Option(7, "--seed", help="Seed for the synthetic data."),
    duplicate_rate: float = typer.Option(0.25, "--duplicate-rate",
                                         help="Share of organisations shown by more than one row (0 to 0.9)."),
) -> None:
    """Write synthetic sample workbooks and a starter profile into DIRECTORY."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        samples = hotpass.generate_samples(directory, rows=rows, seed=seed, duplicate_rate=duplicate_rate)
        hotpass.load_profile("aviation").to_yaml(directory / "profile.yaml")
    except (HotpassError, OSError, ValueError) as exc:
        fail(f"{directory}: {exc}")
    for path in samples.files:
        typer.echo(f"sample workbook: {path}")
    typer.echo(f"ground truth:    {samples.truth_records}")
    typer.echo(f"starter profile: {directory / 'profile.yaml'}")


@profiles_app.command("list")
def profiles_list() -> None:
    """List the shipped profiles."""
    for name, path in hotpass.available_profiles().items():
        try:
            description = hotpass.load_profile(path).description
        except HotpassError:
            description = "(invalid: run `hotpass profiles validate`)"
        typer.echo(f"{name:<12} {description}")


@profiles_app.command("show")
def profiles_show(profile: str = typer.Argument(..., help=PROFILE_HELP)) -> None:
    """Print a profile as YAML, defaults included."""
    try:
        typer.echo(hotpass.load_profile(profile).to_yaml(), nl=False)
    except HotpassError as exc:
        fail(str(exc))


@profiles_app.command("validate")
def profiles_validate(profile: str = typer.Argument(..., help=PROFILE_HELP)) -> None:
    """Check a profile and list every problem with its key path."""
    try:
        prof = hotpass.load_profile(profile)
    except HotpassError as exc:
        fail(str(exc))
    typer.echo(f"profile {prof.name} is valid")


@app.command()
def doctor(workspace: Path = typer.Option(Path("workspace"), "--workspace", "-w", help="Workspace folder to check.")) -> None:
    """Check Python, packages, profiles, the workspace and Chromium."""
    failed = False
    for check in hotpass.run_checks(workspace):
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[check.status]
        typer.echo(f"[{mark}] {check.name}: {check.detail}")
        failed |= check.status == "fail"
    raise typer.Exit(1 if failed else 0)


REVIEWER_OPTION = typer.Option(None, "--reviewer", "-r", help="Who decides (default: the login name).")


@review_app.command("list")
def review_list(workspace: Path = WORKSPACE,
                limit: int = typer.Option(20, "--limit", "-n", help="Show at most this many pairs."),
                decisions: bool = typer.Option(False, "--decisions", help="List the decisions made instead.")) -> None:
    """Show the pending pairs of the latest run, most uncertain first (or the decisions)."""
    try:
        with hotpass.Workspace(workspace) as ws:
            if decisions:
                for row in ws.decisions(active_only=False).itertuples(index=False):
                    state = f"undone by {row.undone_by}" if row.undone_at else "active"
                    other = row.other_key if row.kind == "pick" else hotpass.display_id(row.other_key)
                    typer.echo(f"#{row.decision_id} {row.kind} {hotpass.display_id(row.record_key)} {other} "
                               f"by {row.reviewer} ({state}){': ' + row.note if row.note else ''}")
                return
            reviewed, remaining = hotpass.review.counts(ws)
            typer.echo(f"{reviewed} reviewed, {remaining} remaining")
            for row in hotpass.review.queue(ws).head(limit).itertuples(index=False):
                typer.echo(f"{row.match_probability:.3f}  {hotpass.display_id(row.key_l)}  {hotpass.display_id(row.key_r)}  "
                           f"{hotpass.review.side_label(row, 'l')} | {hotpass.review.side_label(row, 'r')}")
    except HotpassError as exc:
        fail(str(exc))


@review_app.command("decide")
def review_decide(
    verdict: str = typer.Argument(..., help="same | different | split | move"),
    record_key: str = typer.Argument(..., help="Record key or id (see `hotpass review list` or the Clusters sheet)."),
    other_key: str | None = typer.Argument(None, help="The other record (same, different) or the record "
                                            "whose cluster to move into (move)."),
    note: str | None = typer.Option(None, "--note", help="Why; kept with the decision."),
    reviewer: str | None = REVIEWER_OPTION,
    workspace: Path = WORKSPACE,
) -> None:
    """Record a decision; the next `hotpass refine` honours it."""
    try:
        with hotpass.Workspace(workspace) as ws:
            record_key = hotpass.review.record_key(ws, record_key)
            other_key = hotpass.review.record_key(ws, other_key) if other_key else None
            members = hotpass.review.cluster_members(ws, record_key) if verdict in ("split", "move") else None
            decision = ws.decide(verdict, record_key, other_key, members, reviewer or _user(), note)
    except HotpassError as exc:
        fail(str(exc))
    typer.echo(f"decision #{decision}: {verdict} recorded; run `hotpass refine` again to apply it")


@review_app.command("pick")
def review_pick(
    record: str = typer.Argument(..., help="The record whose value survives: its id (ORG-1A2B…) or record key."),
    field: str = typer.Argument(..., help="The field, as the profile names it (phone, email, full_name...)."),
    note: str | None = typer.Option(None, "--note", help="Why; kept with the decision."),
    reviewer: str | None = REVIEWER_OPTION,
    workspace: Path = WORKSPACE,
) -> None:
    """Pick the surviving value of a field: RECORD's value of FIELD wins in its golden record
    from the next `hotpass refine`, before the survivorship rules."""
    try:
        with hotpass.Workspace(workspace) as ws:
            decision = hotpass.review.pick(ws, record, field, reviewer or _user(), note)
    except HotpassError as exc:
        fail(str(exc))
    typer.echo(f"decision #{decision}: pick of {field} recorded; run `hotpass refine` again to apply it")


@review_app.command("accuracy")
def review_accuracy(workspace: Path = WORKSPACE,
                    run: int | None = typer.Option(None, "--run", help="Run to measure (default: the latest "
                                                   "finished run).")) -> None:
    """Precision, recall and F1 of a run's scored pairs against the same/different decisions, by
    match threshold (* marks the profile's)."""
    try:
        with hotpass.Workspace(workspace) as ws:
            table = hotpass.label_accuracy(ws, run)
    except HotpassError as exc:
        fail(str(exc))
    if not len(table) or not table["labels"].iloc[0]:
        fail("no same/different decisions on this run's records yet; decide some with `hotpass review decide`")
    typer.echo(f"{table['labels'].iloc[0]} labelled pairs")
    typer.echo("threshold  precision  recall  f1     tp  fp  fn")
    for row in table.itertuples(index=False):
        typer.echo(f"{'*' if row.current else ' '}{row.threshold:<9.2f} {_share(row.precision):<10} "
                   f"{_share(row.recall):<7} {_share(row.f1):<6} {row.tp:<3} {row.fp:<3} {row.fn}")


def _share(value) -> str:
    return "-" if value is None or value != value else f"{value:.3f}"


@review_app.command("undo")
def review_undo(decision: int | None = typer.Argument(None, help="Decision number to undo."),
                last: int = typer.Option(0, "--last", help="Undo this reviewer's last N decisions instead."),
                reviewer: str | None = REVIEWER_OPTION, workspace: Path = WORKSPACE) -> None:
    """Withdraw decisions: the machine's verdict applies again from the next run."""
    try:
        with hotpass.Workspace(workspace) as ws:
            if decision is not None:
                ws.undo(decision, reviewer or _user())
                undone = [decision]
            elif last:
                undone = ws.undo_last(reviewer or _user(), last)
            else:
                fail("name a decision number or use --last N")
    except HotpassError as exc:
        fail(str(exc))
    typer.echo(f"undone: {', '.join(f'#{d}' for d in undone) or 'nothing'}")


@review_app.command("export")
def review_export(path: Path = typer.Argument(..., help="Label Studio tasks file to write (.json)."),
                  limit: int | None = typer.Option(None, "--limit", "-n", help="Export at most this many pairs."),
                  workspace: Path = WORKSPACE) -> None:
    """Write the pending pairs as Label Studio tasks plus the labelling config (.xml beside it)."""
    try:
        with hotpass.Workspace(workspace) as ws:
            result = hotpass.review.export_label_studio(ws, path, limit)
    except HotpassError as exc:
        fail(str(exc))
    typer.echo(f"wrote {result.count} tasks to {result.tasks} and the labelling config to {result.config}")


@review_app.command("import")
def review_import(path: Path = typer.Argument(..., help="Label Studio export (JSON) with completed annotations."),
                  workspace: Path = WORKSPACE) -> None:
    """Turn completed Label Studio annotations into decisions."""
    try:
        with hotpass.Workspace(workspace) as ws:
            result = hotpass.review.import_label_studio(ws, path)
    except HotpassError as exc:
        fail(str(exc))
    typer.echo(f"{len(result.decided)} decisions imported, {len(result.skipped)} skipped")
    for reason in result.skipped:
        typer.echo(f"  skipped {reason}", err=True)


LS_URL_OPTION = typer.Option(None, "--url", help="Label Studio address (default: the Admin page's setting, "
                             "else $HOTPASS_LABEL_STUDIO_URL).")
LS_TOKEN_OPTION = typer.Option(None, "--token", help="Label Studio token, legacy or personal access token "
                               "(default: the Admin page's setting, else $HOTPASS_LABEL_STUDIO_TOKEN).")
LS_PROJECT_OPTION = typer.Option(None, "--project", help="Label Studio project title (default: the Admin "
                                 "page's setting, else \"Hotpass review\").")


@review_app.command("push")
def review_push(url: str | None = LS_URL_OPTION, token: str | None = LS_TOKEN_OPTION,
                project: str | None = LS_PROJECT_OPTION,
                limit: int | None = typer.Option(None, "--limit", "-n", help="Push at most this many pairs."),
                workspace: Path = WORKSPACE) -> None:
    """Send the pending pairs to a Label Studio project (made when missing); pairs it holds are not sent again."""
    from hotpass import labelstudio

    try:
        with hotpass.Workspace(workspace) as ws:
            result = labelstudio.push(ws, labelstudio.server(ws, url, token, project), limit, by=_user())
    except HotpassError as exc:
        fail(str(exc))
    typer.echo(f"pushed {result.pushed} pairs to project {result.project_id} at {result.url} "
               f"({result.already} already there)")


@review_app.command("pull")
def review_pull(url: str | None = LS_URL_OPTION, token: str | None = LS_TOKEN_OPTION,
                project: str | None = LS_PROJECT_OPTION, workspace: Path = WORKSPACE) -> None:
    """Turn the project's completed Label Studio annotations into decisions by their annotators."""
    from hotpass import labelstudio

    try:
        with hotpass.Workspace(workspace) as ws:
            result = labelstudio.pull(ws, labelstudio.server(ws, url, token, project), by=_user())
    except HotpassError as exc:
        fail(str(exc))
    typer.echo(f"{len(result.decided)} decisions pulled, {len(result.skipped)} skipped, "
               f"{result.unchanged} pulled before")
    for reason in result.skipped:
        typer.echo(f"  skipped {reason}", err=True)


def main() -> None:
    """Entry point of the ``hotpass`` command."""
    app()


if __name__ == "__main__":
    sys.exit(main())
