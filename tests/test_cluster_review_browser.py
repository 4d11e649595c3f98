"""The cluster review screen in a real Chromium over a real refined sample (issue 16).

A reviewer opens Review duplicates on a workspace where the shipped sample
workbooks were refined, and through the page (keyboard shortcuts included)
says same for all, splits a member out, moves a member to a cluster found by
its id, picks the surviving value of a field, and undoes a decision. Then the
same inputs are refined again in that workspace and the next run's tables show
each decision. Screenshots in test-artifacts/cluster-review-*.png.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from hotpass import Users, Workspace, open_run, refine
from hotpass.keys import display_id
from hotpass.profile import load_profile
from hotpass.samples.people import write_people
from tests.conftest import ROOT
from tests.test_app_browser import full_screenshot, open_page, pick, running_app, settle
from tests.test_app_browser import log_in as sign_in
from tests.test_app_multiuser import chromium
from workbench import cluster_review as cr
from workbench import review_ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "correct-horse-9"
ERROR_BOX = "[data-testid='stException'], [data-testid='stAlertContentError']"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app over a workspace where the sample workbooks were refined once (aviation)."""
    root = tmp_path_factory.mktemp("cluster-review")
    files = [shutil.copy(p, root / p.name) for p in sorted((ROOT / "data").glob("*.xlsx"))]
    with Workspace(root / "workspace") as ws:
        Users(ws).add("rita", "reviewer", password=PASSWORD, name="Rita Reviewer")
        refine(files, load_profile("aviation"), workspace=ws, username="rita").close()
    with running_app(root / "workspace", root / "server.log") as url:
        yield url, root, files


def shoot(page, name: str) -> None:
    errors = page.locator(ERROR_BOX)
    assert errors.count() == 0, f"{name}: {errors.first.inner_text()}"
    full_screenshot(page, f"cluster-review-{name}.png")


def queue(root):
    with Workspace(root / "workspace") as ws:
        latest = cr.load(ws)
        units = cr.pending(cr.units(latest, ws.decisions()))
        decisions = ws.decisions()
    clusters = dict(zip(latest.clusters["record_key"], latest.clusters[latest.ident], strict=True))
    return latest, units, clusters, decisions


def member_box(page):
    return page.get_by_test_id("stSelectbox").filter(has_text="Member").first


