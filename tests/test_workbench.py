"""The workbench's plain helpers: kept uploads and choices, mapping tables, profile tuning, runs,
downloads and run history."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from hotpass import ProfileError, Workspace, WorkspaceError, load_profile
from workbench import downloads, kept, overview, running, sources, stored, tuning
from workbench.text import md


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "ws") as workspace:
        yield workspace


@pytest.fixture
def crm(samples, aviation, ws):
    """The CRM export kept as an upload and read."""
    path = next(p for p in samples.files if p.name == "crm_export.xlsx")
    assert sources.keep(ws, "ann", path.name, path.read_bytes()) is None
    (upload,) = sources.kept_uploads(ws, "ann")
    return sources.read_upload(upload, aviation)


def test_an_upload_is_read_on_its_own_and_a_bad_one_says_why(crm, aviation, ws):
    assert crm.error is None and [s.sheet for s in crm.workbook.sheets] == [
        "Organisation",
        "Contact Info",
    ]
    assert sources.keep(ws, "ann", "notes.xlsx", b"not a workbook") is None
    bad = sources.read_upload(sources.kept_uploads(ws, "ann")[1], aviation)
    assert bad.workbook is None and bad.error.startswith("notes.xlsx: ")
    refused = sources.keep(ws, "ann", "crm_export.xlsx", b"other bytes")
    assert "already loaded" in refused and len(sources.kept_uploads(ws, "ann")) == 2
    assert sources.keep(ws, "ann", "crm_export.xlsx", crm.path.read_bytes()) is None  # same file
    assert len(sources.kept_uploads(ws, "ann")) == 2


def test_an_upload_keeps_the_name_it_came_with_and_goes_when_removed(ws):
    hostile = "../../evil\x00 [x](y).csv"
    assert sources.keep(ws, "ann", hostile, b"name\nAcme\n") is None
    (upload,) = sources.kept_uploads(ws, "ann")
    assert upload.name == "../../evil_ [x](y).csv" and upload.file == "evil_ [x](y).csv"
    assert upload.path.parent.parent == ws.directory / "uploads" / "ann"
    assert sources.kept_uploads(ws, "bob") == []
    sources.remove(ws, "ann", upload.upload_id)
    assert sources.kept_uploads(ws, "ann") == [] and kept.names(ws, "ann") == {}
    assert not upload.path.exists()


def test_choices_are_kept_per_user_and_changes_merge(ws):
    assert kept.profile_choice(ws, "ann") == {"label": "generic", "yaml": None}
    kept.set_profile_choice(ws, "ann", "aviation")
    kept.set_role(ws, "ann", "a.xlsx", "S", "contact")
    kept.set_role(ws, "ann", "a.xlsx", "S", "mixed")
    kept.add_edits(ws, "ann", "a.xlsx", "S", [("Phone", None), ("Town", "organisation.town")])
    kept.add_edits(ws, "ann", "a.xlsx", "S", [("Phone", "organisation.phone")])
    kept.set_current_run(ws, "ann", 7)
    assert kept.profile_choice(ws, "ann") == {"label": "aviation", "yaml": None}
    assert kept.roles(ws, "ann") == {("a.xlsx", "S"): "mixed"}
    assert kept.edits(ws, "ann") == {("a.xlsx", "S", "Town"): "organisation.town",
                                     ("a.xlsx", "S", "Phone"): "organisation.phone"}
    assert kept.current_run(ws, "ann") == 7
    assert kept.roles(ws, "bob") == {} and kept.current_run(ws, "bob") is None


def test_a_kept_profile_choice_is_loaded_again(aviation, tmp_path):
    tuned = tuning.tuned(aviation, tuning.synonym_table(aviation),
                         {("resolution", "match_threshold"): 0.97}, tuning.priority_table(aviation))
    profile, label, problem = tuning.resolve("aviation (tuned)", tuned.to_yaml(), tmp_path)
    assert (label, problem, profile.resolution.match_threshold) == ("aviation (tuned)", None, 0.97)
    profile, label, problem = tuning.resolve("aviation", None, tmp_path)
    assert (profile.name, label, problem) == ("aviation", "aviation", None)
    profile, label, problem = tuning.resolve("gone (saved)", None, tmp_path)
    assert (profile.name, label) == ("generic", "generic") and "no longer" in str(problem)
    profile, label, problem = tuning.resolve("bad", "name: [", tmp_path)
    assert label == "generic" and "not valid YAML" in str(problem)


def test_roles_and_edits_made_by_hand_survive_mapping_again(crm, aviation):
    edits = {
        ("crm_export.xlsx", "Organisation", "Website URL"): None,
        ("crm_export.xlsx", "Organisation", "City"): "organisation.nosuchfield",
    }
    roles = {("crm_export.xlsx", "Contact Info"): "ignore"}
    mapped = sources.map_uploads([crm], aviation, edits, roles)
    organisation = mapped.mapping_of("crm_export.xlsx", "Organisation")
    website = next(c for c in organisation.columns if c.source == "Website URL")
    assert (website.target, website.method) == (None, "unmapped")
    contacts = mapped.mapping_of("crm_export.xlsx", "Contact Info")
    assert (contacts.role, contacts.role_method) == ("ignore", "manual")
    assert all(c.target is None for c in contacts.columns)
    assert len(mapped.problems) == 1 and "nosuchfield" in mapped.problems[0]


def test_the_mapping_table_marks_unsure_columns_and_reports_edits(crm, aviation):
    mapping = sources.map_uploads([crm], aviation, {}, {}).mappings[0]
    table = sources.mapping_table(mapping, aviation)
    unsure = table[table["check"] == "⚠ check"]
    assert len(unsure) and (unsure["confidence"] < aviation.mapping.confident_score).all()
    assert sources.changed_targets(mapping, table) == []
    edited = table.copy()
    edited.loc[0, "target field"] = sources.IGNORE
    assert sources.changed_targets(mapping, edited) == [(table.loc[0, "source column"], None)]
    assert sources.target_options(mapping, aviation)[0] == sources.IGNORE


def test_tuning_checks_the_whole_profile_and_groups_problems(aviation):
    synonyms = tuning.synonym_table(aviation)
    synonyms.loc[synonyms["field"] == "phone", "synonyms"] = "tel; phone;; landline "
    priorities = pd.DataFrame({"file glob": ["*crm*", "", None], "priority": [70.0, 5, 1]})
    tuned = tuning.tuned(aviation, synonyms, {("resolution", "match_threshold"): 0.95}, priorities)
    assert tuned.organisation_fields["phone"].synonyms == ["tel", "phone", "landline"]
    assert tuned.source_priorities == {"*crm*": 70} and tuned.resolution.match_threshold == 0.95
    with pytest.raises(ProfileError) as caught:
        tuning.tuned(aviation, synonyms, {("resolution", "review_threshold"): 0.97}, priorities)
    grouped = tuning.group_problems(caught.value.problems)
    assert list(grouped) == ["thresholds"] and "review_threshold" in grouped["thresholds"][0]


def test_a_saved_profile_keeps_its_expectations_and_refuses_shipped_names(aviation, tmp_path):
    with pytest.raises(ProfileError, match="shipped"):
        tuning.save(aviation, "generic", tmp_path)
    with pytest.raises(ProfileError, match="name"):
        tuning.save(aviation, "Bad Name!", tmp_path)
    path = tuning.save(aviation, "aviation-2026", tmp_path)
    saved = load_profile(path)
    assert saved.name == "aviation-2026" and saved.expectations_dir() == aviation.expectations_dir()
    assert tuning.choices(tmp_path)["aviation-2026 (saved)"] == path


def test_an_uploaded_profile_lists_every_problem():
    with pytest.raises(ProfileError) as caught:
        tuning.from_upload(
            "p.yaml",
            yaml.safe_dump(
                {"name": "p", "colour": 1, "mapping": {"fuzzy_min_score": 200}}
            ).encode(),
        )
    assert len(caught.value.problems) == 2
    with pytest.raises(ProfileError, match="not valid YAML"):
        tuning.from_upload("p.yaml", b"name: [unclosed")


def test_run_history_reads_the_summaries_of_finished_runs():
    runs = pd.DataFrame(
        [
            {
                "run_id": 2,
                "started_at": "b",
                "finished_at": "c",
                "username": "o",
                "profile": "aviation",
                "files": json.dumps(["a.xlsx"]),
                "status": "ok",
                "summary": json.dumps(
                    {"Output organisations": 10, "Quality score, mean (organisations)": 81.5}
                ),
            },
            {
                "run_id": 3,
                "started_at": "d",
                "finished_at": None,
                "username": "o",
                "profile": "aviation",
                "files": "[]",
                "status": "failed",
                "summary": "{}",
            },
            {
                "run_id": 1,
                "started_at": "a",
                "finished_at": "b",
                "username": "o",
                "profile": "aviation",
                "files": "[]",
                "status": "blocked",
                "summary": json.dumps({"Output organisations": 9}),
            },
        ]
    )
    history = overview.history(runs)
    assert history["run"].tolist() == [1, 2] and history["organisations"].tolist() == [9.0, 10.0]
    assert history.loc[1, "quality"] == 81.5 and pd.isna(history.loc[0, "quality"])
    assert overview.recent(runs)["files"].tolist() == [1, 0, 0]


# --- runs and downloads ------------------------------------------------------------------------


def test_a_run_request_carries_the_readable_uploads_and_the_mappings_as_they_are(crm, tmp_path):
    broken = SimpleNamespace(path=tmp_path / "x.xlsx", name="x.xlsx", workbook=None)
    mapped = sources.map_uploads([crm], load_profile("aviation"), {}, {})
    request = running.request_for([broken, crm], mapped, "ann")
    assert [(f.path, f.name) for f in request.files] == [(str(crm.path), "crm_export.xlsx")]
    assert request.exact_mappings and request.username == "ann"
    assert [m["sheet"] for m in request.mappings] == ["Organisation", "Contact Info"]
    assert request.csv_dir is None and request.workbook is None


def stages(*rows) -> pd.DataFrame:
    columns = ["stage", "position", "status", "fraction", "message", "seconds"]
    return pd.DataFrame(rows, columns=columns)


def test_progress_bars_cover_every_stage_in_order():
    state = running.RunState(3, "running", {}, stages(
        ("ingest", 0, "done", 1.0, "Reading files", 1.25),
        ("map", 1, "running", 0.5, "Mapping sheet 2 of 4", None)), "ann", "aviation", ["a.xlsx"])
    bars = running.bars(state)
    assert len(bars) == 15 and bars[0] == ("Reading files", 1.0, "Reading files: done in 1.2 s")
    assert bars[1] == ("Mapping columns", 0.5, "Mapping columns: Mapping sheet 2 of 4")
    assert bars[2][1:] == (0.0, "Building records: waiting")
    assert running.timings_table(state).to_dict("records") == [
        {"stage": "Reading files", "seconds": 1.25}]


def test_a_failed_run_names_its_stage_and_why():
    state = running.RunState(3, "failed", {"error": "a.xlsx: not a workbook"}, stages(
        ("ingest", 0, "failed", 0.0, "a.xlsx: not a workbook", None)), "ann", "aviation", [])
    assert running.failure(state) == ("Reading files", "a.xlsx: not a workbook")
    stopped = running.RunState(4, "failed", {"message": "the process running it stopped"},
                               stages(), "ann", "aviation", [])
    assert running.failure(stopped) == (None, "the process running it stopped")


def test_only_one_active_run_per_user(ws):
    ws.start_run("generic", [], "ann", status="queued")
    assert running.active_run(ws, "ann") == 1 and running.active_run(ws, "bob") is None
    with pytest.raises(running.RunRefused, match="still going"):
        running.start(ws, "ann", [], SimpleNamespace(sheets=[1]), load_profile("generic"))
    with pytest.raises(running.RunRefused, match="nothing to run"):
        running.start(ws, "bob", [], SimpleNamespace(sheets=[]), load_profile("generic"))


def test_finished_runs_are_listed_newest_first_with_their_counts(ws):
    for status, summary in (("ok", {"Output organisations": 9, "Output contacts": 4}),
                            ("failed", {"error": "x"}), ("blocked", {"Output organisations": 8})):
        run_id = ws.start_run("aviation", ["a.xlsx", "b.xlsx"], "ann")
        ws.finish_run(run_id, status, summary)
    ws.start_run("aviation", [], "bob", status="queued")
    runs = downloads.finished_runs(ws)
    assert runs["run"].tolist() == [3, 1] and runs["status"].tolist() == ["blocked", "published"]
    assert runs["organisations"].tolist() == [8, 9] and runs["files"].tolist() == [2, 2]
    assert downloads.count(runs["contacts"].iloc[0]) == "–" and downloads.count(4) == "4"


def test_a_blocked_run_offers_its_report_only_and_files_keep_their_names(tmp_path):
    outputs = {}
    for kind, name in (("workbook", "hotpass-run-5.xlsx"),
                       ("findings", "hotpass-run-5-findings.csv"),
                       ("report_html", "quality-report.html")):
        outputs[kind] = str(tmp_path / name)
        (tmp_path / name).write_text("x")
    published = SimpleNamespace(published=True, outputs=outputs)
    kinds = [d.kind for d in downloads.offered(published)]
    assert kinds == ["workbook", "csv", "parquet", "findings", "report_html"]  # what is there
    blocked = SimpleNamespace(published=False, outputs=outputs)
    assert [d.kind for d in downloads.offered(blocked)] == ["report_html"]
    names = {k: downloads.file_name(downloads.KINDS[k], 5, outputs) for k in kinds}
    assert names == {"workbook": "hotpass-run-5.xlsx", "csv": "hotpass-run-5-csv.zip",
                     "parquet": "hotpass-run-5-parquet.zip",
                     "findings": "hotpass-run-5-findings.csv",
                     "report_html": "quality-report-run-5.html"}


def test_markdown_text_stays_text():
    assert md("[x](javascript:y) <b>*b*</b> $x$") == r"\[x\](javascript:y) \<b\>\*b\*\</b\> \$x\$"
    assert md("1. first\nsecond") == r"1\. first second" and md("- a") == r"\- a"


def test_a_run_held_for_a_moment_is_read_when_it_is_let_go():
    attempts = []

    def read():
        attempts.append(1)
        if len(attempts) < 3:
            raise WorkspaceError("runs/1/run.duckdb: cannot open (Could not set lock on file)")
        return "tables"

    assert stored.retrying(read) == "tables" and len(attempts) == 3
    with pytest.raises(WorkspaceError, match="no stored tables"):
        stored.retrying(lambda: (_ for _ in ()).throw(WorkspaceError("run 1 has no stored tables")))
    attempts.clear()
    with pytest.raises(WorkspaceError, match="cannot open"):
        stored.retrying(lambda: read() and read() and read(), wait=0)
