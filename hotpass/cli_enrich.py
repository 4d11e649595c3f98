"""``hotpass enrich``: list, approve, reject and undo enrichment proposals (part of the CLI)."""

from __future__ import annotations

from pathlib import Path

import typer

import hotpass
from hotpass import HotpassError
from hotpass.cli_common import WORKSPACE, fail, login_name

enrich_app = typer.Typer(help="Enrichment proposals: list, approve, reject, undo.", no_args_is_help=True)

REVIEWER = typer.Option(None, "--reviewer", "-r", help="Who decides (default: the login name).")
PROVIDER = typer.Option(None, "--provider", help="Only proposals of this provider.")
FIELD = typer.Option(None, "--field", help="Only proposals for this field.")
MIN_CONFIDENCE = typer.Option(None, "--min-confidence", help="Only proposals at or above this confidence.")
NOTE = typer.Option(None, "--note", help="Why; kept with the decision.")
IDS = typer.Argument(None, help="Proposal numbers (see `hotpass enrich list`).")




def _user(reviewer: str | None) -> str:
    return reviewer or login_name()


@enrich_app.command("list")
def enrich_list(
    status: str | None = typer.Option("pending", "--status", help="pending, approved, rejected or all."),
    provider: str | None = PROVIDER, field: str | None = FIELD, min_confidence: float | None = MIN_CONFIDENCE,
    limit: int = typer.Option(50, "--limit", "-n", help="Show at most this many."),
    workspace: Path = WORKSPACE,
) -> None:
    """Show proposals with their evidence, most confident first."""
    try:
        with hotpass.Workspace(workspace) as ws:
            frame = hotpass.ProposalStore(ws).frame(None if status == "all" else status, provider, field, min_confidence)
    except HotpassError as exc:
        fail(str(exc))
    counts = frame["status"].value_counts().to_dict() if len(frame) else {}
    typer.echo(f"{len(frame)} proposal(s)" + (f" ({', '.join(f'{v} {k}' for k, v in counts.items())})"
                                              if counts else ""))
    shown = frame.sort_values(["confidence", "proposal_id"], ascending=[False, True], kind="stable").head(limit)
    for row in shown.itertuples(index=False):
        typer.echo(f"#{row.proposal_id} [{row.status}] {row.record_id} {row.field}: {row.current or '(empty)'} -> "
                   f"{row.proposed}  ({row.provider}, {float(row.confidence):.2f}; {row.evidence})")


def _decide(verdict: str, ids, provider, field, min_confidence, all_pending, note, reviewer, workspace) -> None:

    if not ids and not (provider or field or min_confidence is not None or all_pending):
        fail("name proposal numbers, or select by --provider, --field, --min-confidence or --all")
    try:
        with hotpass.Workspace(workspace) as ws:
            store = hotpass.ProposalStore(ws)
            chosen = list(ids or [])
            if not ids:
                chosen = store.frame("pending", provider, field, min_confidence)["proposal_id"].tolist()
            changed = store.decide(chosen, verdict, _user(reviewer), note)
    except HotpassError as exc:
        fail(str(exc))
    typer.echo(f"{len(changed)} proposal(s) {verdict}; the next `hotpass refine` applies approved values")


@enrich_app.command("approve")
def enrich_approve(ids: list[int] | None = IDS, provider: str | None = PROVIDER, field: str | None = FIELD,
                   min_confidence: float | None = MIN_CONFIDENCE,
                   all_pending: bool = typer.Option(False, "--all", help="Every pending proposal."),
                   note: str | None = NOTE, reviewer: str | None = REVIEWER, workspace: Path = WORKSPACE) -> None:
    """Approve proposals, by number or every pending one selected by provider, field or confidence."""
    _decide("approved", ids, provider, field, min_confidence, all_pending, note, reviewer, workspace)


@enrich_app.command("reject")
def enrich_reject(ids: list[int] | None = IDS, provider: str | None = PROVIDER, field: str | None = FIELD,
                  min_confidence: float | None = MIN_CONFIDENCE,
                  all_pending: bool = typer.Option(False, "--all", help="Every pending proposal."),
                  note: str | None = NOTE, reviewer: str | None = REVIEWER, workspace: Path = WORKSPACE) -> None:
    """Reject proposals; a rejected value is never proposed again for that record."""
    _decide("rejected", ids, provider, field, min_confidence, all_pending, note, reviewer, workspace)


@enrich_app.command("undo")
def enrich_undo(ids: list[int] = typer.Argument(..., help="Proposal numbers to put back to pending."),
                reviewer: str | None = REVIEWER, workspace: Path = WORKSPACE) -> None:
    """Put approved or rejected proposals back to pending."""
    try:
        with hotpass.Workspace(workspace) as ws:
            changed = hotpass.ProposalStore(ws).undo(ids, _user(reviewer))
    except HotpassError as exc:
        fail(str(exc))
    typer.echo(f"{len(changed)} proposal(s) back to pending")
