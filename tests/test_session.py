"""hotpass.session: refining workbooks already read and mapped (the Run button)."""

from __future__ import annotations

import json

import pytest

from hotpass.errors import HotpassError
from hotpass.pipeline import map_sources, read_sources
from hotpass.session import publish_anyway, refine_read
from hotpass.workspace import Workspace


@pytest.fixture
def read(samples, aviation):
    """The sample workbooks, read and mapped with the aviation profile."""
    workbooks = read_sources(samples.files, aviation)
    return workbooks, map_sources(workbooks, aviation)[1]


def test_a_run_is_recorded_with_its_tables_and_report(read, aviation, tmp_path):
    workbooks, mappings = read
    with Workspace(tmp_path / "ws") as ws:
        refined = refine_read(
            workbooks,
            mappings,
            aviation,
            workspace=ws,
            username="olga",
            report_dir=tmp_path / "report",
        )
        run = ws.runs().iloc[0]
        assert (run["status"], run["username"]) == ("ok", "olga")
        assert json.loads(run["summary"])["Output organisations"] == len(refined.organisations)
        assert len(ws.table(refined.run_id, "organisations")) == len(refined.organisations)
    assert refined.published and refined.files == [wb.file for wb in workbooks]
    assert "mapping.sheet_role" in set(refined.findings["code"])  # what reading and mapping found
    assert (tmp_path / "report").is_dir() and "report" in refined.timings


def test_a_blocked_run_is_stored_and_can_be_published_with_a_reason(read, aviation, tmp_path):
    workbooks, mappings = read
    strict = aviation.model_copy(deep=True)
    strict.validation.blocking = [*strict.validation.blocking, "organisations.phone_e164"]
    with Workspace(tmp_path / "ws") as ws:
        refined = refine_read(workbooks, mappings, strict, workspace=ws, username="olga")
        assert not refined.published and ws.runs().iloc[0]["status"] == "blocked"
        assert [b["id"] for b in refined.gate["blocked_by"]] == ["organisations.phone_e164"]
        with pytest.raises(ValueError, match="reason"):
            publish_anyway(refined, strict, "  ", workspace=ws, username="olga")
        publish_anyway(refined, strict, "checked by hand", workspace=ws, username="olga")
        assert refined.published and ws.runs().iloc[0]["status"] == "ok"
        detail = json.loads(ws.audit_log("publish.override").iloc[0]["detail"])
    assert detail["reason"] == "checked by hand"


def test_a_failed_stage_marks_the_run_failed(read, aviation, tmp_path, monkeypatch):
    from hotpass import session

    def broken(*args, **kwargs):
        raise HotpassError("crm_export.xlsx: boom")

    monkeypatch.setattr(session, "refine_sheets", broken)
    with Workspace(tmp_path / "ws") as ws:
        with pytest.raises(HotpassError, match="boom"):
            refine_read(*read, aviation, workspace=ws, username="olga")
        assert ws.runs().iloc[0]["status"] == "failed"


def test_mappings_must_match_the_sheets(read, aviation, tmp_path):
    workbooks, mappings = read
    with Workspace(tmp_path / "ws") as ws:
        with pytest.raises(ValueError, match="mapping"):
            refine_read(workbooks, mappings[:-1], aviation, workspace=ws)
        assert ws.runs().empty
