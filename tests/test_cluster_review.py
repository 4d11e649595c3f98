"""The cluster review screen (issue 16): the queue of uncertain clusters, its order and place,
blind mode, masking by role, every decision kind through the page, and field picks applied by
survivorship on the next run. Real runs of generated samples; AppTest for the page."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from hotpass import Users, Workspace, open_run, refine
from hotpass.keys import display_id
from hotpass.profile import load_profile
from hotpass.report.mask import mask
from hotpass.samples.people import write_people
from tests.conftest import ROOT
from workbench import cluster_review as cr

PASSWORD = "correct-horse-1"
ROLES = ("viewer", "operator", "reviewer", "admin")


def _users(ws) -> None:
    for role in ROLES:
        Users(ws).add(role[:3] + "1", role, password=PASSWORD)


@pytest.fixture(scope="module")
def aviation_master(tmp_path_factory, aviation):
    """The shipped aviation sample workbooks refined once, with one user per role."""
    root = tmp_path_factory.mktemp("clusters")
    files = [shutil.copy(p, root / p.name) for p in sorted((ROOT / "data").glob("*.xlsx"))]
    with Workspace(root / "workspace") as ws:
        _users(ws)
        refine(files, aviation, workspace=ws, username="ope1").close()
    return root


@pytest.fixture(scope="module")
def people_master(tmp_path_factory):
    """A generated people list (person profile) refined once, with one user per role."""
    root = tmp_path_factory.mktemp("people")
    write_people(root / "in", n=400, seed=3)
    with Workspace(root / "workspace") as ws:
        _users(ws)
        refine(sorted((root / "in").iterdir()), load_profile("person"), workspace=ws, username="ope1").close()
    return root


def _copy(master, tmp_path, monkeypatch):
    directory = tmp_path / "workspace"
    shutil.copytree(master / "workspace", directory)
    monkeypatch.setenv("HOTPASS_WORKSPACE", str(directory))
    yield directory
    st.cache_resource.clear()


@pytest.fixture
def ws_dir(aviation_master, tmp_path, monkeypatch):
    yield from _copy(aviation_master, tmp_path, monkeypatch)


@pytest.fixture
def people_dir(people_master, tmp_path, monkeypatch):
    yield from _copy(people_master, tmp_path, monkeypatch)


def opened(directory) -> Workspace:
    st.cache_resource.clear()
    return Workspace(directory)


def logged_in(username: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click().run()
    at.switch_page("app_pages/review.py").run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def queue_of(directory):
    with opened(directory) as ws:
        latest = cr.load(ws)
        return latest, cr.pending(cr.units(latest, ws.decisions()))


def members_shown(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if {"id", "cluster", "decision"} <= set(d.value.columns))


def files_of(master):
    return sorted(master.glob("*.xlsx")) or sorted((master / "in").iterdir())


def rerun(directory, master, profile) -> int:
    """Refine the same inputs again in the workspace: the next run, honouring the decisions."""
    with opened(directory) as ws:
        result = refine(files_of(master), profile, workspace=ws, username="ope1")
        run_id = result.run_id
        result.close()
    return run_id


def cluster_of(directory, run_id: int) -> dict[str, str]:
    """record_key -> golden id in a run."""
    with opened(directory) as ws, open_run(ws, run_id) as result:
        table = result.table("out_clusters")
    ident = next(c for c in table.columns if c.endswith("_id"))
    return dict(zip(table["record_key"], table[ident], strict=True))


# --- the queue ---------------------------------------------------------------------------------


def test_each_uncertain_cluster_is_queued_once_most_uncertain_first(ws_dir):
    latest, queue = queue_of(ws_dir)
    assert len(queue) >= 3
    seen = [k for members in queue["members"] for k in members]
    assert len(seen) == len(set(seen)), "a record in two queued clusters"
    review = latest.edges[latest.edges["band"] == "review"]
    where = {k: i for i, members in enumerate(queue["members"]) for k in members}
    for a, b in zip(review["key_l"], review["key_r"], strict=True):
        assert where[a] == where[b], "a review-band pair split across two queued clusters"
    expected = [max(cr.entropy(p) for p, a in zip(review["match_probability"], review["key_l"], strict=True)
                    if a in set(members)) for members in queue["members"]]
    assert queue["score"].tolist() == pytest.approx(expected)
    assert queue["score"].is_monotonic_decreasing
    at = logged_in("rev1")
    assert "Cluster 1 of" in texts(at.subheader)
    assert set(members_shown(at)["id"]) == {display_id(k) for k in queue.iloc[0]["members"]}
    assert [m.value for m in at.metric][:2] == ["0", str(len(queue))]


def test_the_place_in_the_queue_is_kept_per_reviewer(ws_dir):
    _, queue = queue_of(ws_dir)
    at = logged_in("rev1")
    at.button(key="review_next").click().run()
    second = {display_id(k) for k in queue.iloc[1]["members"]}
    assert set(members_shown(at)["id"]) == second
    again = logged_in("rev1")  # a new session: back where rev1 was
    assert set(members_shown(again)["id"]) == second
    assert "Cluster 2 of" in texts(again.subheader)
    other = logged_in("adm1")  # another reviewer keeps their own place
    assert "Cluster 1 of" in texts(other.subheader)
    with opened(ws_dir) as ws:
        assert ws.get_state("rev1", cr.POSITION)["unit"] == queue.iloc[1]["unit"]


def test_blind_mode_hides_every_score(ws_dir):
    at = logged_in("rev1")
    assert len(list(at.get("plotly_chart"))) == 2  # the heatmap and the waterfall
    assert any("p 0." in str(o) for s in at.selectbox for o in s.options)
    at.toggle(key="review_blind").set_value(True).run()
    assert not list(at.get("plotly_chart"))
    assert "Scores are hidden in blind mode" in texts(at.caption)
    shown = members_shown(at)
    assert not any("probab" in c.lower() for c in shown.columns)
    assert not any("p 0." in str(o) for s in at.selectbox for o in s.options)
    again = logged_in("rev1")  # kept for this reviewer
    assert not list(again.get("plotly_chart"))


# --- decisions ---------------------------------------------------------------------------------


def test_same_for_all_joins_every_member_in_the_next_run_and_undo_takes_it_back(ws_dir, aviation_master,
                                                                              aviation):
    latest, queue = queue_of(ws_dir)
    before = cluster_of(ws_dir, latest.run_id)
    apart = queue[[len({before[k] for k in m}) > 1 for m in queue["members"]]].iloc[0]
    members = list(apart["members"])
    at = logged_in("rev1")
    for _ in range(int(apart.name)):
        at.button(key="review_next").click().run()
    at.button(key="review_same").click().run()
    assert "same for all" in texts(at.success)
    _, after = queue_of(ws_dir)
    assert len(after) == len(queue) - 1 and apart["unit"] not in set(after["unit"])
    with opened(ws_dir) as ws:
        decided = ws.decisions()
    assert len(decided) == len(members) - 1 and set(decided["kind"]) == {"same"}
    run2 = rerun(ws_dir, aviation_master, aviation)
    assert len({cluster_of(ws_dir, run2)[k] for k in members}) == 1
    at = logged_in("rev1")
    at.button(key="review_undo").click().run()  # one action: every "same" of it
    assert f"Undone: {', '.join(f'#{i}' for i in sorted(decided['decision_id'], reverse=True))}" in texts(at.info)
    with opened(ws_dir) as ws:
        assert ws.decisions().empty


def test_split_never_leaves_its_pair_behind(ws_dir):
    _, queue = queue_of(ws_dir)
    big = queue[queue["members"].map(len) >= 3].iloc[0]
    position = int(big.name)
    at = logged_in("rev1")
    for _ in range(position):
        at.button(key="review_next").click().run()
    latest, _ = queue_of(ws_dir)
    with opened(ws_dir) as ws:
        pairs = cr.edges(ws, latest, list(big["members"]))
    review = pairs[pairs["band"] == "review"].iloc[0]
    out = str(review["key_l"])
    at.selectbox(key=f"review_member_{big['unit']}").set_value(out).run()
    at.button(key="review_different").click().run()
    assert "split out" in texts(at.success)
    with opened(ws_dir) as ws:
        split = ws.decisions().iloc[-1]
        latest = cr.load(ws)
        units = cr.units(latest, ws.decisions())
    assert (split["kind"], split["record_key"]) == ("split", out)
    assert set(json.loads(split["members"])) == set(big["members"])
    row = units[units["unit"] == big["unit"]].iloc[0]
    assert row["pending"] < big["pending"], "the split pair is still pending"


def test_move_to_a_cluster_found_by_id(ws_dir, aviation_master, aviation):
    _, queue = queue_of(ws_dir)
    pair = queue[queue["members"].map(len) == 2].iloc[0]
    a, b = pair["members"]
    target_unit = queue[queue["members"].map(len) >= 2].drop(index=pair.name).iloc[0]
    at = logged_in("rev1")
    for _ in range(int(pair.name)):
        at.button(key="review_next").click().run()
    at.selectbox(key=f"review_member_{pair['unit']}").set_value(a).run()
    assert at.button(key="review_different").label == "Different organisations"  # two records: D
    target = target_unit["members"][0]
    at.selectbox(key=f"review_member_{pair['unit']}").set_value(b).run()
    at.text_input(key="review_move_search").input(display_id(target)[:10].lower()).run()
    assert target in at.selectbox(key="review_move_target").options or \
        at.selectbox(key="review_move_target").value == target
    at.selectbox(key="review_move_target").set_value(target).run()
    at.button(key="review_move").click().run()
    assert "moved" in texts(at.success)
    with opened(ws_dir) as ws:
        move = ws.decisions().iloc[-1]
    assert (move["kind"], move["record_key"], move["other_key"]) == ("move", b, target)
    run2 = rerun(ws_dir, aviation_master, aviation)
    clusters = cluster_of(ws_dir, run2)
    assert clusters[b] == clusters[target] and clusters[a] != clusters[b]
    quality = logged_in("rev1")  # the changes the next run lists name records by their id
    quality.switch_page("app_pages/quality.py").run()
    changed = next(d.value for d in quality.dataframe if "kind" in d.value.columns)
    assert "record_key" not in changed and len(changed)  # a column "record" of display ids instead
    assert not changed["record"].dropna().astype(str).str.contains(":").any()


def test_a_field_pick_wins_in_the_next_run_and_its_undo_gives_the_rules_back(people_dir, people_master):
    latest, queue = queue_of(people_dir)
    unit = queue.iloc[0]
    with opened(people_dir) as ws:
        frame = cr.members(ws, latest, list(unit["members"]))
    field = next(f for f in latest.fields if f in frame and frame[f].dropna().astype(str).nunique() > 1)
    before = cluster_of(people_dir, latest.run_id)
    with opened(people_dir) as ws, open_run(ws, latest.run_id) as result:
        golden = result.table("out_people").set_index("person_id")
    gid = before[unit["members"][0]]
    loser = frame[frame[field].notna() & (frame[field].astype(str) != str(golden.loc[gid, field]))].iloc[0]
    at = logged_in("rev1")
    at.selectbox(key="review_pick_field").set_value(field).run()
    at.radio(key=f"review_pick_member_{field}").set_value(loser["record_key"]).run()
    at.button(key="review_pick").click().run()
    assert f"value of {field} picked" in texts(at.success)
    run2 = rerun(people_dir, people_master, load_profile("person"))
    with opened(people_dir) as ws, open_run(ws, run2) as result:
        golden2 = result.table("out_people").set_index("person_id")
        rule = result.db.value("SELECT rule FROM provenance WHERE record_key = ? AND field = ?",
                               [loser["record_key"], field])
    gid2 = cluster_of(people_dir, run2)[loser["record_key"]]
    assert str(golden2.loc[gid2, field]) == str(loser[field]) and rule == "reviewer pick"
    at = logged_in("rev1")
    at.button(key="review_undo").click().run()
    run3 = rerun(people_dir, people_master, load_profile("person"))
    with opened(people_dir) as ws, open_run(ws, run3) as result:
        golden3 = result.table("out_people").set_index("person_id")
    gid3 = cluster_of(people_dir, run3)[loser["record_key"]]
    assert str(golden3.loc[gid3, field]) == str(golden.loc[gid, field])


# --- roles -------------------------------------------------------------------------------------


def test_a_viewer_sees_masked_people_and_no_buttons(people_dir):
    latest, queue = queue_of(people_dir)
    with opened(people_dir) as ws:
        frame = cr.members(ws, latest, list(queue.iloc[0]["members"]))
    label = latest.subject.fields["full_name"]
    viewer = logged_in("vie1")
    shown = members_shown(viewer)
    assert shown[label].tolist() == [mask(v, "name") for v in frame["full_name"]]
    assert not set(frame["full_name"]) & set(shown[label])
    keys = {b.key for b in viewer.button}
    assert not keys & {"review_same", "review_different", "review_move", "review_pick", "review_undo"}
    assert "Read-only" in texts(viewer.info)
    reviewer = logged_in("rev1")
    assert members_shown(reviewer)[label].tolist() == frame["full_name"].tolist()
    assert "review_same" in {b.key for b in reviewer.button}


def test_a_demoted_reviewer_click_is_refused_and_audited(ws_dir):
    at = logged_in("rev1")
    with opened(ws_dir) as ws, ws.transaction():
        ws.execute("UPDATE users SET role = 'viewer' WHERE username = 'rev1'")
    at.button(key="review_same").click().run()
    assert "Not done: your role viewer may not review" in texts(at.error)
    with opened(ws_dir) as ws:
        assert ws.decisions().empty
        denied = ws.audit_log("denied", "rev1")
    assert len(denied) == 1 and "_decide" in denied.iloc[0]["detail"]
    assert not {"review_same", "review_pick"} & {b.key for b in at.button}, "drawn read-only now"


# --- ids, the library and the command line -----------------------------------------------------


def test_one_display_id_for_records_and_golden_records():
    assert display_id("org:5697abcdef012345") == "ORG-5697ABCDEF01"
    assert display_id("person:0003ee39e8a3e8ba-2") == "PER-0003EE39E8A3-2"
    assert display_id("ORG-5697ABCDEF01") == "ORG-5697ABCDEF01"
    assert display_id(None) == ""


def test_pick_and_list_on_the_command_line(people_dir):
    from tests.test_cli import hotpass

    latest, queue = queue_of(people_dir)
    key = queue.iloc[0]["members"][0]
    done = hotpass("review", "pick", display_id(key), "surname", "--reviewer", "ann", "--workspace", people_dir)
    assert done.returncode == 0, done.stderr
    listed = hotpass("review", "list", "--decisions", "--workspace", people_dir)
    assert f"pick {display_id(key)} surname by ann" in listed.stdout
    bad = hotpass("review", "pick", display_id(key), "shoe_size", "--workspace", people_dir)
    assert bad.returncode == 1 and "no field 'shoe_size'" in bad.stderr
    pending = hotpass("review", "list", "--workspace", people_dir)
    assert "person:" not in pending.stdout and "PER-" in pending.stdout


def test_bulk_same_for_all_asks_first_and_takes_only_sure_clusters(ws_dir):
    latest, queue = queue_of(ws_dir)
    with opened(ws_dir) as ws:
        expected = cr.sure(queue, latest, ws.decisions(), 0.7)
    assert 0 < len(expected) < len(queue)
    at = logged_in("rev1")
    at.number_input(key="review_bulk_threshold").set_value(0.7).run()
    at.button(key="review_bulk").click().run()
    assert f"for {len(expected)} cluster(s)" in texts(at.warning)
    with opened(ws_dir) as ws:
        assert ws.decisions().empty  # nothing before the confirmation
    at.button(key="review_bulk_yes").click().run()
    assert f"{len(expected)} cluster(s) accepted" in texts(at.success)
    _, after = queue_of(ws_dir)
    assert set(after["unit"]) == set(queue["unit"]) - set(expected["unit"])
    with opened(ws_dir) as ws:
        assert set(ws.decisions()["kind"]) == {"same"}


def test_decisions_of_one_action_are_undone_together_and_a_pick_needs_a_field(tmp_path):
    from hotpass import WorkspaceError

    with Workspace(tmp_path / "ws") as ws:
        first = ws.decide("different", "org:a", "org:b", reviewer="ann")
        ids = ws.decide_all("same", [("org:c", "org:d"), ("org:c", "org:e")], "ann", "same for all")
        with pytest.raises(WorkspaceError, match="name of the field"):
            ws.decide("pick", "org:c", None, reviewer="ann")
        with pytest.raises(WorkspaceError, match="name of the field"):
            ws.decide("pick", "org:c", "org:d", reviewer="ann")
        picked = ws.decide("pick", "org:c", "phone", ["org:c", "org:d"], "ann")
        assert ws.picks()[["record_key", "field"]].values.tolist() == [["org:c", "phone"]]
        assert ws.constraints().must_link == [("org:c", "org:d"), ("org:c", "org:e")]
        assert ws.undo_action("ann") == [picked]
        assert sorted(ws.undo_action("ann", ids[0])) == sorted(ids)  # the whole "same for all"
        with pytest.raises(WorkspaceError, match="no active decision"):
            ws.undo_action("bob", first)
        assert ws.decisions()["decision_id"].tolist() == [first]


def test_enrichment_proposals_are_masked_below_the_reviewer_role():
    from workbench import enrich_ui

    rows = pd.DataFrame({
        "proposal_id": [1, 2], "status": "pending", "record_kind": ["organisation", "contact"],
        "record_id": ["ORG-AB12CD34EF56", "CON-0011223344AA"], "field": ["phone", "full_name"],
        "current": ["+27821234567", None], "proposed": ["+27821234999", "Thandi Nkosi"],
        "confidence": [0.9, 0.5], "evidence": ["listed +27821234999", "signed Thandi Nkosi"],
        "provider": "test", "reviewer": None})
    known = {"ORG-AB12CD34EF56": "Acme Flying", "CON-0011223344AA": "Thandi Nkosi"}
    hidden = enrich_ui.table(rows, known, reveal=False)
    assert hidden["record"].tolist() == ["Acme Flying · ORG-AB12CD34EF56", "T*** N*** · CON-0011223344AA"]
    assert hidden["proposed"].tolist() == [mask("+27821234999", "phone"), mask("Thandi Nkosi", "name")]
    assert not hidden["evidence"].str.contains("Thandi|1234999").any()
    whole = enrich_ui.table(rows, known, reveal=True)
    assert whole["proposed"].tolist() == ["+27821234999", "Thandi Nkosi"]
    assert whole["record"].iloc[1] == "Thandi Nkosi · CON-0011223344AA"
