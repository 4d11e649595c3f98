"""The Review, Enrichment, Quality, Downloads and Admin pages through AppTest; download builders."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import time
import zipfile

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from hotpass import (
    Profile,
    ProposalStore,
    Users,
    Workspace,
    WorkspaceError,
    open_run,
    refine,
)
from hotpass.keys import display_id
from hotpass.rundb import RunDB
from tests.conftest import ROOT
from workbench import cluster_review, downloads, nav

PASSWORD = "correct-horse-1"
ROLES = ("viewer", "operator", "reviewer", "admin")
BLOCKING = "organisations.phone_e164"


@pytest.fixture(scope="module")
def master(tmp_path_factory, aviation):
    """A workspace with one user per role and two runs of the shipped sample workbooks, made as
    the command line makes them: run 1 published, run 2 blocked by an extra blocking expectation."""
    root = tmp_path_factory.mktemp("pages")
    files = [shutil.copy(p, root / p.name) for p in sorted((ROOT / "data").glob("*.xlsx"))]
    strict = aviation.to_dict()
    strict["validation"]["blocking"].append(BLOCKING)
    with Workspace(root / "workspace") as ws:
        for role in ROLES:
            Users(ws).add(role[:3] + "1", role, password=PASSWORD)
        refine(files, aviation, workspace=ws, username="ope1").close()
        refine(files, Profile.from_dict(strict), workspace=ws, username="ope1",
               raise_blocked=False).close()
    return root


def workspace_copy(source, tmp_path, monkeypatch):
    """A fresh copy of ``source`` (a workspace folder) that the app uses; the app lets go of it
    afterwards. For a fixture: ``yield from workspace_copy(...)``."""
    directory = tmp_path / "workspace"
    shutil.copytree(source, directory)
    monkeypatch.setenv("HOTPASS_WORKSPACE", str(directory))
    yield directory
    st.cache_resource.clear()


@pytest.fixture
def ws_dir(master, tmp_path, monkeypatch):
    """A fresh copy of the master workspace for the app; the app lets go of it afterwards."""
    yield from workspace_copy(master / "workspace", tmp_path, monkeypatch)


def opened(directory) -> Workspace:
    """The workspace as the test sees it, after the app let go of it."""
    st.cache_resource.clear()
    return Workspace(directory)


def logged_in(username: str, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click().run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def metrics(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def table(at: AppTest, prefix: str):
    """The selectable table whose key starts with ``prefix`` (a new key clears its selection)."""
    return next(d for d in at.dataframe if str(d.key or "").startswith(prefix))


def select(at: AppTest, prefix: str, row: int) -> AppTest:
    """Select one row of a table, as a click on its checkbox would."""
    key = table(at, prefix).key
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return at.run()


def charts(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


# --- review ------------------------------------------------------------------------------------
# The cluster screen itself is tested in tests/test_cluster_review.py (and in a browser in
# tests/test_cluster_review_browser.py); these check it on the shared two-run workspace.


def _queue(ws_dir):
    with opened(ws_dir) as ws:
        latest = cluster_review.load(ws)
        return latest, cluster_review.pending(cluster_review.units(latest, ws.decisions()))


def test_review_shows_counts_and_the_most_uncertain_cluster(ws_dir):
    _, queue = _queue(ws_dir)
    at = logged_in("rev1", "review")
    assert metrics(at)[:2] == ["0", str(len(queue))]
    assert f"Cluster 1 of {len(queue)}" in texts(at.subheader)
    members = next(d.value for d in at.dataframe if "cluster" in d.value.columns)
    assert set(members["id"]) == {display_id(k) for k in queue.iloc[0]["members"]}
    assert len(charts(at)) == 2  # the heatmap and the waterfall
    assert "next run" in texts(at.info)


def test_a_decision_is_stored_with_the_reviewer_and_note_and_the_next_cluster_appears(ws_dir):
    _, queue = _queue(ws_dir)
    at = logged_in("rev1", "review")
    at.text_input(key="review_note").input("one school, three spellings")
    at.button(key="review_same").click().run()
    assert "saved: same for all" in texts(at.success)
    assert metrics(at)[:2] == ["1", str(len(queue) - 1)]
    assert f"Cluster 1 of {len(queue) - 1}" in texts(at.subheader)
    with opened(ws_dir) as ws:
        decided = ws.decisions()
    assert set(decided["reviewer"]) == {"rev1"} and set(decided["note"]) == {"one school, three spellings"}
    keys = set(decided["record_key"]) | set(decided["other_key"])
    assert keys == set(queue.iloc[0]["members"])


def test_undo_any_decision_puts_the_cluster_back(ws_dir):
    _, queue = _queue(ws_dir)
    at = logged_in("rev1", "review")
    at.button(key="review_same").click().run()
    at.button(key="review_same").click().run()
    assert metrics(at)[0] == "2"
    with opened(ws_dir) as ws:
        first = int(ws.decisions()["decision_id"].min())
    at.selectbox(key="review_undo_pick").set_value(first).run()
    at.button(key="review_undo_one").click().run()  # the older action, not the latest
    assert f"#{first}" in texts(at.info)
    assert metrics(at)[0] == "1"
    with opened(ws_dir) as ws:
        assert first not in set(ws.decisions()["decision_id"])
        assert len(ws.decisions(active_only=False)["undone_by"].dropna()) >= 1


@pytest.fixture
def big_queue(tmp_path, monkeypatch):
    """A workspace whose latest run has 10,000 uncertain clusters (written directly into its tables)."""
    directory = tmp_path / "big"
    size = 10_000
    numbers = range(size)
    pairs = pd.DataFrame({
        "key_l": [f"org:l{i:05d}" for i in numbers], "key_r": [f"org:r{i:05d}" for i in numbers],
        "match_probability": [0.5 + 0.4 * i / size for i in numbers],
        "match_weight": [i / size for i in numbers], "mw_name": 1.0, "mw_phones": -0.5,
        "name_l": [f"Left Aviation {i}" for i in numbers],
        "name_r": [f"Right Aviation {i}" for i in numbers],
        "source_l": "a.xlsx | Sheet | row 2", "source_r": "b.xlsx | Sheet | row 3",
        "same_cluster": False,
    })
    keys = [*pairs["key_l"], *pairs["key_r"]]
    names = [*pairs["name_l"], *pairs["name_r"]]
    clusters = pd.DataFrame({"organisation_id": [display_id(k) for k in keys], "cluster_size": 1,
                             "record_key": keys, "source_file": "a.xlsx", "source_sheet": "Sheet",
                             "source_row": 2, "name": names})
    with Workspace(directory) as ws:
        Users(ws).add("rev1", "reviewer", password=PASSWORD)
        run_id = ws.start_run("aviation", [], "rev1")
        with RunDB(ws.run_dir(run_id) / "run.duckdb") as db:
            db.write("out_review", pairs)
            db.write("out_clusters", clusters)
            db.write("organisation_records", clusters[["record_key", "name", "source_file", "source_sheet",
                                                       "source_row"]])
            db.write("pairs", pairs.assign(band="review")[["key_l", "key_r", "match_probability",
                                                           "match_weight", "mw_name", "mw_phones", "band"]])
        ws.finish_run(run_id, "ok")
    monkeypatch.setenv("HOTPASS_WORKSPACE", str(directory))
    yield directory
    st.cache_resource.clear()


def test_ten_thousand_uncertain_clusters_send_one(big_queue):
    at = logged_in("rev1")
    started = time.perf_counter()
    at.switch_page("app_pages/review.py").run()
    first = time.perf_counter() - started
    assert not at.exception
    assert metrics(at)[1] == "10,000"
    assert "Cluster 1 of 10,000" in texts(at.subheader)
    members = next(d.value for d in at.dataframe if "cluster" in d.value.columns)
    assert set(members["name"]) == {"Left Aviation 0", "Right Aviation 0"}  # p = 0.5: most uncertain
    at.button(key="review_previous").click().run()  # wraps round to the last
    members = next(d.value for d in at.dataframe if "cluster" in d.value.columns)
    assert set(members["name"]) == {"Left Aviation 9999", "Right Aviation 9999"}
    assert first < 5, f"the review page took {first:.1f} s with 10,000 clusters"


# --- enrichment --------------------------------------------------------------------------------


def test_enrichment_approves_one_selected_proposal(ws_dir):
    with opened(ws_dir) as ws:
        pending = len(ProposalStore(ws).frame(status="pending"))
    at = logged_in("rev1", "enrichment")
    assert metrics(at) == [f"{pending:,}", "0", "0"]
    shown = table(at, "enrich_table_").value
    assert len(shown) == 25 and set(shown["status"]) == {"pending"}
    wanted = int(shown.iloc[2]["proposal_id"])
    assert "Select rows to read each proposal's evidence in full here." in texts(at.caption)
    select(at, "enrich_table_", 2)
    with opened(ws_dir) as ws:
        evidence = ProposalStore(ws).frame().set_index("proposal_id").loc[wanted, "evidence"]
    assert evidence in [t.value for t in at.text], "the selected proposal's evidence is shown whole"
    at.text_input(key="enrich_note").input("checked on their website")
    at.button(key="enrich_approve").click().run()
    assert "1 proposal(s) approved" in texts(at.success)
    assert metrics(at)[:2] == [f"{pending - 1:,}", "1"]
    with opened(ws_dir) as ws:
        row = ProposalStore(ws).frame(status="approved").iloc[0]
    assert (int(row["proposal_id"]), row["reviewer"], row["note"]) == (wanted, "rev1",
                                                                      "checked on their website")


def test_enrichment_undo_and_bulk_by_provider(ws_dir):
    at = logged_in("rev1", "enrichment")
    at.selectbox(key="enrich_provider").select("area_code_region").run()
    shown = table(at, "enrich_table_").value
    assert set(shown["provider"]) == {"area_code_region"}
    at.button(key="enrich_all_rejected").click().run()
    at.button(key="enrich_all_yes").click().run()
    assert f"{len(shown)} proposal(s) rejected" in texts(at.success)
    at.button(key="enrich_undo").click().run()
    assert f"{len(shown)} proposal(s) put back to pending" in texts(at.success)
    with opened(ws_dir) as ws:
        assert ProposalStore(ws).frame(status="rejected").empty
        assert len(ws.audit_log("enrich.reject", "rev1")) == 1


def test_enrichment_says_when_there_is_nothing(tmp_path, monkeypatch):
    with Workspace(tmp_path / "empty") as ws:
        Users(ws).add("rev1", "reviewer", password=PASSWORD)
    monkeypatch.setenv("HOTPASS_WORKSPACE", str(tmp_path / "empty"))
    try:
        at = logged_in("rev1", "enrichment")
        assert "no enrichment proposals yet" in texts(at.info)
    finally:
        st.cache_resource.clear()


# --- quality -----------------------------------------------------------------------------------


def test_quality_renders_charts_and_drills_down_to_a_record(ws_dir):
    at = logged_in("vie1", "quality")
    at.selectbox(key="quality_run").select(1).run()
    assert "From run 1" in texts(at.caption) and "Run 1 was published." in texts(at.success)
    assert len(charts(at)) >= 5
    codes = at.dataframe[1].value  # findings by code (after the validation table)
    assert "normalise.phone.e164" in codes["code"].tolist()
    at.selectbox(key="quality_code").select("normalise.phone.e164").run()
    rows = at.dataframe(key="quality_rows_normalise.phone.e164").value
    assert len(rows) == 25 and set(rows.columns) >= {"file", "sheet", "row", "message"}
    at.number_input(key="quality_findings_page").set_value(2).run()
    second = at.dataframe(key="quality_rows_normalise.phone.e164").value
    assert len(second) and second.iloc[0].tolist() != rows.iloc[0].tolist()
    at.session_state["quality_rows_normalise.phone.e164"] = {
        "selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    shown = "\n".join(m.value for m in at.markdown)
    assert "`ORG-" in shown or "`CON-" in shown or "Organisation `" in shown
    quality = next(d.value for d in at.dataframe if "quality_score" in d.value.columns)
    assert len(quality) == 1


def test_quality_shows_the_newest_finished_run_and_any_other_on_request(ws_dir):
    at = logged_in("vie1", "quality")
    assert at.selectbox(key="quality_run").options == ["Run 2 · blocked · aviation · by ope1",
                                                       "Run 1 · published · aviation · by ope1"]
    assert "From run 2" in texts(at.caption)
    assert f"Run 2 was not published: blocking expectations failed ({BLOCKING})." in texts(at.error)
    at.selectbox(key="quality_run").select(1).run()
    assert "Run 1 was published." in texts(at.success)


def test_quality_reads_a_run_while_another_is_going_on(ws_dir):
    with Workspace(ws_dir) as ws:  # a run that holds its own database open for writing
        run_id = ws.start_run("aviation", [], "ope1")
        writing = RunDB(ws.run_dir(run_id) / "run.duckdb")
    try:
        at = logged_in("vie1", "quality")
        assert "From run 2" in texts(at.caption) and len(charts(at)) >= 5
        review_page = logged_in("rev1", "review")
        assert review_page.metric and not review_page.exception
    finally:
        writing.close()


# --- downloads ---------------------------------------------------------------------------------


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]


REPORT_LABELS = ["Quality report (HTML)", "Quality report (Markdown)", "Quality report (JSON)"]


def test_a_viewer_sees_every_stored_run_and_its_files(ws_dir):
    at = logged_in("vie1", "downloads")
    runs = at.dataframe[0].value
    assert runs["run"].tolist() == [2, 1] and runs["status"].tolist() == ["blocked", "published"]
    assert set(runs["user"]) == {"ope1"} and set(runs["files"]) == {3}
    assert runs["organisations"].iloc[1] > 0
    assert BLOCKING in texts(at.error)  # the newest run is blocked: only its report
    assert buttons(at) == REPORT_LABELS
    at.selectbox(key="downloads_run").select(1).run()
    assert buttons(at) == [d.label for d in downloads.DELIVERABLES]
    assert not at.error


def test_a_running_or_failed_run_is_not_offered(ws_dir):
    with Workspace(ws_dir) as ws:
        ws.start_run("aviation", [], "ope1", status="queued")
        failed = ws.start_run("aviation", [], "ope1")
        ws.finish_run(failed, "failed", {"error": "x"})
    at = logged_in("vie1", "downloads")
    assert at.dataframe[0].value["run"].tolist() == [2, 1]


def test_downloads_without_a_run_say_so(tmp_path, monkeypatch):
    with Workspace(tmp_path / "empty") as ws:
        Users(ws).add("vie1", "viewer", password=PASSWORD)
    monkeypatch.setenv("HOTPASS_WORKSPACE", str(tmp_path / "empty"))
    try:
        at = logged_in("vie1", "downloads")
        assert "Nothing to download yet" in texts(at.info)
    finally:
        st.cache_resource.clear()


def test_the_workbook_is_read_on_click_and_audited_with_its_hash(ws_dir, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    data = downloads.Download(ws_dir, 1, "workbook", "vie1")()
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert {"Organisations", "Contacts", "Review", "Summary"} <= set(workbook.sheetnames)
    with opened(ws_dir) as ws:
        (line,) = ws.audit_log("download", "vie1").itertuples(index=False)
        with open_run(ws, 1) as result:
            assert data == open(result.outputs["workbook"], "rb").read()
    assert json.loads(line.detail) == {"run_id": 1, "kind": "workbook", "bytes": len(data),
                                       "sha256": hashlib.sha256(data).hexdigest()}
    assert list(scratch.iterdir()) == []  # nothing left behind


@pytest.mark.parametrize("kind, suffix", [("csv", ".csv"), ("parquet", ".parquet")])
def test_every_table_comes_zipped(ws_dir, kind, suffix):
    data = downloads.Download(ws_dir, 1, kind, "vie1")()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert {f"organisations{suffix}", f"contacts{suffix}", f"provenance{suffix}",
            f"findings{suffix}"} <= {n.lower() for n in names}, names


def test_full_files_and_reports_are_the_runs_own(ws_dir):
    with opened(ws_dir) as ws, open_run(ws, 1) as result:
        outputs = result.outputs
    for kind, output in (("findings", "findings"), ("provenance", "provenance"),
                         ("report_html", "report_html"), ("report_json", "report_json")):
        data = downloads.Download(ws_dir, 1, kind, "vie1")()
        assert data == open(outputs[output], "rb").read(), kind
    parquet = downloads.Download(ws_dir, 1, "findings_parquet", "vie1")()
    assert parquet[:4] == b"PAR1"
    report = json.loads(downloads.Download(ws_dir, 2, "report_json", "vie1")())
    assert report["run_id"] == 2 and report["published"] is False


def test_a_blocked_run_gives_no_data_files(ws_dir):
    with pytest.raises(WorkspaceError, match="not published"):
        downloads.Download(ws_dir, 2, "workbook", "vie1")()
    with opened(ws_dir) as ws:
        assert ws.audit_log("download").empty


# --- admin and roles ---------------------------------------------------------------------------


def test_admin_adds_a_user_whose_password_is_shown_once(ws_dir):
    at = logged_in("adm1", "admin")
    at.text_input(key="admin_new_username").input("Nina")
    at.text_input(key="admin_new_name").input("Nina Naidoo")
    at.selectbox(key="admin_new_role").select("reviewer")
    at.button(key="admin_add_submit").click().run()
    assert "User 'nina' added as reviewer" in texts(at.success)
    password = at.code[0].value
    assert "nina" in at.dataframe[0].value["username"].tolist()
    at.run()
    assert not at.code  # shown once
    with opened(ws_dir) as ws:
        assert Users(ws).verify("nina", password)


def test_admin_errors_come_from_the_library(ws_dir):
    at = logged_in("adm1", "admin")
    at.text_input(key="admin_new_username").input("rev1")
    at.button(key="admin_add_submit").click().run()
    assert "already exists" in texts(at.error)
    at.selectbox(key="admin_user").select("vie1").run()
    at.selectbox(key="admin_role_vie1").select("operator").run()
    at.button(key="admin_set_role").click().run()
    assert "vie1 is now operator." in texts(at.success)
    at.button(key="admin_reset").click().run()
    assert at.code and "New password for 'vie1'" in texts(at.success)


def test_admin_filters_the_audit_log(ws_dir):
    at = logged_in("adm1", "admin")
    log = at.dataframe[-1].value
    assert {"run.start", "login.ok"} <= set(log["action"])
    at.selectbox(key="admin_audit_action").select("login.ok").run()
    log = at.dataframe[-1].value
    assert set(log["action"]) == {"login.ok"} and set(log["username"]) == {"adm1"}
    at.selectbox(key="admin_audit_action").select("(all)")
    at.selectbox(key="admin_audit_user").select("ope1").run()
    assert set(at.dataframe[-1].value["username"]) == {"ope1"}
    at.date_input(key="admin_audit_days").set_value((pd.Timestamp("2001-01-01").date(),
                                                     pd.Timestamp("2001-01-02").date())).run()
    assert at.dataframe[-1].value.empty


@pytest.mark.parametrize("username, hidden, shown", [
    ("vie1", {"enrichment", "admin"}, {"review", "quality", "downloads"}),
    ("rev1", {"admin"}, {"review", "enrichment", "quality", "downloads"}),
])
def test_roles_decide_which_of_these_pages_are_offered(ws_dir, username, hidden, shown):
    at = logged_in(username)
    for name in hidden:
        with pytest.raises(ValueError):
            at.switch_page(nav.PAGES[name].path)
    for name in shown:
        at.switch_page(nav.PAGES[name].path).run()
        assert not at.exception and "may not" not in texts(at.error)
