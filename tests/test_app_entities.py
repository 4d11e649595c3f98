"""The workbench pages on a run of the person profile: every page reads the run's own entities and
labels (people, "Same person"), never the organisation wording of the shipped profiles."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from hotpass import Profile, Users, Workspace, load_profile, refine
from hotpass.samples.people import write_people
from tests.test_app_pages import PASSWORD, logged_in, workspace_copy
from workbench import cluster_review, downloads, kept, overview
from workbench import review_queue as rq

ROLES = ("viewer", "operator", "reviewer", "admin")


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    """A workspace with one user per role and one run of 300 people, refined with the person
    profile (thresholds moved apart so some pairs wait for review); ope1 made the run."""
    root = tmp_path_factory.mktemp("people-app")
    files = write_people(root / "in", kind="dedupe", n=300)
    person = load_profile("person").to_dict()
    resolution = person["entities"]["person"]["resolution"]
    resolution.update(match_threshold=0.999999, review_threshold=0.02)
    with Workspace(root / "workspace") as ws:
        for role in ROLES:
            Users(ws).add(role[:3] + "1", role, password=PASSWORD)
        result = refine(files, Profile.from_dict(person), workspace=ws, username="ope1")
        run_id, counts = result.run_id, result.counts
        result.close()
        kept.set_current_run(ws, "ope1", run_id)
    assert counts["Pairs waiting for review"] > 0
    return root


@pytest.fixture
def ws_dir(master, tmp_path, monkeypatch):
    """A fresh copy of the master workspace for the app; the app lets go of it afterwards."""
    yield from workspace_copy(master / "workspace", tmp_path, monkeypatch)


@pytest.fixture
def summary(ws_dir) -> dict:
    """The person run's Summary lines."""
    with Workspace(ws_dir) as ws:
        return json.loads(ws.runs().iloc[0]["summary"])


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def wording(at: AppTest) -> str:
    """The page's metrics and buttons, as one text."""
    shown = [*[f"{m.label} {m.value}" for m in at.metric], *[b.label for b in at.button],
             *[b.label for b in at.get("download_button")]]
    return "\n".join(shown).lower()


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_the_run_page_counts_people(ws_dir, summary):
    at = logged_in("ope1", "run")
    shown = metrics(at)
    assert shown["People"] == f"{summary['Output people']:,}"
    assert shown["Quality, mean"] == str(summary["Quality score, mean (people)"])
    assert shown["Pairs to review"] == str(summary["Pairs waiting for review"])
    assert "organisation" not in wording(at) and "contact" not in wording(at)


def test_review_asks_whether_the_records_are_the_same_person(ws_dir):
    with Workspace(ws_dir) as ws:
        latest = cluster_review.load(ws)
        queue = cluster_review.pending(cluster_review.units(latest, ws.decisions()))
    at = logged_in("rev1", "review")
    first = list(queue.iloc[0]["members"])
    assert at.button(key="review_same").label == f"Same for all ({len(first)} as one person)"
    assert at.button(key="review_different").label == (
        "Different people" if len(first) == 2 else "Split this member out")
    assert "organisation" not in wording(at)
    shown = next(d.value for d in at.dataframe if {"id", "cluster"} <= set(d.value.columns))
    assert {"Full name", "Surname", "Date of birth"} <= set(shown.columns)
    assert f"{len(first)} people" in texts(at.subheader)
    at.button(key="review_different").click().run()
    assert "saved:" in texts(at.success)
    at.number_input(key="review_bulk_threshold").set_value(0.5).run()
    assert not at.exception


def test_quality_shows_people_and_drills_down_to_a_person(ws_dir, summary):
    at = logged_in("vie1", "quality")
    shown = metrics(at)
    assert shown["People"] == f"{summary['Output people']:,}"
    assert "Quality, people" in shown and "organisation" not in wording(at)
    codes = at.dataframe[1].value  # findings by code (after the validation table)
    code = next(c for c in codes["code"] if c.startswith("normalise."))
    at.selectbox(key="quality_code").select(code).run()
    at.session_state[f"quality_rows_{code}"] = {"selection": {"rows": [0], "columns": [],
                                                              "cells": []}}
    at.run()
    assert not at.exception
    assert "Person `PER-" in texts(at.markdown)


