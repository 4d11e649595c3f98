"""Per-record quality scores and flags, and the raw-versus-refined measures."""

from __future__ import annotations

import pandas as pd
import pytest

from hotpass import quality


@pytest.fixture
def orgs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "organisation_id": ["ORG-1", "ORG-2", "ORG-3"],
            "name": ["Blue Sky Aviation", "Vaal Flight School", None],
            "phone": ["+27112584160", "011 258 4160", None],
            "email": ["info@bluesky.co.za", "not-an-address", None],
            "website": ["https://bluesky.co.za", None, None],
            "region": ["Gauteng", "Gautang", None],
            "town": ["Lanseria", "Vereeniging", None],
            "conflicts": [None, "phone, email, website, region, town", None],
        },
        dtype=object,
    )


def test_a_complete_valid_record_scores_100(orgs, aviation):
    scores = quality.score(orgs, "organisations", aviation)
    assert scores.loc[0, "quality_score"] == 100.0
    assert scores.loc[0, "quality_flags"] is None
    assert scores.loc[0, "completeness"] == 1.0 and scores.loc[0, "validity"] == 1.0


def test_missing_invalid_and_conflicting_fields_cost_points_and_are_flagged(orgs, aviation):
    settings = aviation.quality
    scores = quality.score(orgs, "organisations", aviation)
    flags = scores.loc[1, "quality_flags"].split("; ")
    assert {"missing:website", "invalid:phone", "invalid:email", "invalid:region"} <= set(flags)
    assert {"conflict:phone", "conflict:town"} <= set(flags)
    weights = aviation.entity("organisation").quality_fields
    completeness = (sum(weights.values()) - weights["website"]) / sum(weights.values())
    validity = 2 / 5  # name and town pass; phone, email and region do not
    expected = 100 * (settings.completeness_weight * completeness + settings.validity_weight * validity) / (
        settings.completeness_weight + settings.validity_weight
    ) - settings.max_conflict_penalty  # five conflicts, capped
    assert scores.loc[1, "quality_score"] == pytest.approx(round(expected, 1))
    assert "low_quality" in flags


def test_an_empty_record_scores_only_its_validity_share(orgs, aviation):
    settings = aviation.quality
    scores = quality.score(orgs, "organisations", aviation)
    share = settings.validity_weight / (settings.completeness_weight + settings.validity_weight)
    assert scores.loc[2, "quality_score"] == pytest.approx(round(100 * share, 1))
    assert scores.loc[2, "quality_flags"].startswith("missing:name")


def test_pending_review_costs_points(orgs, aviation):
    pending = quality.score(orgs, "organisations", aviation, pending={"ORG-1"})
    assert pending.loc[0, "quality_score"] == 100.0 - aviation.quality.pending_review_penalty
    assert "pending_review" in pending.loc[0, "quality_flags"]


def test_profile_weights_change_the_score(orgs, aviation):
    heavy = aviation.model_copy(deep=True)
    heavy.quality.completeness_weight = 0.0
    heavy.quality.validity_weight = 1.0
    scores = quality.score(orgs, "organisations", heavy)
    assert scores.loc[2, "quality_score"] == 100.0  # nothing filled, nothing invalid


def test_validity_checks_are_strict(aviation):
    values = pd.Series(["+27112584160", "0112584160", "+2711", None, ""], dtype=object)
    assert quality.valid(values, "phone", aviation).tolist() == [True, False, False, False, False]
    sites = pd.Series(["https://a.co.za/x", "www.a.co.za", "http://a.co.za"], dtype=object)
    assert quality.valid(sites, "website", aviation).tolist() == [True, False, True]
    regions = pd.Series(["Gauteng", "GP", "gauteng"], dtype=object)
    assert quality.valid(regions, "region", aviation).tolist() == [True, False, False]


def test_measures_count_filled_and_valid_values(orgs, aviation):
    by_field = {m.field: m for m in quality.measure(orgs, "organisations", aviation)}
    phone = by_field["phone"]
    assert (phone.rows, phone.filled, phone.valid) == (3, 2, 1)
    assert phone.filled_share == pytest.approx(2 / 3) and phone.valid_share == 0.5


def test_pending_records_come_from_the_review_queue(aviation):
    from hotpass.rundb import RunDB
    from hotpass.stages.validate import _pending

    with RunDB() as db:
        db.write("review_queue", pd.DataFrame({"key_l": ["org:a"], "key_r": ["org:c"]}))
        db.write("member_of", pd.DataFrame({"record_id": ["1", "2", "3"], "record_key": ["org:a", "org:b", "org:c"],
                                            "organisation_id": ["ORG-1", "ORG-1", "ORG-2"]}))
        assert _pending(db, aviation, "organisation") == {"ORG-1", "ORG-2"}
        assert _pending(db, aviation, "contact") == set()
        db.execute("DELETE FROM review_queue")
        assert _pending(db, aviation, "organisation") == set()


def test_a_person_list_is_scored_on_its_own_fields(tmp_path):
    from hotpass.profile import load_profile

    person = load_profile("person")
    people = pd.DataFrame({"person_id": ["PER-1", "PER-2"], "full_name": ["Ann Lee", None],
                           "date_of_birth": ["1980-02-01", None], "email": ["ann@example.org", "nope"]},
                          dtype=object)
    scores = quality.score(people, "people", person)
    assert scores.loc[0, "quality_score"] > scores.loc[1, "quality_score"]
    assert "missing:full_name" in scores.loc[1, "quality_flags"] and "invalid:email" in scores.loc[1, "quality_flags"]


def test_quality_table_lists_lowest_scores_first(orgs, aviation):
    scored = pd.concat([orgs, quality.score(orgs, "organisations", aviation)], axis=1)
    table = quality.quality_table([("organisation", scored, "organisation_id", "name")])
    assert table["quality_score"].tolist() == sorted(table["quality_score"].tolist())
    assert list(table.columns) == ["record_kind", "record_id", "name", "quality_score", "completeness",
                                   "validity", "quality_flags"]
