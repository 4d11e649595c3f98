"""Resolution on generated samples: accuracy against truth, caching, decisions, determinism."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import pandas as pd
import pytest

from hotpass.resolve import Constraints, load_model, model_path, prior_weight, save_model
from hotpass.resolve import resolve_frames as resolve


@dataclass
class Sample:
    orgs: pd.DataFrame
    contacts: pd.DataFrame
    org_of: dict[str, str]  # record_key -> true organisation


@pytest.fixture(scope="module")
def sample(tmp_path_factory, aviation) -> Sample:
    """Records of a 1,500-row generated sample, with the true organisation of each."""
    from hotpass.pipeline import prepare_records
    from hotpass.samples import generate_samples, record_truth

    generated = generate_samples(tmp_path_factory.mktemp("resolve"), rows=1500, seed=11)
    orgs, contacts = prepare_records(generated.files, aviation)
    return Sample(orgs, contacts, record_truth(orgs, generated.truth_records))


@pytest.fixture(scope="module")
def trained(sample, aviation):
    """One trained resolution, reused by the tests that need a model."""
    return resolve(sample.orgs, aviation, contacts=sample.contacts)


def same_pairs(groups) -> set[tuple[str, str]]:
    return {pair for keys in groups for pair in itertools.combinations(sorted(keys), 2)}


def cluster_map(resolution) -> dict[str, str]:
    return dict(zip(resolution.clusters["record_key"], resolution.clusters["cluster_id"]))


def test_pairwise_precision_and_recall_against_ground_truth(sample, trained):
    found = same_pairs(trained.clusters.groupby("cluster_id")["record_key"].apply(list))
    truth = same_pairs(
        pd.Series(sample.org_of).groupby(pd.Series(sample.org_of)).apply(lambda s: list(s.index))
    )
    true_positive = len(found & truth)
    precision, recall = true_positive / len(found), true_positive / len(truth)
    assert precision >= 0.95, precision
    assert recall >= 0.95, recall
    assert trained.trained
    assert set(trained.clusters["record_key"]) == set(sample.orgs["record_key"])


def test_cached_model_gives_identical_results_and_skips_training(sample, aviation, trained):
    again = resolve(sample.orgs, aviation, contacts=sample.contacts, model=trained.model)
    assert not again.trained
    assert "train" not in again.timings
    assert again.timings["total"] < trained.timings["total"]
    pd.testing.assert_frame_equal(again.pairs, trained.pairs)
    pd.testing.assert_frame_equal(again.clusters, trained.clusters)
    assert json.dumps(again.model, sort_keys=True) == json.dumps(trained.model, sort_keys=True)


def test_retrain_on_demand_and_stale_models_are_retrained(sample, aviation, trained):
    stale = json.loads(json.dumps(trained.model))
    stale["comparisons"][0]["comparison_levels"][1]["sql_condition"] = "1 = 1"
    again = resolve(sample.orgs.head(200), aviation, contacts=sample.contacts, model=stale)
    assert again.trained
    assert any("other settings" in note for note in again.notes)


@pytest.mark.slow
def test_two_runs_give_identical_frames(sample, aviation, trained):
    again = resolve(sample.orgs, aviation, contacts=sample.contacts)
    assert again.trained
    for name in ("pairs", "clusters", "review"):
        assert getattr(again, name).to_csv(index=False) == getattr(trained, name).to_csv(
            index=False
        ), name
    assert json.dumps(again.model, sort_keys=True) == json.dumps(trained.model, sort_keys=True)


def test_per_comparison_weights_sum_with_the_prior_to_match_weight(trained):
    pairs = trained.pairs
    weights = [c for c in pairs.columns if c.startswith("mw_")]
    assert {"mw_name", "mw_phones", "mw_emails", "mw_org_domain", "mw_region", "mw_town"} <= set(
        weights
    )
    assert pairs[weights].notna().all().all()
    total = pairs[weights].sum(axis=1) + prior_weight(trained.model)
    assert (total - pairs["match_weight"]).abs().max() < 1e-6
    assert (pairs["key_l"] < pairs["key_r"]).all()
    assert not pairs.duplicated(["key_l", "key_r"]).any()


def test_bands_follow_the_profile_thresholds(trained, aviation):
    res = aviation.resolution
    p = trained.pairs["match_probability"]
    expected = [
        "auto" if x >= res.match_threshold else "review" if x >= res.review_threshold else "apart"
        for x in p
    ]
    assert trained.pairs["band"].tolist() == expected


def test_review_queue_is_undecided_review_pairs_most_uncertain_first(trained):
    queue = trained.review
    assert (queue["band"] == "review").all()
    assert len(queue) == (trained.pairs["band"] == "review").sum()
    order = list(zip(queue["match_weight"].abs(), queue["key_l"], queue["key_r"]))
    assert order == sorted(order)


def test_cannot_link_splits_a_cluster_even_through_a_chain(sample, aviation, trained):
    clusters = cluster_map(trained)
    members = (
        trained.clusters[trained.clusters["cluster_size"] >= 3]
        .groupby("cluster_id")["record_key"]
        .apply(list)
    )
    first, *_, last = members.iloc[0]
    decided = resolve(
        sample.orgs,
        aviation,
        Constraints(cannot_link=[(first, last)]),
        model=trained.model,
        contacts=sample.contacts,
    )
    after = cluster_map(decided)
    assert clusters[first] == clusters[last]
    assert after[first] != after[last]
    assert (first, last) not in set(zip(decided.review["key_l"], decided.review["key_r"]))


def test_must_link_joins_records_the_model_keeps_apart(sample, aviation, trained):
    clusters = cluster_map(trained)
    apart = trained.pairs[trained.pairs["band"] == "apart"].iloc[0]
    a, b = apart["key_l"], apart["key_r"]
    lone = [k for k in sample.orgs["record_key"] if clusters[k] not in (clusters[a], clusters[b])][
        0
    ]
    decided = resolve(
        sample.orgs,
        aviation,
        Constraints(must_link=[(a, b), (lone, a)]),
        model=trained.model,
        contacts=sample.contacts,
    )
    after = cluster_map(decided)
    assert clusters[a] != clusters[b]
    assert after[a] == after[b] == after[lone]
    row = decided.pairs[(decided.pairs["key_l"] == a) & (decided.pairs["key_r"] == b)]
    assert row["decision"].tolist() == ["same"]


def test_conflicting_decisions_are_reported(sample, aviation, trained):
    a, b = trained.clusters["record_key"].iloc[:2]
    decided = resolve(
        sample.orgs,
        aviation,
        Constraints(must_link=[(a, b)], cannot_link=[(b, a)]),
        model=trained.model,
        contacts=sample.contacts,
    )
    assert [c.must_link for c in decided.conflicts] == [tuple(sorted((a, b)))]
    assert cluster_map(decided)[a] != cluster_map(decided)[b]
    assert any("marked different" in note for note in decided.notes)


def test_organisations_sharing_only_a_free_mail_domain_are_not_merged(sample, aviation, trained):
    extra = pd.DataFrame(
        [
            {
                "record_id": "X1",
                "record_key": "org:zz-extra-1",
                "name": "Quorvex Avionics",
                "region": "Gauteng",
                "email": "quorvex.ops@gmail.com",
            },
            {
                "record_id": "X2",
                "record_key": "org:zz-extra-2",
                "name": "Pelindaba Gliding Club",
                "region": "Gauteng",
                "email": "pelindaba.club@gmail.com",
            },
        ],
        dtype=object,
    )
    orgs = pd.concat([sample.orgs, extra], ignore_index=True)
    result = resolve(orgs, aviation, model=trained.model, contacts=sample.contacts)
    clusters = cluster_map(result)
    assert clusters["org:zz-extra-1"] != clusters["org:zz-extra-2"]
    assert clusters["org:zz-extra-1"] == "org:zz-extra-1"


def test_progress_is_reported_as_the_resolve_stage(sample, aviation, trained):
    seen = []
    resolve(
        sample.orgs.head(300),
        aviation,
        model=trained.model,
        progress=lambda *event: seen.append(event),
    )
    assert {stage for stage, _, _ in seen} == {"resolve"}
    assert seen[-1][1] == 1.0
    assert [f for _, f, _ in seen] == sorted(f for _, f, _ in seen)


def test_model_cache_round_trip_in_the_workspace(tmp_path, aviation, trained):
    assert load_model(tmp_path, aviation) is None
    path = save_model(tmp_path, aviation, trained.model)
    assert path == model_path(tmp_path, aviation)
    assert load_model(tmp_path, aviation) == trained.model
    stored = json.loads(path.read_text(encoding="utf-8"))
    stored["fingerprint"] = "0" * 16
    path.write_text(json.dumps(stored), encoding="utf-8")
    assert load_model(tmp_path, aviation) is None


def test_a_changed_training_setting_makes_the_cached_model_unusable(tmp_path, aviation, trained):
    save_model(tmp_path, aviation, trained.model)
    changed = aviation.model_copy(deep=True)
    changed.resolution.deterministic_recall = 0.6
    assert load_model(tmp_path, changed) is None
    assert load_model(tmp_path, aviation) == trained.model


def test_the_profile_chooses_comparisons_and_blocking_rules(sample, aviation, trained):
    """Fewer comparisons and one blocking rule: the model and the pairs follow the profile."""
    narrow = aviation.model_copy(deep=True)
    narrow.resolution.comparisons = ["name", "phones", "region"]
    narrow.resolution.blocking_rules = [["name_core"], ["phones"]]
    narrow.resolution.similarity = {"name": 0.8}
    orgs = sample.orgs.head(600)
    result = resolve(orgs, narrow, contacts=sample.contacts, model=trained.model)
    assert result.trained  # the cached model's structure no longer fits
    assert [c["output_column_name"] for c in result.model["comparisons"]] == [
        "name", "phones", "region"
    ]
    assert not any(c.startswith(("mw_town", "mw_emails")) for c in result.pairs.columns)
    assert set(result.pairs["blocked_by"].astype(str)) <= {"0", "1"}
    name_levels = result.model["comparisons"][0]["comparison_levels"]
    assert any(">= 0.8" in level["sql_condition"] for level in name_levels)


def test_scores_are_reused_when_records_and_model_are_unchanged(tmp_path, sample, aviation):
    from hotpass.resolve import ScoreCache

    orgs = sample.orgs.head(500)
    scores = ScoreCache(tmp_path, aviation)
    first = resolve(orgs, aviation, contacts=sample.contacts, scores=scores)
    assert scores.path.exists()
    again = resolve(orgs, aviation, contacts=sample.contacts, model=first.model, scores=scores)
    assert any("scores were reused" in note for note in again.notes)
    for name in ("pairs", "clusters", "review"):
        assert getattr(again, name).to_csv(index=False) == getattr(first, name).to_csv(
            index=False
        ), name
    assert again.model == first.model
    # one record fewer: the scores no longer fit, so they are computed and stored again
    fewer = resolve(orgs.head(499), aviation, contacts=sample.contacts, model=first.model,
                    scores=scores)
    assert not any("scores were reused" in note for note in fewer.notes)
    assert "prior" in fewer.timings
    after = resolve(orgs.head(499), aviation, contacts=sample.contacts, model=first.model,
                    scores=scores)
    assert any("scores were reused" in note for note in after.notes)
    assert after.pairs.to_csv(index=False) == fewer.pairs.to_csv(index=False)


def test_blocking_rules_beyond_the_pair_cap_are_skipped_with_a_warning(tmp_path, sample, aviation, trained):
    """At scale a broad name rule can produce hundreds of millions of pairs: it is left out, said so."""
    from hotpass.resolve import ScoreCache
    from hotpass.resolve.resolver import SKIPPED_RULE

    capped = aviation.model_copy(deep=True)
    capped.resolution.max_comparisons = 1_000
    scores = ScoreCache(tmp_path, capped)
    result = resolve(sample.orgs, capped, model=trained.model, contacts=sample.contacts, scores=scores)
    again = resolve(sample.orgs, capped, model=result.model, contacts=sample.contacts, scores=scores)
    assert any("scores were reused" in n for n in again.notes)
    assert [n for n in again.notes if n.startswith(SKIPPED_RULE)] == [
        n for n in result.notes if n.startswith(SKIPPED_RULE)]  # said again when the scores are reused
    skipped = [n for n in result.notes if n.startswith(SKIPPED_RULE)]
    assert skipped and all("resolution.max_comparisons (1,000)" in n for n in skipped)
    assert len(result.pairs) < len(trained.pairs)
    rules = len(trained.model["blocking_rules_to_generate_predictions"])
    assert {int(v) for v in result.pairs["blocked_by"]} <= set(range(rules))  # indexes as the profile lists them
    assert set(result.clusters["record_key"]) == set(sample.orgs["record_key"])  # every record still placed


def test_fields_no_record_has_are_not_compared_or_blocked_on():
    from hotpass.profile import load_profile
    from hotpass.resolve.settings import ModelSpec

    spec = ModelSpec.from_profile(load_profile("person"))
    lighter = spec.without({"email", "phone"})
    assert {"email", "phone"} <= set(spec.comparisons)
    assert not {"email", "phone"} & set(lighter.comparisons)
    assert not {"email", "phone"} & {c.field for c in lighter.comparisons_of_fields}
    assert ("email",) in spec.blocking_rules and ("email",) not in lighter.blocking_rules
    assert ("substr(surname, 1, 3)", "postcode") in lighter.blocking_rules  # other rules stay
    assert spec.without(set()) is spec
    no_postcode = spec.without({"postcode"})
    assert not [rule for rule in no_postcode.blocking_rules if any("postcode" in e for e in rule)]
    assert ("postcode",) not in no_postcode.training_rules and ("surname",) in no_postcode.training_rules