def test_downloads_list_people_and_every_file(ws_dir, summary):
    at = logged_in("vie1", "downloads")
    runs = at.dataframe[0].value
    assert "people" in runs.columns and "organisations" not in runs.columns
    assert runs["people"].iloc[0] == summary["Output people"]
    assert f"{summary['Output people']:,} people" in texts(at.markdown)
    assert [b.label for b in at.get("download_button")] == [d.label for d in downloads.DELIVERABLES]
    assert "organisation" not in wording(at)
    data = downloads.Download(ws_dir, 1, "csv", "vie1")()
    assert "people.csv" in {n.lower() for n in zipfile.ZipFile(io.BytesIO(data)).namelist()}


def test_home_charts_and_lists_people(ws_dir, summary):
    at = logged_in("vie1", "home")
    recent = at.dataframe[0].value
    assert recent["people"].iloc[0] == summary["Output people"]
    assert chart_titles(at) == ["People and duplicates", "Mean quality score (people)"]
    assert "organisation" not in wording(at)


def test_enrichment_without_organisations_shows_an_empty_state(ws_dir):
    at = logged_in("rev1", "enrichment")
    assert "no enrichment proposals yet" in texts(at.info)
    assert not at.error


# --- runs of different profiles side by side ---------------------------------------------------


def runs_of(*summaries: dict) -> pd.DataFrame:
    """A workspace's runs table (newest first) with these summaries."""
    count = len(summaries)
    return pd.DataFrame([{"run_id": count - i, "started_at": str(count - i), "finished_at": "x",
                          "username": "o", "profile": "p", "files": "[]", "status": "ok",
                          "summary": json.dumps(s)} for i, s in enumerate(summaries)])


PEOPLE = {"Output people": 4216, "Pairs waiting for review": 3,
          "Quality score, mean (people)": 77.0}
ORGS = {"Output organisations": 9, "Output contacts": 4,
        "Quality score, mean (organisations)": 81.5}


def test_mixed_runs_keep_a_column_per_main_entity():
    runs = runs_of(PEOPLE, ORGS)
    recent = overview.recent(runs)
    assert recent["people"].tolist()[0] == 4216 and pd.isna(recent["people"].iloc[1])
    assert recent["organisations"].tolist()[1] == 9 and "contacts" not in recent
    history = overview.history(runs)
    assert history[overview.MAIN].tolist() == ["organisations", "people"]
    assert history[overview.RECORDS].tolist() == [9.0, 4216.0]
    assert history["quality"].tolist() == [81.5, 77.0]


def test_finished_runs_say_what_each_run_wrote(tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        for summary in (ORGS, PEOPLE):
            ws.finish_run(ws.start_run("p", [], "ann"), "ok", summary)
        runs = downloads.finished_runs(ws)
    assert list(runs.columns[6:]) == ["people", "organisations", "contacts", "pairs to review"]
    columns = downloads.entity_columns(runs)
    assert downloads.totals(runs.iloc[0], columns) == "4,216 people"
    assert downloads.totals(runs.iloc[1], columns) == "9 organisations, 4 contacts"


def test_the_review_subject_comes_from_the_profile():
    person = rq.subject_of(load_profile("person"))
    assert (person.kind("same"), person.kind("different")) == ("same person", "different people")
    assert rq.subject_of(None).kind("different") == "different organisations"
    row = pd.Series({"key_l": "a", "key_r": "b", "source_l": "f | s | row 2",
                     "full_name_l": "Ann Lee", "date_of_birth_l": "1990-01-01",
                     "source_r": "f | s | row 3", "full_name_r": "Anne Lee",
                     "date_of_birth_r": "1990-01-01"})
    compared = rq.compare(row, person)
    assert compared.index.tolist() == ["Full name", "Date of birth", "Source row"]
    assert compared["differs"].tolist() == [True, False, False]
