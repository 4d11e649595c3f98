"""The workbench's plain helpers: uploads, mapping tables, profile tuning, run history."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from hotpass.errors import ProfileError
from hotpass.profile import load_profile
from workbench import overview, sources, tuning


@pytest.fixture
def crm(samples, aviation, tmp_path):
    """The CRM export read as an upload."""
    path = next(p for p in samples.files if p.name == "crm_export.xlsx")
    return sources.read_upload("id-1", path.name, path.read_bytes(), tmp_path, aviation)


def test_an_upload_is_read_on_its_own_and_a_bad_one_says_why(crm, aviation, tmp_path):
    assert crm.error is None and [s.sheet for s in crm.workbook.sheets] == [
        "Organisation",
        "Contact Info",
    ]
    bad = sources.read_upload("id-2", "notes.xlsx", b"not a workbook", tmp_path, aviation)
    assert bad.workbook is None and bad.error.startswith("notes.xlsx: ")
    again = sources.read_upload(
        "id-3", "crm_export.xlsx", b"", tmp_path, aviation, {"crm_export.xlsx"}
    )
    assert "already loaded" in again.error


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
