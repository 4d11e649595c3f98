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
COLUMNS = ["proposal_id", "record_kind", "record_id", "record_keys", "field", "current", "proposed", "provider",
           "evidence", "confidence", "created_at", "run_id", "status", "auto", "reviewer", "decided_at", "note"]
_QUOTED = ", ".join(f'"{c}"' for c in COLUMNS)  # "current" is an SQL keyword
_INSERT = f"INSERT INTO proposals ({_QUOTED}) VALUES ({', '.join('?' * len(COLUMNS))})"
_CHUNK = 500  # ids per query: SQLite takes a limited number of parameters


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def identity(kind: str, field: str, proposed: str, keys: Iterable[str]) -> set[tuple]:
    """The identities of a proposal: one per source record key of its golden record."""
    return {(kind, field, proposed, key) for key in keys}


class ProposalStore:
    """The proposals table of a workspace (:mod:`hotpass.workspace`)."""

    def __init__(self, workspace):
        self.ws = workspace

    def frame(self, status: str | None = None, provider: str | None = None, field: str | None = None,
              min_confidence: float | None = None) -> pd.DataFrame:
        """Stored proposals, oldest first, optionally filtered."""
        sql, params = "SELECT * FROM proposals WHERE 1=1", []
        for column, value in (("status", status), ("provider", provider), ("field", field)):
            if value:
                sql, params = sql + f" AND {column} = ?", [*params, value]
        if min_confidence is not None:
            sql, params = sql + " AND confidence >= ?", [*params, float(min_confidence)]
        return self.ws.query_frame(sql + " ORDER BY proposal_id", params)

    def record(self, proposals: list[Proposal], run_id: int | None,
               auto_approve: dict[str, float] | None = None) -> list[int]:
        """Store the proposals not seen before (pending, or approved when the profile auto-approves
        their provider at their confidence); returns the ids of all of them, new or known."""
        ids, rows, auto_approve = [], [], auto_approve or {}
        with self.ws.transaction():
            known = self._known()
            next_id = self._next_id()
            for p in proposals:
                found = next((known[i] for i in identity(p.record_kind, p.field, p.proposed, p.record_keys)
                              if i in known), None)
                if found is not None:
                    ids.append(found)
                    continue
                auto = p.provider in auto_approve and p.confidence >= auto_approve[p.provider]
                stamp = _now()
                rows.append([next_id, p.record_kind, p.record_id, "; ".join(p.record_keys), p.field, p.current,
                             p.proposed, p.provider, p.evidence, float(p.confidence), stamp, run_id,
                             "approved" if auto else "pending", auto, "auto" if auto else None,
                             stamp if auto else None, None])
                for ident in identity(p.record_kind, p.field, p.proposed, p.record_keys):
                    known[ident] = next_id
                ids.append(next_id)
                next_id += 1
            self.ws.executemany(_INSERT, rows)
            self.ws.audit("hotpass", "enrich.proposed", run_id=run_id, proposals=len(proposals), stored=len(rows))
        return ids

    def _known(self) -> dict[tuple, int]:
        known: dict[tuple, int] = {}
        for pid, kind, field, proposed, keys in self.ws.query(
                "SELECT proposal_id, record_kind, field, proposed, record_keys FROM proposals"):
            for ident in identity(kind, field, proposed, keys.split("; ")):
                known[ident] = int(pid)
        return known

    def _next_id(self) -> int:
        """The id the next proposal gets (ids are never reused, as AUTOINCREMENT promises)."""
        rows = self.ws.query("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'proposals'), 0), "
                             "coalesce((SELECT max(proposal_id) FROM proposals), 0))")
        return int(rows[0][0]) + 1

    def _statuses(self, ids: list[int]) -> dict[int, str]:
        found = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            found.update((int(pid), status) for pid, status in self.ws.query(
                f"SELECT proposal_id, status FROM proposals WHERE proposal_id IN ({', '.join('?' * len(chunk))})",
                chunk))
        return found

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
        with self.ws.transaction():
            found = self._statuses(wanted)
            missing = [i for i in wanted if i not in found]
            if missing:
                raise WorkspaceError(f"{self.ws.path}: no proposal {', '.join(map(str, missing))}")
            changed = [i for i in wanted if found[i] != status]
            decided = None if status == "pending" else _now()
            who = None if status == "pending" else reviewer
            self.ws.executemany(
                "UPDATE proposals SET status = ?, auto = 0, reviewer = ?, decided_at = ?, note = ? "
                "WHERE proposal_id = ?", ([status, who, decided, note, pid] for pid in changed))
            if changed:
                self.ws.audit(reviewer, action, proposals=json.dumps(changed))
        return changed
