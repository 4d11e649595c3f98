"""The typed profile: shipped files, defaults, one error listing every problem."""

from __future__ import annotations

import pytest
import yaml

from hotpass.errors import ProfileError
from hotpass.profile import Profile, available_profiles, load_profile, settings_reference


@pytest.mark.parametrize("name", ["aviation", "generic"])
def test_shipped_profiles_load_and_round_trip(name, tmp_path):
    profile = load_profile(name)
    assert profile.name == name
    path = tmp_path / "copy.yaml"
    profile.to_yaml(path)
    assert Profile.from_yaml(path) == profile


def test_shipped_yaml_is_a_saved_instance():
    for path in available_profiles().values():
        on_disk = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert Profile.from_yaml(path).to_dict() == on_disk, f"{path} is not a complete saved profile"


def test_partial_yaml_takes_defaults(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nresolution:\n  match_threshold: 0.95\n", encoding="utf-8")
    profile = Profile.from_yaml(path)
    assert profile.resolution.match_threshold == 0.95
    assert profile.resolution.review_threshold == 0.5
    assert profile.phone_region == "ZA"
    assert "KwaZulu-Natal" in profile.region_aliases
    assert "KZN" in profile.region_aliases["KwaZulu-Natal"]


def test_every_problem_is_listed_with_its_key_path(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: ''\nphone_region: ZAF\nresolution:\n  match_threshold: 2\n  surprise: 1\n"
        "organisation_fields:\n  name:\n    kind: nonsense\ningest:\n  header_scan_rows: 0\n",
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as caught:
        Profile.from_yaml(path)
    message = str(caught.value)
    assert str(path) in message
    for key in ["name:", "phone_region:", "entities.organisation.resolution.match_threshold:",
                "entities.organisation.resolution.surprise: unknown setting",
                "entities.organisation.fields.name.kind:", "ingest.header_scan_rows:"]:
        assert key in message, key
    assert len(caught.value.problems) == 6


def test_cross_field_and_semantic_problems():
    with pytest.raises(ProfileError) as caught:
        Profile.from_dict({"name": "x", "resolution": {"match_threshold": 0.5, "review_threshold": 0.6},
                           "contact_fields": {"email": {"kind": "email"}},
                           "sheet_roles": {"no-separator": "contact"}})
    problems = "\n".join(caught.value.problems)
    assert "review_threshold must be below match_threshold" in problems
    assert "sheet_roles:" in problems
    with pytest.raises(ProfileError, match="entities.contact.fields: must define a field of kind 'link'"):
        Profile.from_dict({"name": "x", "contact_fields": {"email": {"kind": "email"}}})


def test_unreadable_and_non_yaml_files_name_the_file(tmp_path):
    with pytest.raises(ProfileError, match="missing.yaml"):
        Profile.from_yaml(tmp_path / "missing.yaml")
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="(?s)broken.yaml.*not valid YAML"):
        Profile.from_yaml(bad)
    with pytest.raises(ProfileError, match="no such profile"):
        load_profile("does-not-exist")


def test_every_setting_has_help_text():
    for key, _default, help_text in settings_reference():
        assert help_text.strip(), f"setting {key} has no help text"


def test_priorities_and_role_overrides(aviation):
    assert aviation.priority_of("SACAA_regulator_list.xlsx") == 100
    assert aviation.priority_of("crm_export.xlsx") == 60
    assert aviation.priority_of("other.xlsx") == 0
    profile = Profile(name="x", sheet_roles={"crm*::Contact*": "contact"})
    assert profile.role_override("crm_2024.xlsx", "Contact Info") == "contact"
    assert profile.role_override("crm_2024.xlsx", "Organisation") is None


@pytest.mark.parametrize(
    "rule",
    [["name_key; DROP TABLE x"], ["upper(name_t1)"], ["substr(phones, 1, 2)"], ["nope"], ["'x'"], []],
)
def test_rules_accept_only_matching_columns_and_a_few_functions(rule):
    with pytest.raises(ProfileError, match="resolution.blocking_rules"):
        Profile.from_dict({"name": "t", "resolution": {"blocking_rules": [rule]}})


def test_rules_and_comparisons_from_the_profile():
    profile = Profile.from_dict(
        {"name": "t", "resolution": {
            "blocking_rules": [["substr(name_t1, 1, 2)", "region"], ["phones"]],
            "comparisons": ["name", "phones"],
            "similarity": {"town": 0.7},
        }}
    )
    assert profile.resolution.blocking_rules[0] == ["substr(name_t1, 1, 2)", "region"]
    assert profile.resolution.similarity == {"name": 0.9, "region": 0.9, "town": 0.7}
    with pytest.raises(ProfileError, match="name comparison is required"):
        Profile.from_dict({"name": "t", "resolution": {"comparisons": ["phones"]}})
    with pytest.raises(ProfileError, match="predict_floor"):
        Profile.from_dict({"name": "t", "resolution": {"predict_floor": 0.6}})
