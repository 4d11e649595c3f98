"""What changed between two runs: exactly the changes made between them, in the table, the workbook,
the flat files and the workbench."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from hotpass import ProposalStore, Users, Workspace, open_run, refine
from hotpass.changes import run_changes
from hotpass.result import RUN_FILE
from hotpass.run import Request, Run
from hotpass.rundb import RunDB
from hotpass.samples import generate_samples
from hotpass.stages import changes as changes_stage
from tests.test_app_pages import PASSWORD, logged_in
from workbench import kept

pytestmark = pytest.mark.slow

ROW = ["kind", "entity", "golden_id", "previous_id", "field", "before", "after"]


def _edit(path: Path, row: int, header: str, value: str) -> None:
    """Set the cell under ``header`` on Excel row ``row`` of the workbook's sheet that has it."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for cells in sheet.iter_rows(max_row=row - 1):
            column = next((c.column for c in cells if c.value == header), None)
            if column is not None:
                sheet.cell(row, column, value)
                book.save(path)
                return
    raise AssertionError(f"no column {header!r} in {path}")


def _chosen(clusters: pd.DataFrame, proposals: pd.DataFrame, organisations: pd.DataFrame) -> dict:
    """The records the test changes: a pair to split, two singletons to merge, a website to approve
    and a CRM record whose priority is edited, each on a golden record of its own."""
    sizes = clusters.groupby("organisation_id")["record_key"].transform("size")
    websites = proposals[proposals["field"] == "website"]
    taken = {websites["record_id"].iloc[0]}
    pair = clusters[(sizes == 2) & ~clusters["organisation_id"].isin(taken)].head(2)
    taken |= set(pair["organisation_id"])
    single = clusters[(sizes == 1) & ~clusters["organisation_id"].isin(taken)]
    priority = organisations.set_index("organisation_id")["priority"]
    crm = single[(single["source_file"] == "crm_export.xlsx")
                 & single["organisation_id"].map(priority).notna()].iloc[0]
    merge = single[(single["organisation_id"] != crm["organisation_id"])].head(2)
    assert pair["organisation_id"].nunique() == 1 and len(merge) == 2
    return {"pair": pair, "merge": merge, "crm": crm, "proposal": websites.iloc[0],
            "priority": priority[crm["organisation_id"]]}


@pytest.fixture(scope="module")
def refined(tmp_path_factory, aviation):
    """Three runs of small samples in one workspace: the second changes nothing, the third follows a
    'different' decision, a 'same' decision, an approved website and a priority edited in a copy
    of the CRM export."""
    root = tmp_path_factory.mktemp("changes")
    files = generate_samples(root / "samples", rows=120, seed=3).files
    with Workspace(root / "ws") as ws:
        Users(ws).add("vie1", "viewer", password=PASSWORD)
        Users(ws).add("ope1", "operator", password=PASSWORD)
        first = refine(files, aviation, workspace=ws, username="ann", csv_dir=root / "csv1")
        clusters, organisations = first.clusters, first.organisations
        first.close()
        refine(files, aviation, workspace=ws, username="ann").close()
        store = ProposalStore(ws)
        chosen = _chosen(clusters, store.frame("pending"), organisations)
        a, b = chosen["pair"]["record_key"]
        c, d = chosen["merge"]["record_key"]
        ws.decide("different", a, b, reviewer="ann")
        ws.decide("same", c, d, reviewer="ann")
        store.decide([int(chosen["proposal"]["proposal_id"])], "approved", "ann")
        edited = [Path(shutil.copy(f, root / f"{f.stem} 2{f.suffix}")) if f.name == "crm_export.xlsx" else f
                  for f in files]
        new_priority = "Low" if str(chosen["priority"]).lower() != "low" else "High"
        _edit(edited[[f.name for f in files].index("crm_export.xlsx")], int(chosen["crm"]["source_row"]),
              "Lead Priority", new_priority)
        third = refine(edited, aviation, workspace=ws, username="ann", csv_dir=root / "csv3")
        chosen["after"] = third.clusters
        chosen["organisations"] = third.organisations
        third.close()
    return root, chosen


@contextmanager
def _run(root: Path, run_id: int):
    with Workspace(root / "ws", read_only=True) as ws, open_run(ws, run_id) as result:
        yield result


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return sorted(tuple(None if pd.isna(v) else v for v in row) for row in frame[ROW].itertuples(index=False))


def test_a_first_run_has_no_changes(refined):
    root, _ = refined
    with _run(root, 1) as first:
        assert first.changes_since is None and first.changes.empty
        assert list(first.changes.columns) == ["kind", "entity", "golden_id", "previous_id", "record_key",
                                              "field", "before", "after", "message"]
        assert "Changes" not in openpyxl.load_workbook(first.outputs["workbook"], read_only=True).sheetnames
    assert not (root / "csv1" / "changes.csv").exists()