def key(page, letter: str) -> None:
    """Press a shortcut key with nothing focused (as a reviewer does between clicks)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(letter)
    settle(page)


def go_to(page, unit: str) -> None:
    """Press N until the cluster ``unit`` (its id is in the heading) is shown."""
    for _ in range(12):
        if page.get_by_test_id("stHeading").filter(has_text=f"· {unit} ·").count():
            return
        key(page, "n")
    raise AssertionError(f"the cluster {unit} never came up")


def saved(page, text: str) -> None:
    page.get_by_text(text).first.wait_for(timeout=30_000)
    settle(page)


def test_same_split_move_pick_and_undo_each_show_in_the_next_run(server):
    url, root, files = server
    latest, units, clusters, _ = queue(root)
    apart = units[[len({clusters[k] for k in m}) > 1 for m in units["members"]]]  # across clusters
    inside = units[[len({clusters[k] for k in m}) == 1 and len(m) >= 3 for m in units["members"]]]
    assert len(apart) >= 2 and len(inside) >= 3, "the sample no longer has the clusters this test needs"
    joined, undone = list(apart.iloc[0]["members"]), list(apart.iloc[1]["members"])
    split_unit, move_unit = list(inside.iloc[0]["members"]), list(inside.iloc[1]["members"])
    ids = {name: str(frame.iloc[i]["unit"]) for name, frame, i in (
        ("joined", apart, 0), ("undone", apart, 1), ("split", inside, 0), ("move", inside, 1),
        ("pick", inside, 2))}
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        sign_in(page, url, "rita", "Rita Reviewer", password=PASSWORD)
        open_page(page, "Review duplicates")
        page.get_by_text(f"Cluster 1 of {len(units)}").wait_for()
        shoot(page, "1-first-cluster")

        # same for all, with the S key, on a cluster spanning two clusters of the run
        go_to(page, ids["joined"])
        key(page, "s")
        saved(page, "saved: same for all")
        shoot(page, "2-same-for-all")

        # split the member of the review-band pair out of a three-record cluster
        with Workspace(root / "workspace") as ws:
            pairs = cr.edges(ws, latest, split_unit)
        out = str(pairs[pairs["band"] == "review"].iloc[0]["key_l"])
        go_to(page, ids["split"])
        pick(page, member_box(page), _option(root, latest, split_unit, out))
        page.get_by_role("button", name="Split this member out").click()
        saved(page, "saved: split out")
        shoot(page, "3-split")

        # move a member to another cluster, found by its id
        go_to(page, ids["move"])
        mover = sorted(move_unit)[-1]
        target = sorted(split_unit)[0] if sorted(split_unit)[0] != out else sorted(split_unit)[1]
        pick(page, member_box(page), _option(root, latest, move_unit, mover))
        page.get_by_text("Move this member to another cluster").click()
        search = page.get_by_role("textbox", name="Find the target by name or id")
        search.fill(display_id(target).lower())
        search.press("Enter")
        settle(page)
        page.get_by_role("button", name="Move ").click()
        saved(page, "saved: moved")
        shoot(page, "4-move")

        # pick the surviving value of a field: a value only one member has
        current = list(inside.iloc[2]["members"])
        go_to(page, ids["pick"])
        with Workspace(root / "workspace") as ws:
            frame = cr.members(ws, latest, current)
        field, winner = _unique_value(latest, frame)
        page.get_by_text("Pick the surviving value of a field").click()
        page.get_by_text("Value that survives").wait_for()
        settle(page)
        pick(page, page.get_by_test_id("stSelectbox").filter(has_text="Field").first,
             latest.subject.fields.get(field, field.replace("_", " ")))
        page.get_by_test_id("stRadio").get_by_text(f"{winner[field]} — ", exact=False).first.click()
        settle(page)
        keep = page.get_by_role("button", name="Keep this value")
        try:
            keep.wait_for(timeout=15_000)
        except Exception:
            shoot(page, "5-pick-failed")
            raise
        keep.click()
        saved(page, f"value of {field} picked")
        shoot(page, "5-pick")

        # same for all on another cluster, then undo it with the U key
        go_to(page, ids["undone"])
        key(page, "s")
        saved(page, "saved: same for all")
        key(page, "u")
        saved(page, "Undone:")
        shoot(page, "6-undo")

        with Workspace(root / "workspace") as ws:
            decisions = ws.decisions()
        assert sorted(decisions["kind"].unique()) == ["move", "pick", "same", "split"]

        # the next run, on the same workspace
        with Workspace(root / "workspace") as ws:
            result = refine(files, load_profile("aviation"), workspace=ws, username="rita")
            run2 = result.run_id
            result.close()
            with open_run(ws, run2) as run:
                after = run.table("out_clusters")
                rule, value = run.db.rows("SELECT rule, value FROM provenance WHERE record_key = ? AND field = ?",
                                          [winner["record_key"], field])[0]
        now = dict(zip(after["record_key"], after["organisation_id"], strict=True))
        assert len({now[k] for k in joined}) == 1, "same for all: one cluster"
        assert all(now[out] != now[k] for k in split_unit if k != out), "split: apart from its old cluster"
        assert now[mover] == now[target] and all(now[mover] != now[k] for k in move_unit if k != mover)
        assert (rule, value) == ("reviewer pick", str(winner[field]))
        assert len({now[k] for k in undone}) == len({clusters[k] for k in undone}) > 1, "undone: as before"
        split = decisions[decisions["kind"] == "split"].iloc[0]
        assert set(json.loads(split["members"])) == set(split_unit)

        page.reload()
        settle(page)
        page.get_by_text("Review duplicates").first.wait_for()
        shoot(page, "7-after-the-next-run")


def _unique_value(latest, frame):
    """(field, member row) of a value of a shown field that only one member has, others differing."""
    for field in latest.fields:
        if field not in frame or frame[field].dropna().astype(str).nunique() < 2:
            continue
        counts = frame[field].dropna().astype(str).value_counts()
        single = frame[frame[field].notna() & frame[field].astype(str).map(counts.get).eq(1)]
        if len(single):
            return field, single.iloc[-1]
    raise AssertionError("no member of the cluster has a value of its own")


def _option(root, latest, keys: list[str], key: str) -> str:
    """The Member select box's label of record ``key`` ("name · id")."""
    with Workspace(root / "workspace") as ws:
        frame = cr.members(ws, latest, keys)
    return review_ui.names_of(latest, frame, True)[key]


@pytest.fixture(scope="module")
def people_server(tmp_path_factory):
    """The app over a workspace where a generated people list was refined (person profile)."""
    root = tmp_path_factory.mktemp("cluster-review-people")
    write_people(root / "in", n=400, seed=3)
    with Workspace(root / "workspace") as ws:
        Users(ws).add("vic", "viewer", password=PASSWORD, name="Vic Viewer")
        Users(ws).add("rita", "reviewer", password=PASSWORD, name="Rita Reviewer")
        refine(sorted((root / "in").iterdir()), load_profile("person"), workspace=ws, username="rita").close()
    with running_app(root / "workspace", root / "server.log") as url:
        yield url, root


def log_in(browser, url: str, username: str, name: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(page, url, username, name, password=PASSWORD)
    open_page(page, "Review duplicates")
    page.get_by_text("Cluster 1 of").wait_for()
    return page


def test_a_viewer_reads_people_clusters_masked_and_a_reviewer_whole(people_server):
    url, root = people_server
    latest, units, _, _ = queue(root)
    with Workspace(root / "workspace") as ws:
        frame = cr.members(ws, latest, list(units.iloc[0]["members"]))
    names = [n for n in frame["full_name"].dropna()]
    with chromium() as browser:
        viewer = log_in(browser, url, "vic", "Vic Viewer")
        viewer.get_by_text("Read-only").first.wait_for()
        assert viewer.get_by_role("button", name=re.compile("same for all", re.I)).count() == 0
        assert viewer.get_by_role("button", name="Undo my last decision").count() == 0
        pair = viewer.get_by_test_id("stSelectbox").filter(has_text="Pair").first.locator("input").input_value()
        assert "***" in pair and not any(n in pair for n in names)
        assert all(viewer.get_by_text(n, exact=False).count() == 0 for n in names)
        shoot(viewer, "8-people-viewer-masked")
        reviewer = log_in(browser, url, "rita", "Rita Reviewer")
        pair = reviewer.get_by_test_id("stSelectbox").filter(has_text="Pair").first.locator("input").input_value()
        assert any(n in pair for n in names) and "***" not in pair
        assert reviewer.get_by_role("button", name=re.compile("^Same for all")).count() == 1
        shoot(reviewer, "9-people-reviewer")
