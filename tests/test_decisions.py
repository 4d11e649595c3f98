"""People's decisions last: across runs, edited workbooks and undo; outputs are reproducible."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import openpyxl
import pytest

from hotpass.pipeline import refine
from hotpass.result import latest_finished, open_run
from hotpass.workspace import Workspace
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def sources(tmp_path) -> list[Path]:
    """Fresh copies of the shipped sample workbooks."""
    return [Path(shutil.copy(p, tmp_path / p.name)) for p in sorted((ROOT / "data").glob("*.xlsx"))]


def _clusters(ws: Workspace):
    with open_run(ws, latest_finished(ws)) as result:
        frame = result.clusters
    return dict(zip(frame["record_key"], frame["organisation_id"])), frame


def _insert_rows_above(path: Path, sheet: str, header_row: int, count: int = 2) -> None:
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    ws.insert_rows(header_row + 1, count)
    for i in range(count):
        ws.cell(header_row + 1 + i, 1, f"Inserted Aviation {i}")
    book.save(path)


def test_decisions_survive_inserted_rows_and_undo_restores(sources, aviation, tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        refine(sources, aviation, workspace=ws, username="ann")
        machine, frame = _clusters(ws)
        legacy = frame[frame["source_file"] == "legacy_contacts.xlsx"]
        shared = legacy.groupby("organisation_id").filter(lambda g: len(g) >= 2)
        a, b = shared["record_key"].iloc[:2]
        a_row = int(legacy.loc[legacy["record_key"] == a, "source_row"].iloc[0])
        assert machine[a] == machine[b]
        apart = [k for k in frame["record_key"] if machine[k] != machine[a]]
        c = apart[0]

        different = ws.decide("different", a, b, reviewer="ann", note="two schools")
        same = ws.decide("same", a, c, reviewer="ann", note="same owner")
        _insert_rows_above(sources[1], "Contacts DB", header_row=1)
        refine(sources, aviation, workspace=ws, username="ann")
        after, frame = _clusters(ws)
        assert after[a] != after[b], "a 'different' decision must keep the records apart"
        assert after[a] == after[c], "a 'same' decision must join the records"
        moved = frame.loc[frame["record_key"] == a, "source_row"].iloc[0]
        assert moved == a_row + 2  # the same record, two rows lower
        row = frame.loc[frame["record_key"] == a].iloc[0]
        assert row["decision"] in {"same", "different"} and row["reviewer"] == "ann"

        ws.undo(different, reviewer="ann")
        ws.undo(same, reviewer="ann")
        refine(sources, aviation, workspace=ws, username="ann")
        restored, _ = _clusters(ws)
        assert restored[a] == restored[b] and restored[a] != restored[c]
        actions = ws.audit_log(username="ann")["action"].tolist()
        assert actions.count("decision.undo") == 2 and actions.count("run.ok") == 3


def test_different_holds_even_through_a_chain(sources, aviation, tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        refine(sources, aviation, workspace=ws)
        machine, frame = _clusters(ws)
        big = frame.groupby("organisation_id").filter(lambda g: len(g) >= 3)
        if big.empty:
            pytest.skip("no cluster of three in the sample")
        keys = big[big["organisation_id"] == big["organisation_id"].iloc[0]]["record_key"].tolist()
        ws.decide("different", keys[0], keys[-1], reviewer="bob")
        refine(sources, aviation, workspace=ws)
        after, _ = _clusters(ws)
        assert after[keys[0]] != after[keys[-1]]


def _listed(folder) -> list[str]:
    """The files a run wrote in ``folder``, without Hotpass's hidden list of them
    (``.hotpass-outputs.json``, which names changes.csv in the second run)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_same_inputs_and_decisions_give_identical_csv(sources, aviation, tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        refine(sources, aviation, workspace=ws, csv_dir=tmp_path / "first")
        refine(sources, aviation, workspace=ws, csv_dir=tmp_path / "second")  # cached model
    with Workspace(tmp_path / "fresh") as ws:
        refine(sources, aviation, workspace=ws, csv_dir=tmp_path / "third")  # trained again
    names = _listed(tmp_path / "first")
    # the second run also lists what changed since the first: nothing
    assert sorted([*names, "changes.csv"]) == _listed(tmp_path / "second")
    assert len((tmp_path / "second" / "changes.csv").read_text(encoding="utf-8-sig").splitlines()) == 1
    for other in ("second", "third"):
        match, mismatch, errors = filecmp.cmpfiles(tmp_path / "first", tmp_path / other, names, shallow=False)
        assert mismatch == [] and errors == [], (other, mismatch)
