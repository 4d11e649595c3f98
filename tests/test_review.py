"""Reviewing outside the workbench: the queue, the CLI, and Label Studio round trips."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from label_studio_sdk.label_interface import LabelInterface

from hotpass import review
from hotpass.pipeline import refine
from hotpass.workspace import Workspace
from tests.conftest import ROOT
from tests.test_cli import hotpass


@pytest.fixture(scope="module")
def workspace_dir(tmp_path_factory, aviation) -> Path:
    root = tmp_path_factory.mktemp("review")
    files = [Path(shutil.copy(p, root / p.name)) for p in sorted((ROOT / "data").glob("*.xlsx"))]
    with Workspace(root / "ws") as ws:
        refine(files, aviation, workspace=ws)
    return root / "ws"


@pytest.fixture
def ws(workspace_dir, tmp_path):
    copy = tmp_path / "ws"
    shutil.copytree(workspace_dir, copy)
    with Workspace(copy) as opened:
        yield opened


def _annotated(tasks: list[dict], verdicts: list[str | None]) -> list[dict]:
    out = []
    for task, verdict in zip(tasks, verdicts):
        result = [] if verdict is None else [
            {"from_name": "verdict", "to_name": "left", "type": "choices", "value": {"choices": [verdict]}},
            {"from_name": "note", "to_name": "left", "type": "textarea", "value": {"text": ["checked"]}}]
        out.append({**task, "annotations": [{"id": 1, "completed_by": {"id": 7, "email": "rev@example.org"},
                                             "was_cancelled": verdict is None, "result": result}]})
    return out


def test_queue_is_ordered_by_uncertainty(ws):
    queue = review.queue(ws)
    assert len(queue) >= 3
    weights = queue["match_weight"].abs().tolist()
    assert weights == sorted(weights)
    assert review.counts(ws) == (0, len(queue))


def test_label_studio_export_and_import(ws, tmp_path):
    result = review.export_label_studio(ws, tmp_path / "tasks.json")
    tasks = json.loads(result.tasks.read_text(encoding="utf-8"))
    interface = LabelInterface(result.config.read_text(encoding="utf-8"))
    assert result.count == len(tasks) == len(review.queue(ws))
    for task in tasks:
        interface.validate_task(task)
        assert "source:" in task["data"]["left"] and "match probability" in task["data"]["evidence"]

    exported = _annotated(tasks[:4], ["Same organisation", "Different organisations", "Not sure", None])
    (tmp_path / "export.json").write_text(json.dumps(exported), encoding="utf-8")
    imported = review.import_label_studio(ws, tmp_path / "export.json")
    assert len(imported.decided) == 2 and len(imported.skipped) == 2
    decisions = ws.decisions()
    assert decisions["kind"].tolist() == ["same", "different"]
    assert decisions["reviewer"].unique().tolist() == ["label-studio:rev@example.org"]
    assert decisions["note"].iloc[0].endswith("export.json: checked")
    assert review.counts(ws) == (2, len(tasks) - 2)

    flipped = _annotated(tasks[:1], ["Different organisations"])
    (tmp_path / "flipped.json").write_text(json.dumps(flipped), encoding="utf-8")
    again = review.import_label_studio(ws, tmp_path / "flipped.json")
    assert again.decided == [] and "already decided as same; kept that" in again.skipped[0]


def test_import_rejects_files_that_are_not_exports(ws, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}', encoding="utf-8")
    with pytest.raises(Exception, match="bad.json: not a Label Studio export"):
        review.import_label_studio(ws, bad)


def test_review_cli_round_trip(workspace_dir, tmp_path):
    ws_dir = tmp_path / "ws"
    shutil.copytree(workspace_dir, ws_dir)
    listed = hotpass("review", "list", "-w", ws_dir, "-n", "1")
    assert listed.returncode == 0 and "0 reviewed" in listed.stdout
    key_l, key_r = listed.stdout.splitlines()[1].split()[1:3]
    decided = hotpass("review", "decide", "different", key_l, key_r, "--note", "checked", "-r", "ann", "-w", ws_dir)
    assert decided.returncode == 0 and "decision #1" in decided.stdout
    assert "1 reviewed" in hotpass("review", "list", "-w", ws_dir).stdout
    split = hotpass("review", "decide", "split", key_l, "-r", "ann", "-w", ws_dir)
    assert split.returncode == 0
    history = hotpass("review", "list", "--decisions", "-w", ws_dir).stdout
    assert "#1 different" in history and "#2 split" in history
    undone = hotpass("review", "undo", "--last", "2", "-r", "ann", "-w", ws_dir)
    assert undone.returncode == 0 and "#2" in undone.stdout and "#1" in undone.stdout
    bad = hotpass("review", "decide", "maybe", key_l, key_r, "-w", ws_dir)
    assert bad.returncode == 1 and "unknown decision" in bad.stderr
    exported = hotpass("review", "export", tmp_path / "t.json", "-w", ws_dir)
    assert exported.returncode == 0 and (tmp_path / "t.xml").is_file()


def test_reviewed_counts_survive_a_rerun(tmp_path, aviation):
    """Decisions honoured by a later run still count as reviewed in that run's queue."""
    from hotpass import review
    from hotpass.pipeline import refine
    from hotpass.samples import generate_samples
    from hotpass.workspace import Workspace

    files = generate_samples(tmp_path / "s", rows=600, seed=7).files
    with Workspace(tmp_path / "ws") as ws:
        refine(files, aviation, workspace=ws)
        reviewed, remaining = review.counts(ws)
        assert reviewed == 0 and remaining >= 2
        first = review.queue(ws).iloc[0]
        ws.decide("different", first.key_l, first.key_r, reviewer="ann")
        assert review.counts(ws) == (1, remaining - 1)
        refine(files, aviation, workspace=ws)
        assert review.counts(ws) == (1, remaining - 1)


def test_a_people_run_is_reviewed_and_exported_by_name(tmp_path):
    """The review commands on a run of the person profile (no organisation name column)."""
    from hotpass.profile import load_profile

    members = tmp_path / "members.csv"
    members.write_text("Member No,First Name,Last Name,DOB,City,Zip,E-mail\n"
                       "M001,Thandi,Nkosi,03/04/1988,Durban,4001,thandi.n@example.org\n"
                       "M002,Thandi,Nkosi,1988-04-03,Durban,4001,\n"
                       "M003,Pieter,van der Merwe,12/11/1975,Pretoria,0181,pieter@example.org\n"
                       "M004,Peter,van der Merwe,12/11/1975,Pretoria,181,pieter@example.org\n"
                       "M005,Aisha,Patel,,Cape Town,8001,aisha.patel@example.org\n",
                       encoding="utf-8")
    other = tmp_path / "odd.csv"
    other.write_text('Name;Joined\n"Sipho Dlamini";2020\n', encoding="utf-8")
    with Workspace(tmp_path / "ws") as workspace:
        refine([members, other], load_profile("person"), workspace=workspace, raise_blocked=False).close()
        queue = review.queue(workspace)
    listed = hotpass("review", "list", "--workspace", tmp_path / "ws")
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stderr
    assert len(queue), "five people, two pairs alike: the model is unsure of one"
    for _, row in queue.iterrows():
        assert f"{review.side_label(row, 'l')} | {review.side_label(row, 'r')}" in listed.stdout
        assert review.side_label(row, "l") == "Thandi Nkosi"
    exported = hotpass("review", "export", tmp_path / "tasks.json", "--workspace", tmp_path / "ws")
    assert exported.returncode == 0, exported.stderr
    assert "Same person" in (tmp_path / "tasks.xml").read_text(encoding="utf-8")
