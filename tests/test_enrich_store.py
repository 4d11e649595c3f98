"""The proposals table on its own (no pipeline): identity across runs, verdicts, undo, audit."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from hotpass.enrich import ProposalStore
from hotpass.enrich.base import Proposal
from hotpass.enrich.store import COLUMNS
from hotpass.errors import WorkspaceError
from hotpass.workspace import Workspace


def _proposal(record: str, field: str = "website", proposed: str = "acme.example", provider: str = "mail_domain",
              confidence: float = 0.8, keys: tuple[str, ...] | None = None) -> Proposal:
    return Proposal("organisation", record, field, None, proposed, provider, f"evidence for {record}", confidence,
                    keys or (f"key:{record}",))


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "ws") as workspace:
        yield workspace


def test_proposals_are_stored_once_and_found_again_by_any_record_key(ws):
    store = ProposalStore(ws)
    ids = store.record([_proposal("o1", keys=("k1", "k2")), _proposal("o2"), _proposal("o2")], run_id=1)
    assert ids == [1, 2, 2]
    again = store.record([_proposal("o9", keys=("k2", "k7")), _proposal("o3")], run_id=2)
    assert again == [1, 3], "a golden record renamed o9 that shares a source key is the same record"
    frame = store.frame()
    assert list(frame.columns) == COLUMNS and frame["proposal_id"].tolist() == [1, 2, 3]
    first = frame.iloc[0]
    assert (first["record_keys"], first["status"], first["auto"], first["confidence"], first["run_id"]) == (
        "k1; k2", "pending", False, 0.8, 1)
    assert isinstance(first["created_at"], datetime) and first["decided_at"] is None
    detail = json.loads(ws.audit_log(action="enrich.proposed").at[0, "detail"])
    assert detail == {"proposals": 2, "run_id": 2, "stored": 1}


def test_auto_approval_and_filters(ws):
    store = ProposalStore(ws)
    store.record([_proposal("o1", provider="town_region", field="region", proposed="Gauteng", confidence=0.9),
                  _proposal("o2", provider="town_region", field="region", proposed="Limpopo", confidence=0.4),
                  _proposal("o3")], run_id=None, auto_approve={"town_region": 0.5})
    approved = store.frame("approved")
    assert approved["record_id"].tolist() == ["o1"]
    assert (approved.iloc[0]["auto"], approved.iloc[0]["reviewer"]) == (True, "auto")
    assert isinstance(approved.iloc[0]["decided_at"], datetime)
    assert store.frame(provider="town_region", min_confidence=0.5)["record_id"].tolist() == ["o1"]
    assert store.frame(field="website")["record_id"].tolist() == ["o3"]


def test_verdicts_and_undo_are_audited_and_last(ws, tmp_path):
    store = ProposalStore(ws)
    store.record([_proposal(f"o{i}") for i in range(4)], run_id=1)
    assert store.decide([1, 2, 2], "approved", "alice", note="checked") == [1, 2]
    assert store.decide([2, 3], "rejected", "bob") == [2, 3]
    assert store.decide([3], "rejected", "bob") == [], "already rejected: nothing changes"
    assert store.undo([1], "alice") == [1]
    with Workspace(tmp_path / "ws") as other:
        frame = ProposalStore(other).frame().set_index("proposal_id")
    assert frame["status"].tolist() == ["pending", "rejected", "rejected", "pending"]
    assert frame.loc[1, "reviewer"] is None and frame.loc[2, "reviewer"] == "bob"
    assert frame.loc[2, "auto"] is False and frame.loc[2, "note"] is None
    actions = ws.audit_log()["action"].tolist()
    assert actions[:3] == ["enrich.undo", "enrich.reject", "enrich.approve"]
    assert json.loads(ws.audit_log(action="enrich.reject").at[0, "detail"]) == {"proposals": "[2, 3]"}
    with pytest.raises(WorkspaceError, match="no proposal 8, 9"):
        store.decide([1, 8, 9], "approved", "alice")
    with pytest.raises(WorkspaceError, match="unknown verdict"):
        store.decide([1], "maybe", "alice")
    assert store.decide([], "approved", "alice") == []


def test_thousands_of_proposals_in_one_batch(ws):
    store = ProposalStore(ws)
    ids = store.record([_proposal(f"o{i}") for i in range(3000)], run_id=1)
    assert ids == list(range(1, 3001))
    assert len(store.decide(ids, "approved", "alice")) == 3000
    assert set(store.frame()["status"]) == {"approved"}
