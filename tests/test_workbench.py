"""The workbench's plain helpers: kept uploads and choices, mapping tables, profile tuning, runs,
downloads and run history."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from hotpass import STAGES, Fit, ProfileError, Workspace, WorkspaceError, load_profile
from workbench import (
    downloads,
    fitting,
    kept,
    mapping,
    overview,
    running,
    sources,
    stored,
    tuning,
)
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
    mapped = mapping.map_uploads([crm], aviation, edits, roles)
    organisation = mapped.mapping_of("crm_export.xlsx", "Organisation")
    website = next(c for c in organisation.columns if c.source == "Website URL")
    assert (website.target, website.method) == (None, "unmapped")
    contacts = mapped.mapping_of("crm_export.xlsx", "Contact Info")
    assert (contacts.role, contacts.role_method) == ("ignore", "manual")
    assert all(c.target is None for c in contacts.columns)
    assert len(mapped.problems) == 1 and "nosuchfield" in mapped.problems[0]


def test_a_role_chosen_by_hand_with_its_key_column_is_laid_over_the_detected_one(crm, aviation):
    roles = {("crm_export.xlsx", "Contact Info"): "side_table",
             ("crm_export.xlsx", "Organisation"): "person"}  # not a role of the aviation profile
    columns = {("crm_export.xlsx", "Contact Info"): ("Org ID", None)}
    detected = mapping.detect(mapping.sheets_of([crm]), aviation)
    mapped = mapping.map_uploads([crm], aviation, {}, roles, columns, detected)
    side = mapped.mapping_of("crm_export.xlsx", "Contact Info")
    assert (side.role, side.role_method, side.key, side.confidence) == (
        "side_table", "manual", "Org ID", 1.0)
    assert side.reason.startswith("chosen by hand; detected as contact (")
    assert all(c.target is None for c in side.columns)
    assert detected.mappings[1].role == "contact"  # what the machine found is left as it was
    organisation = mapped.mapping_of("crm_export.xlsx", "Organisation")
    assert (organisation.role, organisation.role_method) == ("organisation", "detected")
    assert mapped.problems == ["crm_export.xlsx · Organisation: profile aviation has no role "
                               "'person', so the detected role is used"]
    assert mapping.role_note(side).startswith("Chosen by hand: detected as contact (")
    assert mapping.role_note(organisation).startswith("Detected, 95% sure: one record per row")


def test_an_activity_log_chosen_by_hand_takes_its_key_and_date_columns(sheet_factory, aviation):
    companies = sheet_factory(["Company Name", "Town"],
                              [["Acme Air", "Durban"], ["Beta Aero", "Parys"]],
                              file="crm.xlsx", sheet="Companies")
    calls = sheet_factory(["Who", "Company", "When", "Said"],
                          [["Ann", "Acme Air", "2024-01-02", "call back"],
                           ["Ben", "Beta Aero", "2024-02-03", "quote sent"]],
                          file="crm.xlsx", sheet="Calls")
    upload = SimpleNamespace(workbook=SimpleNamespace(sheets=[companies, calls]))
    roles = {("crm.xlsx", "Calls"): "activity_log"}
    chosen = mapping.map_uploads([upload], aviation, {}, roles,
                                 {("crm.xlsx", "Calls"): ("Company", "When")})
    log = chosen.mapping_of("crm.xlsx", "Calls")
    assert (log.role, log.role_method, log.key, log.date) == (
        "activity_log", "manual", "Company", "When")
    assert all(c.target is None for c in log.columns)
    gone = mapping.map_uploads([upload], aviation, {}, roles,
                               {("crm.xlsx", "Calls"): ("No such column", None)})
    assert gone.mapping_of("crm.xlsx", "Calls").key != "No such column"  # as detected instead
    assert [look.kind for look in chosen.looks_of("crm.xlsx", "Calls")] == [
        "name", "name", "date", "text"]


def test_the_roles_offered_follow_the_profile(aviation):
    person = load_profile("person")
    assert mapping.role_options(aviation) == ["organisation", "contact", "mixed", "side_table",
                                              "activity_log", "lookup", "ignore"]
    assert mapping.role_options(person) == ["person", "side_table", "activity_log", "lookup",
                                            "ignore"]
    labels = [mapping.role_label(r, aviation) for r in mapping.role_options(aviation)]
    assert labels[:3] == ["Organisation: one per row", "Contact: one per row",
                          "Mixed: one organisation per row with its contacts"]
    assert labels[-1] == "Ignore: not read" and mapping.role_label("person", person) == \
        "Person: one per row"
    assert mapping.record_entities("mixed", aviation) == ["organisation", "contact"]
    assert mapping.record_entities("lookup", aviation) == []


def test_the_recipe_keeps_key_and_date_columns(ws):
    ws.set_state("ann", kept.ROLES, [["old.xlsx", "S", "ignore"]])  # kept before key columns
    kept.set_role(ws, "ann", "a.xlsx", "Orders", "activity_log", "Company ID", "Order Date")
    kept.set_role(ws, "ann", "a.xlsx", "Notes", "side_table", "Company ID")
    assert kept.roles(ws, "ann") == {("old.xlsx", "S"): "ignore",
                                     ("a.xlsx", "Orders"): "activity_log",
                                     ("a.xlsx", "Notes"): "side_table"}
    assert kept.role_columns(ws, "ann") == {("a.xlsx", "Orders"): ("Company ID", "Order Date"),
                                            ("a.xlsx", "Notes"): ("Company ID", None)}


def test_the_best_fit_is_preselected_once_per_upload_set_and_never_over_a_choice(ws):
    ranked = [Fit("aviation", 0.9, "", 9, 10), Fit("generic", 0.8, "", 8, 10)]
    assert fitting.preselect(ws, "ann", ranked, "set-1") == "aviation"
    assert kept.profile_choice(ws, "ann") == {"label": "aviation", "yaml": None}
    assert not kept.chose_profile(ws, "ann") and kept.fitted_for(ws, "ann") == "set-1"
    assert fitting.preselect(ws, "ann", ranked[::-1], "set-1") == "aviation"  # once per set
    assert fitting.preselect(ws, "ann", ranked[::-1], "set-2") == "generic"  # new files
    kept.set_profile_choice(ws, "ann", "person")  # the user chooses
    assert fitting.preselect(ws, "ann", ranked, "set-3") is None
    assert kept.profile_choice(ws, "ann")["label"] == "person" and kept.chose_profile(ws, "ann")
    assert fitting.preselect(ws, "bob", [Fit("aviation", 0.0, "", 0, 0)], "set-1") is None
    lines = fitting.ranking_lines([Fit("aviation", 0.953, "33 of 34 columns match", 33, 34)],
                                  "aviation")
    assert lines == ["aviation: fits 95% (33 of 34 columns match) · in use"]


def test_the_mapping_table_marks_unsure_columns_and_reports_edits(crm, aviation):
    mapped = mapping.map_uploads([crm], aviation, {}, {})
    sheet = mapped.mappings[0]
    table = mapping.mapping_table(sheet, aviation, mapped.looks[0])
    unsure = table[table["check"] == "⚠ check"]
    assert len(unsure) and (unsure["confidence"] < aviation.mapping.confident_score).all()
    assert mapping.changed_targets(sheet, table) == []
    edited = table.copy()
    edited.loc[0, "target field"] = mapping.IGNORE
    assert mapping.changed_targets(sheet, edited) == [(table.loc[0, "source column"], None)]
    assert mapping.target_options(sheet, aviation)[0] == mapping.IGNORE
    website = table[table["source column"] == "Website URL"].iloc[0]
    assert website["looks like"] == "website"
    firsts = list(dict.fromkeys(v for v in crm.workbook.sheets[0].frame["Website URL"] if v))[:3]
    shown = website["sample values"].split(" · ")
    assert len(shown) == 3 and all(v == first or (v.endswith("…") and first.startswith(v[:-1]))
                                   for v, first in zip(shown, firsts, strict=True))


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
    mapped = mapping.map_uploads([crm], load_profile("aviation"), {}, {})
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
    assert len(bars) == len(STAGES) and bars[0] == ("Reading files", 1.0, "Reading files: done in 1.2 s")
    assert bars[1] == ("Mapping columns", 0.5, "Mapping columns: Mapping sheet 2 of 4")
    assert bars[2][1:] == (0.0, "Applying each file's purpose and the suppression list: waiting")
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


def test_field_comparisons_are_tuned_and_checked_as_a_whole_profile():
    person = load_profile("person")
    table = tuning.comparison_table(person)
    assert set(table["record"]) == {"person"} and "date_of_birth" in set(table["method"])
    assert tuning.comparison_table(load_profile("aviation")).empty  # built-in comparisons are not edited here
    table.loc[table["field"] == "given_name", "thresholds"] = "0.95; 0.85"
    table.loc[len(table)] = ["person", "suburb", "jaro_winkler", "", True]
    table = table[table["field"] != "email"]
    tuned = tuning.tuned(person, tuning.synonym_table(person), {}, tuning.priority_table(person), table)
    found = {c.field: c for c in tuned.entity("person").resolution.comparisons}
    assert found["given_name"].thresholds == [0.95, 0.85] and "email" not in found
    assert found["suburb"].method == "jaro_winkler" and found["suburb"].term_frequency
    table.loc[table["field"] == "postcode", "thresholds"] = "0.5"
    table.loc[table["field"] == "surname", "field"] = "nickname"
    with pytest.raises(ProfileError) as caught:
        tuning.tuned(person, tuning.synonym_table(person), {}, tuning.priority_table(person), table)
    grouped = tuning.group_problems(caught.value.problems)
    assert list(grouped) == ["comparisons"], grouped
