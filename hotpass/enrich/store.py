"""Proposals kept in the workspace, with people's approvals, rejections and undo.

A proposal is identified by what it says, not by the run that made it: the
record (any of its source record keys), the field and the proposed value. A
later run that proposes the same value for the same record finds the stored
proposal and keeps its status, so a rejected value is never proposed again and
an approved one stays approved.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime

import pandas as pd

from hotpass.enrich.base import Proposal
from hotpass.errors import WorkspaceError

STATUSES = ("pending", "approved", "rejected")
SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS proposal_ids START 1;
CREATE TABLE IF NOT EXISTS proposals (
    proposal_id BIGINT PRIMARY KEY, record_kind VARCHAR NOT NULL, record_id VARCHAR NOT NULL,
    record_keys VARCHAR NOT NULL, field VARCHAR NOT NULL, current VARCHAR, proposed VARCHAR NOT NULL,
    provider VARCHAR NOT NULL, evidence VARCHAR, confidence DOUBLE NOT NULL, created_at TIMESTAMP NOT NULL,
    run_id BIGINT, status VARCHAR NOT NULL, auto BOOLEAN NOT NULL, reviewer VARCHAR, decided_at TIMESTAMP,
    note VARCHAR);
"""
COLUMNS = ["proposal_id", "record_kind", "record_id", "record_keys", "field", "current", "proposed", "provider",
           "evidence", "confidence", "created_at", "run_id", "status", "auto", "reviewer", "decided_at", "note"]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def identity(kind: str, field: str, proposed: str, keys: Iterable[str]) -> set[tuple]:
    """The identities of a proposal: one per source record key of its golden record."""
    return {(kind, field, proposed, key) for key in keys}


class ProposalStore:
    """The proposals table of a workspace (created on first use)."""

    def __init__(self, workspace):
        self.ws = workspace
        self.ws.con.execute(SCHEMA)

    def frame(self, status: str | None = None, provider: str | None = None, field: str | None = None,
              min_confidence: float | None = None) -> pd.DataFrame:
        """Stored proposals, oldest first, optionally filtered."""
        sql, params = "SELECT * FROM proposals WHERE 1=1", []
        for column, value in (("status", status), ("provider", provider), ("field", field)):
            if value:
                sql, params = sql + f" AND {column} = ?", [*params, value]
        if min_confidence is not None:
            sql, params = sql + " AND confidence >= ?", [*params, float(min_confidence)]
        return self.ws._frame(sql + " ORDER BY proposal_id", params)

    def record(self, proposals: list[Proposal], run_id: int | None,
               auto_approve: dict[str, float] | None = None) -> list[int]:
        """Store the proposals not seen before (pending, or approved when the profile auto-approves
        their provider at their confidence); returns the ids of all of them, new or known."""
        known: dict[tuple, int] = {}
        for row in self.frame().itertuples(index=False):
            for ident in identity(row.record_kind, row.field, row.proposed, row.record_keys.split("; ")):
                known[ident] = int(row.proposal_id)
        ids, created, auto_approve = [], 0, auto_approve or {}
        with self.ws.transaction():
            for p in proposals:
                found = next((known[i] for i in identity(p.record_kind, p.field, p.proposed, p.record_keys)
                              if i in known), None)
                if found is not None:
                    ids.append(found)
                    continue
                auto = p.provider in auto_approve and p.confidence >= auto_approve[p.provider]
                (pid,), = self.ws._rows("SELECT nextval('proposal_ids')")
                self.ws.con.execute(
                    f"INSERT INTO proposals VALUES ({', '.join('?' * len(COLUMNS))})",
                    [pid, p.record_kind, p.record_id, "; ".join(p.record_keys), p.field, p.current, p.proposed,
                     p.provider, p.evidence, float(p.confidence), _now(), run_id,
                     "approved" if auto else "pending", auto, "auto" if auto else None,
                     _now() if auto else None, None])
                for ident in identity(p.record_kind, p.field, p.proposed, p.record_keys):
                    known[ident] = int(pid)
                ids.append(int(pid))
                created += 1
            self.ws.audit("hotpass", "enrich.proposed", run_id=run_id, proposals=len(proposals), stored=created)
        return ids

    def decide(self, ids: Iterable[int], status: str, reviewer: str, note: str | None = None) -> list[int]:
        """Approve or reject proposals (each audited); returns the ids changed."""
        if status not in ("approved", "rejected"):
            raise WorkspaceError(f"unknown verdict {status!r}; use approved or rejected")
        action = {"approved": "enrich.approve", "rejected": "enrich.reject"}[status]
        return self._set(ids, status, reviewer, note, action)

    def undo(self, ids: Iterable[int], reviewer: str) -> list[int]:
        """Put decided proposals back to pending."""
        return self._set(ids, "pending", reviewer, None, "enrich.undo")

    def _set(self, ids: Iterable[int], status: str, reviewer: str, note: str | None, action: str) -> list[int]:
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return []
        marks = ", ".join("?" * len(wanted))
        found = {int(r[0]): r[1] for r in self.ws._rows(
            f"SELECT proposal_id, status FROM proposals WHERE proposal_id IN ({marks})", wanted)}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise WorkspaceError(f"{self.ws.path}: no proposal {', '.join(map(str, missing))}")
        changed = [i for i in wanted if found[i] != status]
        with self.ws.transaction():
            for pid in changed:
                decided = None if status == "pending" else _now()
                self.ws.con.execute(
                    "UPDATE proposals SET status = ?, auto = false, reviewer = ?, decided_at = ?, note = ? "
                    "WHERE proposal_id = ?", [status, None if status == "pending" else reviewer, decided, note, pid])
            if changed:
                self.ws.audit(reviewer, action, proposals=json.dumps(changed))
        return changed
