"""Learning from decisions in the workbench (issue 16 part 2): precision and recall from labels on
the Quality page, thresholds set from them by an admin, and retraining from labels on the Run page.

A sample workspace is refined once; the tests decide pairs of its records from the samples' ground
truth (as a reviewer who is always right would), then look at the pages through AppTest.
"""

from __future__ import annotations

import json

import pytest
import yaml

from hotpass import MIN_LABELS, Profile, Users, Workspace, refine
from hotpass.samples import generate_samples, true_organisations
from tests import test_app_pages as pages
from tests.test_app import XLSX, finished, started, uploaded
from tests.test_app_pages import PASSWORD, logged_in, opened, texts
from workbench import accuracy_ui, kept, running, stored

pytestmark = pytest.mark.slow

LABELLED = MIN_LABELS + 6


@pytest.fixture(scope="module")
def master(tmp_path_factory, aviation):
    """A workspace with one user per role and one run of generated samples; the scored pairs of
    that run, and each record's true organisation."""
    root = tmp_path_factory.mktemp("accuracy")
    samples = generate_samples(root / "samples", rows=150, seed=7)
    with Workspace(root / "workspace") as ws:
        for role in pages.ROLES:
            Users(ws).add(role[:3] + "1", role, password=PASSWORD)
        with refine(samples.files, aviation, workspace=ws, username="ope1", raise_blocked=False) as first:
            scored = first.db.frame("SELECT key_l, key_r, match_probability FROM pairs")
            clusters = first.clusters
            model = first.db.meta("model")
    truth = true_organisations(samples.truth_records)
    owner = {key: truth[(f, s, int(r))] for key, f, s, r in clusters[
        ["record_key", "source_file", "source_sheet", "source_row"]].itertuples(index=False)}
    return root, samples, scored, owner, model


@pytest.fixture
def ws_dir(master, tmp_path, monkeypatch):
    yield from pages.workspace_copy(master[0] / "workspace", tmp_path, monkeypatch)