def test_a_run_of_the_same_files_changes_nothing(refined):
    root, _ = refined
    with _run(root, 2) as second:
        assert second.changes_since == 1 and second.changes.empty


def test_the_changes_are_exactly_those_made_between_the_runs(refined):
    root, chosen = refined
    after, organisations = chosen["after"], chosen["organisations"].set_index("organisation_id")
    now = dict(zip(after["record_key"], after["organisation_id"], strict=True))
    a, b = chosen["pair"]["record_key"]
    c, d = chosen["merge"]["record_key"]
    crm_now = after[(after["source_sheet"] == chosen["crm"]["source_sheet"])
                    & (after["source_row"] == chosen["crm"]["source_row"])
                    & (after["source_file"] == "crm_export 2.xlsx")]["organisation_id"].iloc[0]
    proposal = chosen["proposal"]
    expected = [
        ("cluster_merged", "organisation", now[c], ", ".join(sorted(chosen["merge"]["organisation_id"])),
         None, None, None),
        ("cluster_split", "organisation", ", ".join(sorted({now[a], now[b]})),
         chosen["pair"]["organisation_id"].iloc[0], None, None, None),
        ("enrichment_applied", "organisation", proposal["record_id"], proposal["record_id"], "website",
         None, proposal["proposed"]),
        ("field_changed", "organisation", crm_now, chosen["crm"]["organisation_id"], "priority",
         chosen["priority"], organisations.loc[crm_now, "priority"]),
    ]
    assert now[c] == now[d] and now[a] != now[b]
    with _run(root, 3) as third:
        changes = third.changes
        assert third.changes_since == 2
        assert _rows(changes) == sorted(expected)
        assert all(changes["message"].str.len() > 0)
        book = openpyxl.load_workbook(third.outputs["workbook"], read_only=True)
        assert "Changes" in book.sheetnames
        sheet = list(book["Changes"].values)
        assert list(sheet[0]) == list(changes.columns) and len(sheet) == len(changes) + 1
    flat = pd.read_csv(root / "csv3" / "changes.csv", dtype=str)
    assert _rows(flat) == sorted(expected)


def test_run_changes_compares_two_stored_runs(refined):
    root, _ = refined
    runs = root / "ws" / "runs"
    with _run(root, 3) as third:
        stored = third.changes
    assert _rows(run_changes(runs / "2" / RUN_FILE, runs / "3" / RUN_FILE)) == _rows(stored)
    assert run_changes(runs / "1" / RUN_FILE, runs / "2" / RUN_FILE).empty


@pytest.fixture
def app_ws(refined, tmp_path, monkeypatch):
    """A copy of the workspace for the app, where ope1's last run is run 3."""
    root, _ = refined
    shutil.copytree(root / "ws", tmp_path / "ws")
    with Workspace(tmp_path / "ws") as ws:
        kept.set_current_run(ws, "ope1", 3)
    monkeypatch.setenv("HOTPASS_WORKSPACE", str(tmp_path / "ws"))
    yield tmp_path / "ws"
    st.cache_resource.clear()


def _changes_shown(at: AppTest) -> pd.DataFrame:
    assert "What changed since run 2" in [s.value for s in at.subheader]
    labels = {m.label: m.value for m in at.metric}
    assert labels["Clusters merged"] == "1" and labels["Fields changed"] == "1"
    return next(d.value for d in at.dataframe if "kind" in d.value.columns)


def test_the_quality_page_shows_what_changed(app_ws):
    at = logged_in("vie1", "quality")
    shown = _changes_shown(at)
    assert sorted(shown["kind"]) == ["cluster_merged", "cluster_split", "enrichment_applied", "field_changed"]
    at.selectbox(key="quality_run").select(1).run()
    assert "First run: there is no earlier run of this profile to compare with." in [c.value for c in at.caption]


def test_the_run_page_shows_what_changed_after_a_finished_run(app_ws):
    at = logged_in("ope1", "run")
    assert len(_changes_shown(at)) == 4


def test_a_previous_run_that_cannot_be_read_leaves_a_warning_not_a_failed_run(refined, aviation):
    root, _ = refined
    with Workspace(root / "ws") as ws, RunDB(root / "ws" / "runs" / "3" / RUN_FILE) as held, RunDB() as db:
        run = Run(db, Request(), workspace=ws, run_id=4)
        assert changes_stage.run(run, aviation) == 0
        assert db.meta("changes") == {"previous_run": None, "counts": {}, "unreadable": 3}
        codes = [r[0] for r in db.rows("SELECT code FROM findings WHERE stage = 'changes'")]
        assert codes == ["changes.previous_unreadable"]
        assert held.count("changes") == 4
