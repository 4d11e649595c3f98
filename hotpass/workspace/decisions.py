"""Reviewers' decisions about duplicates, kept for every later run, with undo.

Each decision is written in its own transaction, so a crash loses nothing that
was committed. Decisions are never deleted: undoing one marks it undone.

Kinds: ``same`` and ``different`` name two records (``record_key``,
``other_key``); ``split`` keeps ``record_key`` apart from the other ``members``
of its cluster; ``move`` does too and joins it with ``other_key``; ``pick``
says which record's value of a field (``other_key`` holds the field's name)
survives in the golden record of the cluster the record ends up in.
Decisions stored together by :meth:`Decisions.decide_all` (a reviewer's "same
for all") share their time and are undone together by :meth:`Decisions.undo_action`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from hotpass.errors import WorkspaceError
from hotpass.workspace.database import Database, now

if TYPE_CHECKING:
    import pandas as pd

DECISION_KINDS = ("same", "different", "split", "move", "pick")
#: Kinds that join or part records (``pick`` does neither).
PAIR_KINDS = ("same", "different", "split", "move")


def check_decision(kind: str, record_key: str, other_key: str | None, members: list[str] | None) -> None:
    """Raise ``WorkspaceError`` when a decision is incomplete or of an unknown kind."""
    if kind not in DECISION_KINDS:
        raise WorkspaceError(f"unknown decision {kind!r}; use one of {', '.join(DECISION_KINDS)}")
    if not record_key:
        raise WorkspaceError(f"a {kind} decision needs a record key")
    if kind in ("same", "different", "move") and (not other_key or other_key == record_key):
        raise WorkspaceError(f"a {kind} decision needs a second, different record key")
    if kind == "split" and not members:
        raise WorkspaceError("a split decision needs the other members of the cluster")
    if kind == "pick" and (not other_key or ":" in other_key):
        raise WorkspaceError("a pick decision needs the name of the field whose value it picks")


class Decisions(Database):
    """The decisions table."""

    def decide(self, kind: str, record_key: str, other_key: str | None = None, members: list[str] | None = None,
               reviewer: str = "unknown", note: str | None = None) -> int:
        """Store a reviewer's decision and audit it; returns the decision id.

        ``same``/``different`` name two records; ``split`` takes ``record_key``
        out of the cluster whose other ``members`` are given; ``move`` puts it
        with ``other_key`` and out of its old cluster's ``members``.
        """
        check_decision(kind, record_key, other_key, members)
        with self.transaction():
            return self._insert(kind, record_key, other_key, members, reviewer, note, now())

    def decide_all(self, kind: str, pairs: list[tuple[str, str]], reviewer: str = "unknown",
                   note: str | None = None, members: list[str] | None = None) -> list[int]:
        """Store one ``kind`` decision per (record_key, other_key) of ``pairs`` as one action: one
        transaction, one time (so :meth:`undo_action` undoes them together); returns their ids."""
        for key, other in pairs:
            check_decision(kind, key, other, members)
        if not pairs:
            raise WorkspaceError(f"a {kind} decision needs at least one pair of records")
        at = now()
        with self.transaction():
            return [self._insert(kind, key, other, members, reviewer, note, at) for key, other in pairs]

    def _insert(self, kind, record_key, other_key, members, reviewer, note, at) -> int:
        decision_id = self.execute(
            "INSERT INTO decisions (kind, record_key, other_key, members, reviewer, note, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [kind, record_key, other_key, json.dumps(sorted(members or [])), reviewer, note, at]).lastrowid
        self.audit(reviewer, f"decision.{kind}", decision_id=decision_id)
        return int(decision_id)

    def undo(self, decision_id: int, reviewer: str = "unknown") -> None:
        """Withdraw a decision: later runs give the machine's verdict again."""
        with self.transaction():
            rows = self.query("SELECT undone_at FROM decisions WHERE decision_id = ?", [int(decision_id)])
            if not rows:
                raise WorkspaceError(f"{self.path}: no decision {decision_id}")
            if rows[0][0] is not None:
                raise WorkspaceError(f"{self.path}: decision {decision_id} was already undone")
            self.execute("UPDATE decisions SET undone_at = ?, undone_by = ? WHERE decision_id = ?",
                         [now(), reviewer, int(decision_id)])
            self.audit(reviewer, "decision.undo", decision_id=int(decision_id))

    def undo_last(self, reviewer: str, count: int = 1) -> list[int]:
        """Undo this reviewer's last ``count`` active decisions; returns their ids."""
        with self.transaction():
            rows = self.query("SELECT decision_id FROM decisions WHERE reviewer = ? AND undone_at IS NULL "
                              "ORDER BY decision_id DESC LIMIT ?", [reviewer, int(count)])
            for (decision_id,) in rows:
                self.undo(int(decision_id), reviewer)
        return [int(r[0]) for r in rows]

    def undo_action(self, reviewer: str, decision_id: int | None = None) -> list[int]:
        """Undo one action of this reviewer: the one holding ``decision_id`` (by default their
        latest active decision), with every active decision stored at the same time by them
        (a "same for all"); returns the ids undone, [] when there is nothing to undo."""
        with self.transaction():
            if decision_id is None:
                rows = self.query("SELECT created_at FROM decisions WHERE reviewer = ? AND undone_at IS NULL "
                                  "ORDER BY decision_id DESC LIMIT 1", [reviewer])
            else:
                rows = self.query("SELECT created_at FROM decisions WHERE reviewer = ? AND decision_id = ? "
                                  "AND undone_at IS NULL", [reviewer, int(decision_id)])
                if not rows:
                    raise WorkspaceError(f"{self.path}: {reviewer} has no active decision {decision_id}")
            if not rows:
                return []
            ids = [int(r[0]) for r in self.query(
                "SELECT decision_id FROM decisions WHERE reviewer = ? AND created_at = ? AND undone_at IS NULL "
                "ORDER BY decision_id DESC", [reviewer, rows[0][0]])]
            for each in ids:
                self.undo(each, reviewer)
        return ids

    def picks(self) -> pd.DataFrame:
        """Active field picks: record_key (whose value wins), field, decision_id, reviewer."""
        return self.query_frame("SELECT record_key, other_key AS field, decision_id, reviewer FROM decisions "
                                "WHERE kind = 'pick' AND undone_at IS NULL ORDER BY decision_id")

    def decisions(self, active_only: bool = True) -> pd.DataFrame:
        """Decisions in the order they were made."""
        where = "WHERE undone_at IS NULL" if active_only else ""
        return self.query_frame(f"SELECT * FROM decisions {where} ORDER BY decision_id")

    def constraints(self):
        """Active decisions as pairwise must-link / cannot-link constraints for the resolver."""
        from hotpass.resolve import Constraints

        must, cannot = [], []
        for row in self.decisions().itertuples(index=False):
            members = json.loads(row.members or "[]")
            if row.kind == "pick":
                continue
            if row.kind == "same":
                must.append((row.record_key, row.other_key))
            elif row.kind == "different":
                cannot.append((row.record_key, row.other_key))
            else:  # split and move: apart from the old cluster; move also joins the new one
                cannot.extend((row.record_key, m) for m in members if m not in (row.record_key, row.other_key))
                if row.kind == "move":
                    must.append((row.record_key, row.other_key))
        return Constraints(must_link=must, cannot_link=cannot)