def labels_of(master) -> list[tuple[str, str, bool, float]]:
    """(key_l, key_r, truly the same, probability) of labelled pairs: scored pairs spread over the
    scores, the scored pairs that are truly apart, and pairs of records of different organisations
    the run never scored (probability 0), as a reviewer would meet them."""
    _, _, scored, owner, _ = master
    pairs = zip(scored["key_l"], scored["key_r"], strict=True)
    scored = scored.assign(same=[owner[a] == owner[b] for a, b in pairs])
    ranked = scored[scored["same"]].sort_values("match_probability").reset_index(drop=True)
    positives = ranked.iloc[::max(len(ranked) // (LABELLED - 6), 1)].head(LABELLED - 6)
    negatives = scored[~scored["same"]].head(6)
    rows = [(a, b, bool(same), float(p)) for a, b, p, same in
            (*positives.itertuples(index=False), *negatives.itertuples(index=False))]
    seen = {tuple(sorted(r[:2])) for r in scored[["key_l", "key_r"]].itertuples(index=False)}
    keys = sorted(owner)
    for a, b in zip(keys, keys[7:], strict=False):  # never-scored pairs of different organisations
        if len(rows) >= LABELLED:
            break
        if owner[a] != owner[b] and tuple(sorted((a, b))) not in seen:
            rows.append((*sorted((a, b)), False, 0.0))
    return rows


def decide(directory, labels) -> None:
    with opened(directory) as ws:
        for a, b, same, _ in labels:
            ws.decide("same" if same else "different", a, b, reviewer="rev1")


def chart_traces(at) -> dict[str, dict[float, float]]:
    """Name -> {threshold: value} of the accuracy chart's lines."""
    (chart,) = [c for c in at.get("plotly_chart") if '"name":"Precision"' in c.proto.spec.replace(" ", "")]
    data = json.loads(chart.proto.spec)["data"]
    return {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in data if t.get("name")}


def _f1(labels, threshold: float) -> float:
    tp = sum(1 for *_, same, p in labels if same and p >= threshold)
    fp = sum(1 for *_, same, p in labels if not same and p >= threshold)
    fn = sum(1 for *_, same, p in labels if same and p < threshold)
    return 2 * tp / (2 * tp + fp + fn)


def test_the_chart_shows_precision_and_recall_from_real_decisions(master, ws_dir, aviation):
    labels = labels_of(master)
    same = sum(1 for _, _, s, _ in labels if s)
    assert 0 < same < len(labels), "the labels hold both kinds"
    decide(ws_dir, labels)
    at = logged_in("adm1", "quality")
    assert not at.exception
    shown = dict(zip([m.label for m in at.metric], [m.value for m in at.metric], strict=True))
    assert shown["Labelled pairs"] == str(len(labels)) and shown["Decided same"] == str(same)
    lines = chart_traces(at)
    assert set(lines) == {"Precision", "Recall", "F1"}
    match = aviation.entity(aviation.primary).resolution.match_threshold
    assert lines["F1"][match] == pytest.approx(_f1(labels, match))
    assert lines["F1"][0.5] == pytest.approx(_f1(labels, 0.5))
    assert lines["Recall"][0.05] >= lines["Recall"][0.99]  # recall only falls as the bar rises
    (spec,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "review band" in c.proto.spec]
    marked = " ".join(a.get("text", "") for a in spec["layout"].get("annotations", []))
    assert f"match {match:g}" in marked and "review 0.5" in marked and "review band" in marked


def test_too_few_labels_says_how_many_are_needed_and_links_to_review(master, ws_dir):
    viewer = logged_in("vie1", "quality")
    assert "0 pair(s) of this run's records have a same/different decision" in texts(viewer.info)
    decide(ws_dir, labels_of(master)[:3])
    at = logged_in("adm1", "quality")
    said = texts(at.info)
    assert "3 pair(s) of this run's records have a same/different decision" in said
    assert f"need at least {MIN_LABELS}" in said
    assert "Review duplicates" in [link.proto.label for link in at.get("page_link")]
    assert "accuracy_use" not in [b.key for b in at.button]
    run = logged_in("adm1", "run")  # retraining is off, with the reason
    box = run.checkbox(key="run_retrain_labels")
    assert box.disabled and not box.value
    assert f"needs at least {MIN_LABELS} pairs decided same or different" in texts(run.caption)
    assert "there are 3" in texts(run.caption)


def test_only_an_admin_sets_thresholds_and_a_demoted_admin_is_refused(master, ws_dir):
    decide(ws_dir, labels_of(master))
    operator = logged_in("ope1", "quality")
    assert chart_traces(operator)  # everyone who reads sees the evidence
    assert "accuracy_use" not in [b.key for b in operator.button]
    assert "An admin can set the match and review thresholds" in texts(operator.caption)
    at = logged_in("adm1", "quality")
    at.selectbox(key="accuracy_match_1").set_value(0.8).run()
    with opened(ws_dir) as ws, ws.transaction():  # the role changes behind the open page
        ws.execute("UPDATE users SET role = 'operator' WHERE username = 'adm1'")
    at.button(key="accuracy_use").click().run()
    assert "Not done: your role operator may not admin" in texts(at.error)
    with opened(ws_dir) as ws:
        assert kept.profile_choice(ws, "adm1") == {"label": "generic", "yaml": None}
        denied = ws.audit_log("denied", "adm1")
        assert ws.audit_log("profile.tune", "adm1").empty
    assert len(denied) == 1 and "_use" in denied.iloc[0]["detail"]


def test_a_threshold_set_from_the_evidence_reaches_the_next_run(master, ws_dir, aviation):
    decide(ws_dir, labels_of(master))
    at = logged_in("adm1", "quality")
    at.selectbox(key="accuracy_match_1").set_value(0.8).run()
    at.number_input(key="accuracy_review_1").set_value(0.4).run()
    at.button(key="accuracy_use").click().run()
    assert "Thresholds set: merge at 0.8 or above, review at 0.4 or above" in texts(at.success)
    with opened(ws_dir) as ws:
        choice = kept.profile_choice(ws, "adm1")
        audit = json.loads(ws.audit_log("profile.tune", "adm1").iloc[0]["detail"])
    assert choice["label"] == "aviation (tuned)"
    tuned = Profile.from_dict(yaml.safe_load(choice["yaml"]))
    assert (tuned.entity("organisation").resolution.match_threshold,
            tuned.entity("organisation").resolution.review_threshold) == (0.8, 0.4)
    assert tuned.fields("organisation").keys() == aviation.fields("organisation").keys()
    assert audit == {"match_threshold": 0.8, "profile": "aviation", "review_threshold": 0.4, "run": 1,
                     "source": "labels"}
    files = [(f.name, f.read_bytes(), XLSX) for f in master[1].files]
    at = finished(started(uploaded(logged_in("adm1"), files)))
    assert "Run 2 finished" in texts(at.success) or "Not published" in texts(at.error)
    with opened(ws_dir) as ws:
        used = running.run_profile(ws, 2).entity("organisation").resolution
        with stored.opened(ws, 2) as result:
            bands = result.db.rows("SELECT band, min(match_probability) FROM pairs GROUP BY band")
    assert (used.match_threshold, used.review_threshold) == (0.8, 0.4)
    lowest = dict(bands)
    assert lowest["auto"] >= 0.8 and lowest.get("review", 0.4) >= 0.4


def test_a_run_asked_to_retrain_from_labels_retrains_and_says_so(master, ws_dir):
    labels = labels_of(master)
    decide(ws_dir, labels)
    with opened(ws_dir) as ws:
        kept.set_profile_choice(ws, "adm1", "aviation")
    at = uploaded(logged_in("adm1"), [(f.name, f.read_bytes(), XLSX) for f in master[1].files])
    at.switch_page("app_pages/run.py").run()
    box = at.checkbox(key="run_retrain_labels")
    assert not box.disabled
    box.check().run()
    at = finished(started(at))
    with opened(ws_dir) as ws:
        with stored.opened(ws, 2) as result:
            meta, model = result.db.meta("resolution"), result.db.meta("model")
        request = json.loads(ws.run(2)["request"])
    assert request["retrain_from_labels"] is True
    assert meta["trained"] and meta["labels"] == len(labels)
    assert f"retrained from {len(labels):,} labelled pairs" in texts(at.info)
    summary = next(d for d in at.dataframe if "measure" in d.value.columns).value
    lines = summary.set_index("measure")["value"]
    assert lines["Model retrained from labelled pairs"] == str(len(labels))
    before = _m(master[4])
    after = _m(model)
    assert before.keys() == after.keys() and before != after  # m re-estimated from the labels


def _m(model: dict) -> dict[tuple[str, str], float]:
    """(comparison, level) -> m probability of a Splink model."""
    return {(c["output_column_name"], str(level.get("label_for_charts"))): level.get("m_probability")
            for c in model["comparisons"] for level in c["comparison_levels"]
            if not level.get("is_null_level")}


def test_the_threshold_table_is_checked_as_a_profile(aviation):
    with pytest.raises(Exception, match="review_threshold must be below match_threshold"):
        accuracy_ui.thresholds_set(aviation, 0.5, 0.6)
    tuned = accuracy_ui.thresholds_set(aviation, 0.85, 0.55)
    assert tuned.entity("organisation").resolution.match_threshold == 0.85
    assert tuned.to_dict()["entities"]["organisation"]["fields"] == aviation.to_dict()["entities"][
        "organisation"]["fields"]


@pytest.mark.browser
def test_the_quality_page_draws_the_accuracy_chart_in_a_browser(master, tmp_path):
    """The panel in a real Chromium: the chart drawn with its lines and marks, the threshold used;
    screenshot test-artifacts/accuracy-quality.png."""
    from tests.test_app_browser import (
        browser_page,
        full_screenshot,
        log_in,
        open_page,
        running_app,
        settle,
    )

    directory = tmp_path / "workspace"
    import shutil

    shutil.copytree(master[0] / "workspace", directory)
    decide(directory, labels_of(master))
    with running_app(directory, tmp_path / "server.log") as url, browser_page() as page:
        log_in(page, url, "adm1", password=PASSWORD)
        open_page(page, "Quality")
        page.get_by_text("Accuracy from reviewers' decisions").wait_for(timeout=60_000)
        chart = page.locator(".js-plotly-plot").filter(has_text="review band")
        chart.wait_for(timeout=60_000)
        assert chart.locator("g.trace.scatter").count() == 3  # precision, recall, F1
        assert "match 0.92" in chart.inner_text()
        full_screenshot(page, "accuracy-quality.png")
        page.get_by_role("button", name="Use these thresholds for my next run").click()
        settle(page)
        page.get_by_text("Thresholds set: merge at 0.92 or above").wait_for(timeout=30_000)
    with Workspace(directory) as ws:
        assert kept.profile_choice(ws, "adm1")["label"] == "aviation (tuned)"


def test_a_run_that_could_not_retrain_says_why(master, ws_dir, aviation):
    decide(ws_dir, labels_of(master)[:3])
    with opened(ws_dir) as ws:
        refine(master[1].files, aviation, workspace=ws, username="adm1", raise_blocked=False,
               retrain_from_labels=True).close()
        done, used, notes = running.retraining(ws, 2)
        assert running.retraining(ws, 1) is None  # not asked to
    assert (done, used) == (False, 0)
    assert notes and f"retraining from labels needs {MIN_LABELS}" in notes[0]
